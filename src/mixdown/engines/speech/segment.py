"""Splitting speech at its pauses, by frame energy.

PocketSphinx decodes one utterance at a time and degrades on long ones (a 40 s utterance came out
at WER 0.34 where its sentences alone were far better), and progress can only be reported between
pieces, so long audio is cut where the speaker pauses, and pieces still longer than ``max_seconds``
are cut at their quietest frame.
"""

from __future__ import annotations

import numpy as np

from mixdown.audio.pcm import Samples

_HOP_SECONDS = 0.01
FRAMES_PER_SECOND = 100  # of frame_energy_db
_WINDOW_SECONDS = 0.03
_FLOOR_DB = -100.0
# Speech is what is louder than both the floor + 10 dB and the loud end of the file - 35 dB: the
# first holds in noise, the second in digital silence (TTS, studio recordings).
_ABOVE_FLOOR_DB = 10.0
_BELOW_PEAK_DB = 35.0
_PAD_SECONDS = 0.15


def frame_energy_db(audio: Samples, sample_rate: int) -> Samples:
    """RMS level in dB of 30 ms frames every 10 ms (mono float input).

    Examples
    --------
    >>> tone = 0.5 * np.sin(np.arange(16000) / 16000 * 2 * np.pi * 220).astype(np.float32)
    >>> db = frame_energy_db(tone, 16000)
    >>> len(db), round(float(db[50]), 1)
    (100, -9.0)
    """
    hop = round(_HOP_SECONDS * sample_rate)
    window = round(_WINDOW_SECONDS * sample_rate)
    frames = max(1, -(-len(audio) // hop))
    # Frame i is centred on sample i * hop.
    half = np.zeros(window // 2, dtype=np.float64)
    tail = np.zeros(frames * hop + window, dtype=np.float64)
    padded = np.concatenate([half, audio.astype(np.float64), tail])
    squares = np.concatenate([[0.0], np.cumsum(padded**2)])
    starts = np.arange(frames) * hop
    power = (squares[starts + window] - squares[starts]) / window
    levels: Samples = np.maximum(10 * np.log10(np.maximum(power, 1e-20)), _FLOOR_DB)
    return levels


def speech_threshold(db: Samples) -> float:
    """The level (dB) above which a frame of :func:`frame_energy_db` counts as speech."""
    floor, peak = np.percentile(db, [10, 95])
    return float(max(floor + _ABOVE_FLOOR_DB, peak - _BELOW_PEAK_DB))


def sounding_span(db: Samples, threshold: float, start: int, stop: int) -> tuple[int, int] | None:
    """The first and one past the last frame in ``[start, stop)`` louder than ``threshold``."""
    loud = np.flatnonzero(db[start:stop] > threshold)
    if loud.size == 0:
        return None
    return start + int(loud[0]), start + int(loud[-1]) + 1


def speech_mask(db: Samples, *, min_pause_frames: int) -> Samples:
    """Frames that belong to speech; pauses shorter than ``min_pause_frames`` are bridged."""
    mask: Samples = db > speech_threshold(db)
    for start, stop in _runs(~mask):
        if start > 0 and stop < len(mask) and stop - start < min_pause_frames:
            mask[start:stop] = True
    return mask


def _runs(mask: Samples) -> list[tuple[int, int]]:
    """``(start, stop)`` of each run of True in a boolean array."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _split_long(start: int, stop: int, db: Samples, max_frames: int) -> list[tuple[int, int]]:
    """``[start, stop)`` cut at its quietest frames until no piece is longer than ``max_frames``."""
    if stop - start <= max_frames:
        return [(start, stop)]
    low = start + max_frames // 2
    cut = low + int(np.argmin(db[low : start + max_frames]))
    return [(start, cut), *_split_long(cut, stop, db, max_frames)]


def speech_segments(
    audio: Samples, sample_rate: int, *, max_seconds: float = 12.0, min_pause: float = 0.25
) -> list[tuple[int, int]]:
    """Sample ranges ``(start, stop)`` of the speech in ``audio``, cut at pauses.

    Parameters
    ----------
    audio : numpy.ndarray
        Mono float samples.
    sample_rate : int
        Their rate in Hz.
    max_seconds : float
        Longest piece; longer stretches of speech are cut at their quietest 10 ms frame.
    min_pause : float
        Shorter silences are bridged (gaps between words are not pauses).

    Returns
    -------
    list of tuple of int
        Ordered, non-overlapping ranges, each padded by 150 ms of context where there is room.

    Examples
    --------
    >>> sr = 16000
    >>> t = np.arange(sr) / sr
    >>> burst = (0.3 * np.sin(2 * np.pi * 200 * t)).astype(np.float32)
    >>> gap = np.zeros(sr, dtype=np.float32)
    >>> [(a / sr, b / sr) for a, b in speech_segments(np.concatenate([burst, gap, burst]), sr)]
    [(0.0, 1.17), (1.84, 3.0)]
    """
    if len(audio) == 0:
        return []
    db = frame_energy_db(audio, sample_rate)
    hop = round(_HOP_SECONDS * sample_rate)
    mask = speech_mask(db, min_pause_frames=round(min_pause / _HOP_SECONDS))
    pieces = [p for run in _runs(mask) for p in _split_long(*run, db, round(max_seconds / _HOP_SECONDS))]
    ranges = [(a * hop, min(b * hop, len(audio))) for a, b in pieces]
    return _padded(ranges, round(_PAD_SECONDS * sample_rate), len(audio))


def _padded(ranges: list[tuple[int, int]], pad: int, length: int) -> list[tuple[int, int]]:
    """Each range widened by ``pad`` samples, without crossing into its neighbours."""
    out: list[tuple[int, int]] = []
    for index, (start, stop) in enumerate(ranges):
        before = out[-1][1] if out else 0
        after = ranges[index + 1][0] if index + 1 < len(ranges) else length
        out.append((max(before, start - pad), min(after, stop + pad)))
    return out
