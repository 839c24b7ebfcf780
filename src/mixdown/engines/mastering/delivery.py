"""Delivery: encode a master so that the file *as decoded* is on target and under the ceiling.

Lossless formats store what the limiter made. Lossy codecs do not: they overshoot the true-peak
ceiling (typically 0.1-0.7 dB) and can move the loudness (an MP3 encoder's low-pass takes the top
octave off noisy material: up to ~0.7 LU). So a lossy file is decoded and measured, and the master
is limited again with the ceiling lowered by the overshoot and the target moved by the codec's
loudness change, up to ``ROUNDS`` times, the ceiling never more than ``MAX_DROP_DB`` lower (beyond
that it is an encoder glitch no ceiling cures, e.g. FFmpeg's AAC on brick-walled input). The best
attempt is kept and what still misses is noted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mixdown.audio.codec import decode, encode
from mixdown.audio.formats import get_format
from mixdown.audio.pcm import DecodedAudio, to_float32
from mixdown.engines.mastering.chain import Mastered, Prepared
from mixdown.engines.mastering.meter import LoudnessReport, measure

ROUNDS = 3
MAX_DROP_DB = 1.0
MAX_TARGET_MOVE_LU = 2.0
MARGIN_DB = 0.05
LOUDNESS_TOLERANCE = 0.2  # LU, as decoded; the limiter search itself lands within 0.1

Layout = Callable[[np.ndarray], DecodedAudio]  # float master -> the samples to encode


@dataclass(frozen=True)
class Attempt:
    """The limiter's ceiling and loudness target for one encoding."""

    ceiling_db: float
    target_lufs: float


@dataclass
class Delivered:
    """What was encoded, and what the decoded file measures (lossy formats only)."""

    mastered: Mastered
    audio: DecodedAudio
    decoded: LoudnessReport | None = None


def miss(report: LoudnessReport, target: float, ceiling: float) -> float:
    """How far a decoded file is off: dB over the ceiling plus LU outside the tolerance (0: fits)."""
    over = max(0.0, (report.true_peak_db or -np.inf) - ceiling)
    loudness = report.integrated_lufs if report.integrated_lufs is not None else target
    return over + max(0.0, abs(loudness - target) - LOUDNESS_TOLERANCE)


def next_attempt(attempt: Attempt, report: LoudnessReport, target: float, ceiling: float) -> Attempt | None:
    """The attempt that corrects what the codec did to ``report``; None if nothing is left to change."""
    limit = attempt.ceiling_db
    peak = report.true_peak_db
    if peak is not None and peak > ceiling:
        lower = min(limit - MARGIN_DB, ceiling - (peak - limit) - MARGIN_DB)
        limit = max(ceiling - MAX_DROP_DB, lower)
    aim = attempt.target_lufs
    if report.integrated_lufs is not None and abs(report.integrated_lufs - target) > LOUDNESS_TOLERANCE:
        aim = float(
            np.clip(
                aim + target - report.integrated_lufs,
                target - MAX_TARGET_MOVE_LU,
                target + MAX_TARGET_MOVE_LU,
            )
        )
    changed = Attempt(limit, aim)
    return None if changed == attempt else changed


def deliver(prepared: Prepared, path: Path, *, fmt: str, ceiling_db: float, layout: Layout) -> Delivered:
    """Limit, lay out and encode ``prepared`` to ``path``; for lossy formats, correct the codec's drift.

    Examples
    --------
    >>> import tempfile
    >>> from mixdown.engines.mastering.chain import MasterSettings, prepare
    >>> sr = 44100
    >>> noise = (np.random.default_rng(0).standard_normal((sr * 3, 2)) * 0.05).astype(np.float32)
    >>> ready = prepare(noise, sr, MasterSettings(target_lufs=-16.0))
    >>> out = Path(tempfile.mkdtemp()) / "m.mp3"
    >>> def layout(audio):
    ...     return DecodedAudio(samples=audio, sample_rate=sr, lossless=False)
    >>> done = deliver(ready, out, fmt="mp3", ceiling_db=-1.0, layout=layout)
    >>> abs(done.decoded.integrated_lufs + 16.0) <= 0.2, done.decoded.true_peak_db <= -1.0
    (True, True)
    """
    target, attempt = prepared.target_lufs, Attempt(ceiling_db, prepared.target_lufs)
    delivered = _encoded(prepared, path, fmt, attempt, layout)
    if delivered.decoded is None:
        return delivered
    tried = [(miss(delivered.decoded, target, ceiling_db), attempt)]
    for _ in range(ROUNDS):
        following = next_attempt(attempt, delivered.decoded, target, ceiling_db) if tried[-1][0] > 0 else None
        if following is None:
            break
        attempt = following
        delivered = _encoded(prepared, path, fmt, attempt, layout)
        assert delivered.decoded is not None
        tried.append((miss(delivered.decoded, target, ceiling_db), attempt))
    return _settled(prepared, path, fmt, layout, delivered, tried)


def _settled(
    prepared: Prepared,
    path: Path,
    fmt: str,
    layout: Layout,
    last: Delivered,
    tried: list[tuple[float, Attempt]],
) -> Delivered:
    """The best attempt (re-encoded if it was not the last one), with a note if it still misses."""
    best_miss, best = min(tried, key=lambda item: item[0])
    delivered = last if best == tried[-1][1] else _encoded(prepared, path, fmt, best, layout)
    report = delivered.decoded
    if best_miss > 0 and report is not None:
        delivered.mastered.notes.append(
            f"the {fmt} encoder moves the master off target ({report.integrated_lufs:.2f} LUFS, "
            f"{report.true_peak_db:.2f} dBTP decoded); use a lossless format or a lower true_peak_db"
        )
    return delivered


def _encoded(prepared: Prepared, path: Path, fmt: str, attempt: Attempt, layout: Layout) -> Delivered:
    """One limiting and encoding; lossy files are decoded and measured."""
    done = prepared.finish(attempt.ceiling_db, attempt.target_lufs)
    audio = layout(done.audio)
    encode(audio.samples, audio.sample_rate, path, format=fmt, bit_depth=audio.bit_depth)
    if get_format(fmt).lossless:
        return Delivered(done, audio)
    written = decode(path)
    return Delivered(done, audio, measure(to_float32(written.samples), written.sample_rate))
