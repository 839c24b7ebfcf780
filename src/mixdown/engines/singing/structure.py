"""Sections of an instrumental: bars grouped where harmony or loudness changes, on a 4-bar grid.

Every bar gets its mean chroma and its loudness (RMS, dB). A boundary can fall every four bars
(phrases of pop, rock and dance music come in fours); its novelty is the L1 distance between the
mean chroma of the four bars before and after it plus the loudness step in 6 dB units (a
checkerboard kernel of width 4 on the bar self-similarity, in effect). Boundaries are the
candidates whose novelty reaches 0.6 of the candidates' mean (measured on composed pieces whose
form is known: verse/chorus steps score ~0.4, bars inside a section ~0.05, intro and outro
steps ~1), and no section runs past 16 bars.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mixdown.engines.keybpm.chords import span_chroma

PHRASE_BARS = 4
MAX_SECTION_BARS = 16
MIN_NOVELTY = 0.2
RELATIVE_NOVELTY = 0.6
_LOUDNESS_UNIT_DB = 6.0
_SILENT_DB = -100.0


@dataclass(frozen=True)
class AudioSection:
    """A run of bars heard as one section, with its mean loudness (dB RMS)."""

    start_bar: int
    bar_count: int
    loudness_db: float

    @property
    def end_bar(self) -> int:
        """One past its last bar."""
        return self.start_bar + self.bar_count


@dataclass(frozen=True)
class BarFeatures:
    """Per bar: mean sum-normalised chroma ``(bars, 12)`` and loudness in dB ``(bars,)``."""

    chroma: np.ndarray
    loudness_db: np.ndarray


def bar_features(
    chroma: np.ndarray,
    frame_rate: float,
    mono: np.ndarray,
    sample_rate: int,
    spans: Sequence[tuple[float, float]],
) -> BarFeatures:
    """Chroma and loudness of each ``(start, end)`` bar span."""
    if not spans:
        return BarFeatures(np.zeros((0, 12)), np.zeros(0))
    starts, ends = (np.array(v, dtype=float) for v in zip(*spans, strict=True))
    loudness = []
    for start, end in spans:
        piece = mono[int(start * sample_rate) : max(int(end * sample_rate), int(start * sample_rate) + 1)]
        rms = float(np.sqrt(np.mean(np.square(piece, dtype=np.float64)))) if piece.size else 0.0
        loudness.append(20 * np.log10(rms) if rms > 0 else _SILENT_DB)
    return BarFeatures(span_chroma(chroma, frame_rate, starts, ends), np.array(loudness))


def novelty(features: BarFeatures, boundary: int, width: int = PHRASE_BARS) -> float:
    """How much the music changes at bar ``boundary``: chroma L1 distance + loudness step / 6 dB.

    Examples
    --------
    >>> chroma = np.repeat(np.eye(12)[[0, 7]], 4, axis=0)  # four bars of C, four of G
    >>> round(novelty(BarFeatures(chroma, np.zeros(8)), 4), 3)
    2.0
    """
    before = slice(max(0, boundary - width), boundary)
    after = slice(boundary, min(len(features.loudness_db), boundary + width))
    change = float(np.abs(features.chroma[before].mean(axis=0) - features.chroma[after].mean(axis=0)).sum())
    step = abs(float(features.loudness_db[before].mean() - features.loudness_db[after].mean()))
    return change + step / _LOUDNESS_UNIT_DB


def boundaries(features: BarFeatures) -> list[int]:
    """Bars where a new section starts (0 always)."""
    count = len(features.loudness_db)
    candidates = list(range(PHRASE_BARS, count - 1, PHRASE_BARS))
    if not candidates:
        return [0]
    scores = {b: novelty(features, b) for b in candidates}
    floor = max(MIN_NOVELTY, RELATIVE_NOVELTY * float(np.mean(list(scores.values()))))
    chosen = [0]
    for bar in candidates:
        if scores[bar] >= floor or bar - chosen[-1] >= MAX_SECTION_BARS:
            chosen.append(bar)
    return chosen


def find_sections(features: BarFeatures) -> list[AudioSection]:
    """The sections of a piece from its bar features.

    Examples
    --------
    >>> quiet, loud = np.full(8, -30.0), np.full(8, -12.0)
    >>> features = BarFeatures(np.full((16, 12), 1 / 12), np.concatenate([quiet, loud]))
    >>> [(s.start_bar, s.bar_count, s.loudness_db) for s in find_sections(features)]
    [(0, 8, -30.0), (8, 8, -12.0)]
    """
    count = len(features.loudness_db)
    if count == 0:
        return []
    starts = boundaries(features)
    ends = [*starts[1:], count]
    return [
        AudioSection(a, b - a, round(float(features.loudness_db[a:b].mean()), 2))
        for a, b in zip(starts, ends, strict=True)
    ]
