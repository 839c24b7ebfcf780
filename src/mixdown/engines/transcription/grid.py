"""The beat grid of a recording (tempo, beat phase, bar lines) and snapping notes onto it.

Tempo and beat phase come from the audio, with the same plain-numpy method as the music analysis
(:mod:`mixdown.engines.music.analysis`): a spectral-flux onset envelope, its autocorrelation for
the tempo, a constant-tempo comb fitted to it for the exact period and phase, and a check for a
reading at twice or half the beat rate; then the nearest whole bpm when it fits nearly as well, and
twice the tempo when the transcribed notes move in what would be 1/32 notes (a beat read at half
its rate). Bar lines come from the transcribed notes: a downbeat is
where the harmony changes (pitch classes sounding in the two beats before against the two after)
and where bass notes and long notes start, scored for bars of three and four beats with
:func:`~mixdown.engines.music.analysis.downbeat_phase`.

The grid is constant-tempo: music that speeds up or slows down (rubato, a live band without a
click) drifts off it, and quantizing such material moves notes to wrong beats.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from mixdown.engines.music.analysis import (
    ENVELOPE_DELAY,
    FRAME_RATE,
    downbeat_phase,
    fit_grid,
    metrical_level,
    to_analysis_rate,
)
from mixdown.engines.music.quality import estimate_tempo, onset_envelope
from mixdown.engines.transcription.notes import Note, tidy

DEFAULT_BPM = 120.0
# Shorter audio, or fewer distinct onsets, carry no tempo worth reporting: the grid is 120 bpm 4/4.
MIN_TEMPO_SECONDS = 2.0
MIN_TEMPO_ONSETS = 4
BASS_PITCH = 55  # notes below G3 count as bass when looking for bar lines
MIN_BARS_FOR_METER = 2  # fewer bars than this: 4/4, and the bar starts on the beat of the first note
# Steps per beat of each quantize grid.
SUBDIVISIONS = {"1/4": 1, "1/8": 2, "1/8t": 3, "1/16": 4, "1/16t": 6, "1/32": 8}
MAX_BPM = 200.0
_WHOLE_BPM_REACH = 0.005
_WHOLE_BPM_FIT = 0.97
# Onsets closer than this are one event (a rolled chord, a note heard twice).
_SAME_ONSET = 0.05
# When more than this share of the gaps between onsets are under 3/4 of a 1/16 step, the tempo is
# doubled: music moving in 1/32 notes is more likely a beat read at half its rate.
_SHORT_GAPS = 0.15
# A first downbeat up to this share of a bar after 0 s still counts as "bar 1 starts at 0".
_LATE_START = 0.05


@dataclass(frozen=True)
class Grid:
    """A constant-tempo grid: ``bpm``, where bar 1 starts (``origin``, s) and the meter."""

    bpm: float
    origin: float
    beats_per_bar: int = 4

    @property
    def period(self) -> float:
        """Seconds per beat."""
        return 60.0 / self.bpm

    def beat_at(self, seconds: float) -> float:
        """Beats from the start of bar 1 to ``seconds``."""
        return (seconds - self.origin) / self.period

    def time_of(self, beat: float) -> float:
        """Seconds at ``beat`` beats from the start of bar 1."""
        return self.origin + beat * self.period


def beat_track(samples: np.ndarray, sample_rate: int) -> tuple[float, float]:
    """``(bpm, first beat in seconds)`` of a constant-tempo grid fitted to the audio's onsets.

    Parameters
    ----------
    samples
        ``(frames,)`` or ``(frames, channels)`` float audio.
    sample_rate
        Its rate.

    Examples
    --------
    >>> sr = 11025
    >>> clicks = np.zeros(sr * 8, dtype=np.float32)
    >>> for beat in np.arange(0.25, 8.0, 0.5):
    ...     clicks[int(beat * sr) : int(beat * sr) + 200] = 0.5
    >>> bpm, first = beat_track(clicks, sr)
    >>> round(bpm), abs(first - 0.25) < 0.02
    (120, True)
    """
    envelope = onset_envelope(to_analysis_rate(samples, sample_rate))
    rough = estimate_tempo(envelope, FRAME_RATE) or DEFAULT_BPM
    period, phase = whole_bpm(envelope, *metrical_level(envelope, *fit_grid(envelope, FRAME_RATE, rough)))
    return 60.0 / period, (phase + ENVELOPE_DELAY) % period


def comb_strength(envelope: np.ndarray, period: float, phase: float) -> float:
    """Mean (lightly smoothed) onset strength under the beats of a grid."""
    kernel = np.exp(-0.5 * np.arange(-3, 4) ** 2)
    smooth = np.convolve(envelope, kernel / kernel.sum(), mode="same")
    times = np.arange(phase, smooth.size / FRAME_RATE, period) * FRAME_RATE
    if times.size == 0:
        return 0.0
    return float(np.interp(times, np.arange(smooth.size, dtype=np.float64), smooth).mean())


def whole_bpm(envelope: np.ndarray, period: float, phase: float) -> tuple[float, float]:
    """The grid at the nearest whole bpm when it is within 0.5 % and fits the onsets nearly as well.

    Music made in a DAW or to a click runs at a whole bpm; reading 120.2 from a short clip is the
    fit's imprecision, and 120 is what the MIDI file should say.
    """
    bpm = 60.0 / period
    whole = float(round(bpm))
    if whole == bpm or abs(whole / bpm - 1.0) > _WHOLE_BPM_REACH:
        return period, phase
    whole_period, whole_phase = fit_grid(envelope, FRAME_RATE, whole, spread=0.0)
    found = comb_strength(envelope, period, phase)
    if comb_strength(envelope, whole_period, whole_phase) >= _WHOLE_BPM_FIT * found:
        return whole_period, whole_phase
    return period, phase


def onset_times(notes: Sequence[Note]) -> np.ndarray:
    """Distinct onset times: starts closer than 50 ms to the previous one are merged."""
    starts = np.sort(np.array([n.start for n in notes]))
    if starts.size == 0:
        return starts
    keep = np.concatenate([[True], np.diff(starts) >= _SAME_ONSET])
    distinct: np.ndarray = starts[keep]
    return distinct


def settle_octave(notes: Sequence[Note], bpm: float) -> float:
    """``bpm``, or twice it when many notes move faster than 1/16 notes would at ``bpm``.

    Examples
    --------
    >>> run = [Note(0.1 * i, 0.1 * i + 0.09, 60 + i % 5, 0.5) for i in range(64)]  # 16ths at 150
    >>> settle_octave(run, 75.0)
    150.0
    """
    gaps = np.diff(onset_times(notes))
    if gaps.size < 8 or 2 * bpm > MAX_BPM:
        return bpm
    step = 60.0 / bpm / 4
    return 2 * bpm if float(np.mean(gaps < 0.75 * step)) > _SHORT_GAPS else bpm


def _weights(notes: Sequence[Note], beats: np.ndarray, period: float) -> tuple[np.ndarray, np.ndarray]:
    """Per beat: pitch-class weight sounding from it to the next beat, and accent starting on it."""
    classes = np.zeros((beats.size, 12))
    accent = np.zeros(beats.size)
    for note in notes:
        first = max(0, math.floor((note.start - beats[0]) / period))
        last = min(beats.size - 1, math.floor((note.end - beats[0]) / period))
        for i in range(first, last + 1):
            overlap = min(note.end, beats[i] + period) - max(note.start, beats[i])
            classes[i, note.pitch % 12] += max(0.0, overlap) * note.amplitude
        nearest = round((note.start - beats[0]) / period)
        if 0 <= nearest < beats.size and abs(note.start - beats[nearest]) < period / 8:
            bass = 2.0 if note.pitch < BASS_PITCH else 1.0
            accent[nearest] += bass * note.amplitude * min(note.duration, 2 * period)
    return classes, accent


def _unit_mean(values: np.ndarray) -> np.ndarray:
    mean = float(values.mean()) if values.size else 0.0
    return values / mean if mean > 0 else values


def _shares(rows: np.ndarray) -> np.ndarray:
    """Each row divided by its sum (rows of zeros stay zeros)."""
    out: np.ndarray = rows / np.maximum(1e-9, rows.sum(axis=1, keepdims=True))
    return out


def _beat_features(classes: np.ndarray) -> np.ndarray:
    """Harmonic change at each beat: the two beats from it against the two before it."""
    padded = np.vstack([np.zeros((2, 12)), classes, np.zeros((2, 12))])
    before = padded[:-4] + padded[1:-3]
    after = padded[2:-2] + padded[3:-1]
    change: np.ndarray = np.abs(_shares(after) - _shares(before)).sum(axis=1)
    return change


def bar_lines(notes: Sequence[Note], bpm: float, first_beat: float, duration: float) -> Grid:
    """The grid with its meter and bar 1 placed from where the notes' harmony changes and accents fall."""
    period = 60.0 / bpm
    beats = np.arange(first_beat, max(duration, first_beat + period), period)
    per_bar, phase = 4, 0
    if notes and beats.size >= MIN_BARS_FOR_METER * 4:
        classes, accent = _weights(notes, beats, period)
        features = _unit_mean(_beat_features(classes)) + _unit_mean(accent)
        per_bar, phase = downbeat_phase(features, _shares(classes))
    elif notes:
        phase = max(0, round((min(n.start for n in notes) - first_beat) / period))
    downbeat = float(beats[min(phase, beats.size - 1)])
    bar = per_bar * period
    origin = downbeat - bar * math.ceil(downbeat / bar - _LATE_START)
    return Grid(bpm=bpm, origin=origin, beats_per_bar=per_bar)


