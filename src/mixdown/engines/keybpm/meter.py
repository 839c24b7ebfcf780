"""Downbeats and a time-signature guess from the beat grid, the chroma frames and the bass band.

Bar lines sit where harmony changes and where kick and bass gather. Each beat gets the harmonic
change between the two beats before it and the two from it (HPCP chroma) plus half the rise of the
low band (< 150 Hz) on it; the music engine's :func:`~mixdown.engines.music.analysis.downbeat_phase`
then picks three or four beats to the bar and the phase whose beats score highest while the chroma
holds still inside the bars. Only 3/4 and 4/4 are told apart (a 6/8 piece reads as 3/4 or 4/4 at
whichever beat level the tempo was read).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mixdown.engines.keybpm.backend import CHROMA_HOP, ESSENTIA_RATE
from mixdown.engines.keybpm.onsets import strength_at
from mixdown.engines.music.analysis import downbeat_phase

_CHROMA_RATE = ESSENTIA_RATE / CHROMA_HOP  # HPCP frames per second; frame i is centred on i / rate


@dataclass(frozen=True)
class Meter:
    """Beats per bar and the downbeat times."""

    beats_per_bar: int
    downbeats: np.ndarray

    @property
    def time_signature(self) -> str:
        """E.g. ``"4/4"``."""
        return f"{self.beats_per_bar}/4"


class _Segments:
    """Mean sum-normalised chroma over time spans, from cumulative sums (O(1) per span)."""

    def __init__(self, chroma: np.ndarray) -> None:
        unit = chroma / np.maximum(1e-9, chroma.sum(axis=1, keepdims=True))
        self.sums = np.vstack([np.zeros((1, 12)), np.cumsum(unit, axis=0)])
        self.count = chroma.shape[0]

    def mean(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """``(len(start), 12)``: the mean chroma of the frames centred in each ``[start, end)``."""
        first = np.clip(np.ceil(start * _CHROMA_RATE).astype(int), 0, self.count - 1)
        last = np.clip(np.ceil(end * _CHROMA_RATE).astype(int), first + 1, self.count)
        return np.asarray((self.sums[last] - self.sums[first]) / (last - first)[:, None])


def _unit_mean(values: np.ndarray) -> np.ndarray:
    mean = float(values.mean()) if values.size else 0.0
    return values / mean if mean > 0 else values


def beat_features(
    chroma: np.ndarray, rise: np.ndarray, beats: np.ndarray, period: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per beat: the downbeat evidence (harmonic change + half the bass rise) and the beat's chroma."""
    spans = _Segments(chroma)
    novelty = np.abs(spans.mean(beats, beats + 2 * period) - spans.mean(beats - 2 * period, beats)).sum(
        axis=1
    )
    kick = strength_at(rise, beats)
    return _unit_mean(novelty) + 0.5 * _unit_mean(kick), spans.mean(beats, beats + period)


def estimate_meter(chroma: np.ndarray, rise: np.ndarray, beats: np.ndarray) -> Meter:
    """Beats per bar (3 or 4) and downbeats for a beat grid; 4/4 from its first beat when unsure.

    Examples
    --------
    >>> beats = np.arange(0.0, 12.0, 0.5)
    >>> chroma = np.zeros((int(12 * _CHROMA_RATE) + 1, 12))
    >>> for bar in range(6):  # a new chord every 4 beats, from the second beat on
    ...     first, last = int((0.5 + 2 * bar) * _CHROMA_RATE), int((2.5 + 2 * bar) * _CHROMA_RATE)
    ...     chroma[first:last, (5 * bar) % 12] = 1.0
    >>> meter = estimate_meter(chroma, np.zeros(1), beats)
    >>> meter.time_signature, meter.downbeats[:3].tolist()
    ('4/4', [0.5, 2.5, 4.5])
    """
    if beats.size < 2 or chroma.shape[0] == 0:
        return Meter(4, beats[:1])
    period = float(np.median(np.diff(beats)))
    features, per_beat = beat_features(chroma, rise, beats, period)
    per_bar, first = downbeat_phase(features, per_beat)
    return Meter(per_bar, beats[first::per_bar])
