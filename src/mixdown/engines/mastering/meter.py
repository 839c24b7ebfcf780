"""What mastering reports: integrated loudness, true peak and loudness range of a signal.

Integrated loudness and true peak are the music engine's BS.1770-4 meters
(:mod:`mixdown.engines.music.produce.loudness`). The loudness range follows EBU Tech 3342: short-term
loudness (3 s windows, here every 100 ms from the same K-weighted 100 ms sub-blocks the integrated
meter sums), an absolute gate at -70 LUFS, a relative gate 20 LU under the energy mean of what
passed, then the spread between the 10th and the 95th percentile.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mixdown.engines.music.produce.loudness import ABSOLUTE_GATE, LoudnessMeter, true_peak_db
from mixdown.engines.music.produce.master import blocks_of

SHORT_TERM_SUB_BLOCKS = 30  # 3 s of 100 ms sub-blocks
LRA_RELATIVE_GATE = -20.0
LRA_PERCENTILES = (10.0, 95.0)


@dataclass(frozen=True)
class LoudnessReport:
    """Loudness figures of one signal; ``None`` where silence leaves nothing to measure."""

    integrated_lufs: float | None
    true_peak_db: float | None
    loudness_range_lu: float
    sample_peak_db: float | None

    def as_dict(self) -> dict[str, float | None]:
        """Rounded, JSON-ready figures."""
        return {
            "integrated_lufs": _rounded(self.integrated_lufs),
            "true_peak_db": _rounded(self.true_peak_db),
            "loudness_range_lu": _rounded(self.loudness_range_lu),
            "sample_peak_db": _rounded(self.sample_peak_db),
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def metered(audio: np.ndarray, sample_rate: int) -> LoudnessMeter:
    """A BS.1770 meter fed the whole ``(frames, channels)`` signal, block by block."""
    meter = LoudnessMeter(sample_rate, channels=audio.shape[1])
    for block in blocks_of(audio):
        meter.add(block)
    return meter


def short_term_loudness(meter: LoudnessMeter) -> np.ndarray:
    """Short-term loudness (3 s windows every 100 ms) in LUFS, from a fed meter."""
    energy = np.asarray(meter.sub_energy)
    if energy.size < SHORT_TERM_SUB_BLOCKS:
        return np.array([])
    sums = np.concatenate([[0.0], np.cumsum(energy)])
    windows = sums[SHORT_TERM_SUB_BLOCKS:] - sums[:-SHORT_TERM_SUB_BLOCKS]
    mean_square = windows / (SHORT_TERM_SUB_BLOCKS / 10.0 * meter.sample_rate)
    with np.errstate(divide="ignore"):
        loudness: np.ndarray = -0.691 + 10.0 * np.log10(mean_square)
    return loudness


def loudness_range(short_term: np.ndarray) -> float:
    """EBU Tech 3342 loudness range (LU) from short-term loudness values; 0 when none pass the gates.

    Examples
    --------
    >>> # 30 s at -30 LUFS then 30 s at -20 LUFS, one value per 100 ms.
    >>> values = np.concatenate([np.full(300, -30.0), np.full(300, -20.0)])
    >>> round(loudness_range(values), 1)
    10.0
    """
    kept = short_term[short_term >= ABSOLUTE_GATE]
    if kept.size == 0:
        return 0.0
    mean = 10.0 * math.log10(float(np.mean(10.0 ** (kept / 10.0))))
    kept = kept[kept >= mean + LRA_RELATIVE_GATE]
    low, high = np.percentile(kept, LRA_PERCENTILES)
    return float(high - low)


def measure(audio: np.ndarray, sample_rate: int) -> LoudnessReport:
    """Integrated loudness, true peak, loudness range and sample peak of ``(frames, channels)`` audio.

    Examples
    --------
    >>> sr = 48000
    >>> tone = 0.1 * np.sin(2 * np.pi * 997 * np.arange(sr * 4) / sr)
    >>> report = measure(np.stack([tone, tone], axis=1), sr)
    >>> round(report.integrated_lufs, 1), round(report.true_peak_db, 1), round(report.loudness_range_lu, 1)
    (-20.0, -20.0, 0.0)
    """
    meter = metered(audio, sample_rate)
    integrated = meter.integrated()
    peak = float(np.abs(audio).max(initial=0.0))
    tp = true_peak_db(audio)
    return LoudnessReport(
        integrated_lufs=integrated if integrated >= ABSOLUTE_GATE else None,
        true_peak_db=tp if math.isfinite(tp) else None,
        loudness_range_lu=loudness_range(short_term_loudness(meter)),
        sample_peak_db=20.0 * math.log10(peak) if peak > 0 else None,
    )