def detect_grid(samples: np.ndarray, sample_rate: int, notes: Sequence[Note]) -> Grid | None:
    """Tempo and phase from the audio, tempo octave and bar lines from its notes; ``None`` when the
    audio is under 2 s or holds fewer than 4 distinct onsets.

    Examples
    --------
    >>> detect_grid(np.zeros(22050, dtype=np.float32), 22050, []) is None
    True
    """
    duration = samples.shape[0] / sample_rate
    if duration < MIN_TEMPO_SECONDS or onset_times(notes).size < MIN_TEMPO_ONSETS:
        return None
    heard, first_beat = beat_track(samples, sample_rate)
    bpm = settle_octave(notes, heard)
    return bar_lines(notes, bpm, first_beat % (60.0 / bpm), duration)


def quantize(notes: Sequence[Note], grid: Grid, *, steps_per_beat: int = 4) -> list[Note]:
    """Notes with start and end snapped to the nearest grid step; every note lasts at least one step.

    Notes before bar 1 move to its start; notes of one pitch that end up overlapping are cut (see
    :func:`~mixdown.engines.transcription.notes.tidy`). Pitch bends keep their count, spread over
    the new length.

    Examples
    --------
    >>> grid = Grid(bpm=120.0, origin=0.0)
    >>> [(n.start, n.end) for n in quantize([Note(0.51, 0.53, 60, 0.5)], grid)]
    [(0.5, 0.625)]
    """
    step = grid.period / steps_per_beat
    snapped = []
    for note in notes:
        first = max(0, round(grid.beat_at(note.start) * steps_per_beat))
        last = max(first + 1, round(grid.beat_at(note.end) * steps_per_beat))
        snapped.append(replace(note, start=grid.origin + first * step, end=grid.origin + last * step))
    return tidy(snapped, min_seconds=step / 2)
