"""Chords from audio: beat-synchronous chroma, triad templates, a key prior and Viterbi smoothing.

Each span between two beats gets the mean of its sum-normalised HPCP frames (the key's frames,
see :mod:`.tonality`); that chroma is scored against 24 triad templates (major and minor on
every root, each note with its first harmonics, as a chroma hears a chord) and a flat no-chord
template by cosine similarity. Triads of the key get a small bonus, and a Viterbi pass over the
beats charges every chord change, so a passing note or a drum fill does not flip the chord for
one beat. Consecutive beats with the same chord are merged into :class:`ChordSpan`.

The engine is shared: ``recognise_chords`` works on any chroma frames with a frame rate, and
``chords_from_audio`` computes essentia's HPCP first. Accuracy on rendered pieces whose chords
are known: docs/sing.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import soxr

from mixdown.engines.keybpm.backend import CHROMA_HOP, ESSENTIA_RATE, borrowed
from mixdown.engines.keybpm.tonality import MAJOR_NAMES, KeyEstimate, hpcp_frames

CHROMA_RATE = ESSENTIA_RATE / CHROMA_HOP  # HPCP frames per second; frame i is centred on i / rate
QUALITIES = ("major", "minor")
NO_CHORD = "none"
_INTERVALS = {"major": (0, 4, 7), "minor": (0, 3, 7)}
_NOTE_WEIGHTS = (1.0, 0.85, 0.9)  # root, third, fifth
# Tuned on rendered grooves and composed pieces (docs/sing.md): a change must beat staying by this
# much summed cosine, the key's triads get this bonus, and chroma flatter than the no-chord
# score reads as no chord.
CHANGE_PENALTY = 0.12
KEY_BONUS = 0.04
NO_CHORD_SCORE = 0.55
_SILENT = 1e-6
_HPCP_C_BIN = 3


@dataclass(frozen=True)
class ChordSpan:
    """A chord from ``start`` to ``end`` (seconds); ``quality`` is major, minor or none."""

    start: float
    end: float
    root: int
    quality: str

    @property
    def symbol(self) -> str:
        """E.g. ``"Am"``, ``"F#"``; ``"N"`` for no chord."""
        if self.quality == NO_CHORD:
            return "N"
        return MAJOR_NAMES[self.root] + ("m" if self.quality == "minor" else "")

    @property
    def pitch_classes(self) -> tuple[int, ...]:
        """The triad's pitch classes, root first (empty for no chord)."""
        if self.quality == NO_CHORD:
            return ()
        return tuple((self.root + step) % 12 for step in _INTERVALS[self.quality])

    def to_dict(self) -> dict[str, Any]:
        """JSON form, times to the millisecond."""
        return {
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "chord": self.symbol,
            "root": self.root,
            "quality": self.quality,
        }


def _heard(pitch_classes: tuple[int, ...], weights: tuple[float, ...]) -> np.ndarray:
    """A chord as a chroma hears it: each note plus its harmonics 2-4 (octaves fold away)."""
    out = np.zeros(12)
    for pitch_class, weight in zip(pitch_classes, weights, strict=True):
        for harmonic in range(1, 5):
            out[(pitch_class + round(12 * math.log2(harmonic))) % 12] += weight * harmonic**-1.0
    return out / np.linalg.norm(out)


@lru_cache(maxsize=1)
def templates() -> tuple[np.ndarray, tuple[tuple[int, str], ...]]:
    """``(24, 12)`` unit triad templates and their ``(root, quality)`` labels, majors first."""
    rows, labels = [], []
    for quality in QUALITIES:
        for root in range(12):
            notes = tuple((root + step) % 12 for step in _INTERVALS[quality])
            rows.append(_heard(notes, _NOTE_WEIGHTS))
            labels.append((root, quality))
    return np.array(rows), tuple(labels)


def key_triads(tonic: int, scale: str) -> frozenset[tuple[int, str]]:
    """The diatonic major and minor triads of a key (minor keys also get the major V).

    Examples
    --------
    >>> sorted(key_triads(0, "major"))
    [(0, 'major'), (2, 'minor'), (4, 'minor'), (5, 'major'), (7, 'major'), (9, 'minor')]
    """
    major = ((0, "major"), (2, "minor"), (4, "minor"), (5, "major"), (7, "major"), (9, "minor"))
    minor = (
        (0, "minor"),
        (3, "major"),
        (5, "minor"),
        (7, "minor"),
        (7, "major"),
        (8, "major"),
        (10, "major"),
    )
    return frozenset(
        ((tonic + step) % 12, quality) for step, quality in (major if scale == "major" else minor)
    )


