"""A long file brought to a loudness under a true-peak ceiling, in bounded memory.

The measurement (ITU-R BS.1770) and the look-ahead true-peak limiter are the music engine's own
(``engines/music/produce``), so an assembled soundtrack is levelled exactly as a generated piece
is mastered: a gain towards the target, the limiter at the ceiling, and a few passes correcting
the gain for the loudness the limiter takes away.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import soundfile as sf

from mixdown.audio.export import export
from mixdown.audio.formats import get_format

if TYPE_CHECKING:
    from mixdown.engines.music.produce.loudness import LoudnessMeter

LOUDNESS_TOLERANCE = 0.2  # LU: stop correcting the gain once this close to the target
MAX_PASSES = 4
# Lossy encoders lift true peaks (MP3 at 192 kbps: 0.3-0.7 dB on limited music, bench_soundtrack.py)
# and shave a little loudness: encode, measure the decoded file, correct, at most this many times.
ENCODE_ROUNDS = 3
LOSSY_MARGIN_DB = 1.0  # the first round limits this far under the ceiling (one round is then enough)
PEAK_TOLERANCE_DB = 0.05
ENCODED_LOUDNESS_TOLERANCE = 0.5  # LU; MP3 itself reads 0.1-0.4 LU quieter than its source
SILENT_LUFS = -70.0  # quieter than this is silence: no gain is applied
BLOCK = 65536


@dataclass(frozen=True)
class Levelled:
    """What :func:`level_file` measured and did."""

    loudness_in: float  # LUFS of the source
    loudness_out: float  # LUFS of the result
    gain_db: float  # gain before the limiter
    true_peak_db: float  # of the result, dBTP
    limiter_reduction_db: float  # the deepest gain reduction (<= 0)


def _blocks(path: str | os.PathLike[str]) -> Iterator[np.ndarray]:
    yield from sf.blocks(str(path), blocksize=BLOCK, dtype="float32", always_2d=True)


def file_loudness(path: str | os.PathLike[str]) -> float:
    """Integrated loudness (LUFS) of a sound file, read block by block.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> sr = 48000
    >>> tone = (0.1 * np.sin(2 * np.pi * 997 * np.arange(sr * 3) / sr)).astype(np.float32)
    >>> path = Path(tempfile.mkdtemp()) / "tone.wav"
    >>> sf.write(path, np.stack([tone, tone], axis=1), sr, subtype="FLOAT")
    >>> round(file_loudness(path), 1)
    -20.0
    """
    from mixdown.engines.music.produce.loudness import LoudnessMeter

    info = sf.info(str(path))
    meter = LoudnessMeter(info.samplerate, channels=info.channels)
    for block in _blocks(path):
        meter.add(block)
    return meter.integrated()


def level_file(
    src: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    *,
    target_lufs: float | None,
    ceiling_db: float = -1.0,
) -> Levelled:
    """Write stereo ``src`` to ``dest`` (float WAV) at ``target_lufs``, true peak under ``ceiling_db``.

    With ``target_lufs=None`` the level is kept and the limiter only catches peaks over the
    ceiling. The result has exactly the source's frames.

    Parameters
    ----------
    src, dest : str or os.PathLike
        A stereo sound file in, a float WAV out.
    target_lufs : float or None
        Integrated loudness to reach, or None to keep the level.
    ceiling_db : float
        True-peak ceiling in dBTP.

    Returns
    -------
    Levelled
        Loudness before and after, the gain used, the true peak and the limiter's deepest reduction.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> sr = 44100
    >>> rng = np.random.default_rng(0)
    >>> noise = (rng.standard_normal((sr * 4, 2)) * 0.02).astype(np.float32)
    >>> folder = Path(tempfile.mkdtemp())
    >>> sf.write(folder / "in.wav", noise, sr, subtype="FLOAT")
    >>> done = level_file(folder / "in.wav", folder / "out.wav", target_lufs=-14.0)
    >>> abs(done.loudness_out + 14.0) <= 0.2, done.true_peak_db <= -1.0, sf.info(folder / "out.wav").frames
    (True, True, 176400)
    """
    loudness_in, loudness, gain, reduction = _level(src, dest, target_lufs, ceiling_db)
    return Levelled(loudness_in, loudness, gain, file_true_peak(dest), reduction)


def _level(
    src: str | os.PathLike[str], dest: str | os.PathLike[str], target_lufs: float | None, ceiling_db: float
) -> tuple[float, float, float, float]:
    """(loudness in, loudness out, gain, deepest reduction) of levelling ``src`` into ``dest``."""
    loudness_in = file_loudness(src)
    gain = 0.0 if target_lufs is None or loudness_in <= SILENT_LUFS else target_lufs - loudness_in
    for attempt in range(MAX_PASSES):
        loudness, reduction = _limit_pass(src, dest, gain, ceiling_db)
        if target_lufs is None or loudness <= SILENT_LUFS or attempt == MAX_PASSES - 1:
            break
        error = target_lufs - loudness
        if abs(error) <= LOUDNESS_TOLERANCE:
            break
        gain += error * (1.3 if error > 0 else 1.0)  # the limiter eats part of a raise: overshoot
    return loudness_in, loudness, gain, reduction


def _limit_pass(
    src: str | os.PathLike[str], dest: str | os.PathLike[str], gain_db: float, ceiling_db: float
) -> tuple[float, float]:
    """One pass through the limiter; (loudness, deepest reduction) of what it wrote."""
    from mixdown.engines.music.produce.loudness import LoudnessMeter
    from mixdown.engines.music.produce.master import TruePeakLimiter

    rate = sf.info(str(src)).samplerate
    limiter = TruePeakLimiter(rate, ceiling_db=ceiling_db, gain_db=gain_db)
    meter = LoudnessMeter(rate)
    with sf.SoundFile(str(dest), "w", samplerate=rate, channels=2, subtype="FLOAT") as out:
        for block in _blocks(src):
            _write(out, limiter.process(block), meter)
        _write(out, limiter.finish(), meter)
    return meter.integrated(), limiter.max_reduction_db


def _write(out: sf.SoundFile, audio: np.ndarray, meter: LoudnessMeter) -> None:
    if audio.shape[0] == 0:
        return
    out.write(audio)
    meter.add(audio)


def measure_file(path: str | os.PathLike[str]) -> tuple[float, float]:
    """(integrated loudness in LUFS, true peak in dBTP) of a sound file, in one pass of blocks."""
    from mixdown.engines.music.produce.loudness import LoudnessMeter, PeakMeter

    info = sf.info(str(path))
    meter, peaks = LoudnessMeter(info.samplerate, channels=info.channels), PeakMeter()
    for block in _blocks(path):
        meter.add(block)
        peaks.add(block)
    return meter.integrated(), peaks.finish_db()


def file_true_peak(path: str | os.PathLike[str]) -> float:
    """True peak (dBTP) of a sound file (any format soundfile decodes, MP3 included), block by block."""
    from mixdown.engines.music.produce.loudness import PeakMeter

    peaks = PeakMeter()
    for block in _blocks(path):
        peaks.add(block)
    return peaks.finish_db()


def level_encoded(
    src: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    *,
    format: str,
    target_lufs: float | None,
    ceiling_db: float = -1.0,
) -> Levelled:
    """:func:`level_file`, then encode to ``format`` so that the *decoded* file keeps the ceiling.

    A lossless format is written once. A lossy one is levelled ``LOSSY_MARGIN_DB`` under the
    ceiling, encoded and measured decoded; while its true peak is over the ceiling the limiter's
    ceiling is lowered by the excess, else while its loudness is off the target by more than
    ``ENCODED_LOUDNESS_TOLERANCE`` the target is moved by the error, and it is done again, at most
    ``ENCODE_ROUNDS`` times. The returned loudness and true peak are the encoded file's.

    Examples
    --------
    >>> import tempfile
    >>> sr = 44100
    >>> rng = np.random.default_rng(0)
    >>> noise = (rng.standard_normal((sr * 4, 2)) * 0.3).astype(np.float32)
    >>> folder = Path(tempfile.mkdtemp())
    >>> sf.write(folder / "in.wav", noise, sr, subtype="FLOAT")
    >>> done = level_encoded(folder / "in.wav", folder / "out.mp3", format="mp3", target_lufs=-11.0)
    >>> done.true_peak_db <= -1.0 + PEAK_TOLERANCE_DB, abs(done.loudness_out + 11.0) <= 0.3
    (True, True)
    """
    lossy = not get_format(format).lossless
    limit = ceiling_db - (LOSSY_MARGIN_DB if lossy else 0.0)
    goal = target_lufs
    levelled_path = Path(dest).with_name(Path(dest).name + ".levelled.wav")
    try:
        for _ in range(ENCODE_ROUNDS if lossy else 1):
            loudness_in, loudness, gain, reduction = _level(src, levelled_path, goal, limit)
            export(levelled_path, dest, format=format)
            loudness, peak = measure_file(dest)
            if not lossy:
                break
            over = peak - ceiling_db
            off = 0.0 if target_lufs is None else target_lufs - loudness
            if over <= PEAK_TOLERANCE_DB and abs(off) <= ENCODED_LOUDNESS_TOLERANCE:
                break
            if over > PEAK_TOLERANCE_DB:  # the ceiling first: raising the loudness would lift peaks
                limit -= over + PEAK_TOLERANCE_DB
            elif goal is not None:
                goal += off
    finally:
        levelled_path.unlink(missing_ok=True)
    return Levelled(loudness_in, loudness, gain, peak, reduction)