def span_chroma(chroma: np.ndarray, frame_rate: float, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """``(len(starts), 12)``: mean sum-normalised chroma of the frames centred in each span."""
    if chroma.shape[0] == 0:
        return np.zeros((starts.size, 12))
    unit = chroma / np.maximum(_SILENT, chroma.sum(axis=1, keepdims=True))
    sums = np.vstack([np.zeros((1, 12)), np.cumsum(unit, axis=0)])
    first = np.clip(np.ceil(starts * frame_rate).astype(int), 0, chroma.shape[0] - 1)
    last = np.clip(np.ceil(ends * frame_rate).astype(int), first + 1, chroma.shape[0])
    return np.asarray((sums[last] - sums[first]) / (last - first)[:, None])


def emission_scores(beat_chroma: np.ndarray, key: KeyEstimate | None = None) -> np.ndarray:
    """``(beats, 25)`` scores: cosine with each triad (+ key bonus), then the no-chord score."""
    table, labels = templates()
    norms = np.linalg.norm(beat_chroma, axis=1, keepdims=True)
    unit = beat_chroma / np.maximum(norms, _SILENT)
    scores = unit @ table.T
    if key is not None:
        diatonic = key_triads(key.tonic, key.scale)
        scores += KEY_BONUS * np.array([label in diatonic for label in labels])
    none = np.where(norms[:, 0] > _SILENT, NO_CHORD_SCORE, 1.0)
    return np.hstack([scores, none[:, None]])


def viterbi(scores: np.ndarray, change_penalty: float = CHANGE_PENALTY) -> np.ndarray:
    """The state path maximising summed scores minus ``change_penalty`` per change.

    Examples
    --------
    >>> viterbi(np.array([[1.0, 0.0], [0.45, 0.55], [1.0, 0.0]]), 0.2).tolist()
    [0, 0, 0]
    """
    steps, states = scores.shape
    total = scores[0].copy()
    back = np.zeros((steps, states), dtype=int)
    for step in range(1, steps):
        best = int(np.argmax(total))
        stay_wins = total >= total[best] - change_penalty
        back[step] = np.where(stay_wins, np.arange(states), best)
        total = np.where(stay_wins, total, total[best] - change_penalty) + scores[step]
    path = np.zeros(steps, dtype=int)
    path[-1] = int(np.argmax(total))
    for step in range(steps - 1, 0, -1):
        path[step - 1] = back[step, path[step]]
    return path


def beat_spans(beats: np.ndarray, duration: float) -> tuple[np.ndarray, np.ndarray]:
    """Start and end of every span between beats; a lead-in before the first beat and the last
    beat's own span (one median period, cut at ``duration``) included."""
    if beats.size == 0:
        return np.array([0.0]), np.array([duration])
    period = float(np.median(np.diff(beats))) if beats.size > 1 else duration - float(beats[0])
    edges = [float(b) for b in beats if 0.0 <= b < duration]
    if not edges or edges[0] > 0.25 * period:
        edges.insert(0, 0.0)
    edges.append(min(duration, edges[-1] + period) if edges[-1] + 1e-3 < duration else duration)
    starts, ends = np.array(edges[:-1]), np.array(edges[1:])
    keep = ends > starts + 1e-3
    return starts[keep], ends[keep]


def recognise_chords(
    chroma: np.ndarray,
    frame_rate: float,
    beats: np.ndarray,
    duration: float,
    *,
    key: KeyEstimate | None = None,
) -> list[ChordSpan]:
    """Chords of a piece from its chroma frames and beat times, merged into spans.

    Parameters
    ----------
    chroma
        ``(frames, 12)`` chroma (C first), frame ``i`` centred on ``i / frame_rate`` seconds.
    frame_rate
        Frames per second.
    beats
        Beat times in seconds; chords change on beats only.
    duration
        Length of the piece; the spans cover ``[0, duration]``.
    key
        The piece's key, if known: its triads are preferred a little.

    Returns
    -------
    list[ChordSpan]

    Examples
    --------
    >>> rate, beats = 10.0, np.arange(0.0, 4.0, 0.5)
    >>> chroma = np.zeros((40, 12))
    >>> chroma[:20, [0, 4, 7]] = 1.0  # C major for two seconds
    >>> chroma[20:, [9, 0, 4]] = 1.0  # then A minor
    >>> [(c.symbol, c.start, c.end) for c in recognise_chords(chroma, rate, beats, 4.0)]
    [('C', 0.0, 2.0), ('Am', 2.0, 4.0)]
    """
    starts, ends = beat_spans(np.asarray(beats, dtype=float), duration)
    path = viterbi(emission_scores(span_chroma(chroma, frame_rate, starts, ends), key))
    _, labels = templates()
    spans: list[ChordSpan] = []
    for start, end, state in zip(starts.tolist(), ends.tolist(), path.tolist(), strict=True):
        root, quality = labels[state] if state < len(labels) else (0, NO_CHORD)
        if spans and (spans[-1].root, spans[-1].quality) == (root, quality):
            spans[-1] = ChordSpan(spans[-1].start, end, root, quality)
        else:
            spans.append(ChordSpan(start, end, root, quality))
    return spans


def hpcp_of(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """``(frames, 12)`` essentia HPCP of mono float audio, C first, ``CHROMA_RATE`` frames per second."""
    mono = np.asarray(samples, dtype=np.float32)
    if sample_rate != ESSENTIA_RATE:
        mono = soxr.resample(mono, sample_rate, ESSENTIA_RATE, quality="HQ")
    with borrowed() as algorithms:
        frames = hpcp_frames(algorithms, np.ascontiguousarray(mono, dtype=np.float32))
    return np.roll(frames, -_HPCP_C_BIN, axis=1)  # essentia's bin 0 is A (its reference, 440 Hz)


def chords_from_audio(
    samples: np.ndarray, sample_rate: int, beats: np.ndarray, *, key: KeyEstimate | None = None
) -> list[ChordSpan]:
    """Chords of mono float audio on its beat grid (see :func:`recognise_chords`).

    Examples
    --------
    >>> sr = 22050
    >>> t = np.arange(sr * 4) / sr
    >>> c_major = sum(np.sin(2 * np.pi * f * t) for f in (261.63, 329.63, 392.0))
    >>> g_major = sum(np.sin(2 * np.pi * f * t) for f in (196.0, 246.94, 293.66))
    >>> audio = (np.where(t < 2.0, c_major, g_major) / 6).astype(np.float32)
    >>> [c.symbol for c in chords_from_audio(audio, sr, np.arange(0.0, 4.0, 0.5))]
    ['C', 'G']
    """
    duration = samples.shape[0] / sample_rate
    return recognise_chords(hpcp_of(samples, sample_rate), CHROMA_RATE, beats, duration, key=key)
