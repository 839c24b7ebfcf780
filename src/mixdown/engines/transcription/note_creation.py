"""From the network's activations to notes: basic-pitch's own note creation, without librosa.

This follows ``basic_pitch.note_creation.model_output_to_notes`` (Apache-2.0, Spotify AB) step by
step -- onsets inferred from jumps in the frame activations, peaks of the onset activations above
``onset_threshold`` start notes that last while the frame activation stays above
``frame_threshold`` (allowing 10 frames below), then the "melodia trick" turns the strongest
remaining activations into notes, then each note gets its pitch bends from the contour output --
and gives the same notes (checked against basic-pitch's own code on rendered piano). Two things
differ in how, not what: scans along a pitch are vectorised, and the melodia trick visits cells in
descending order of activation once instead of searching the whole matrix for its maximum after
every note (the same order, since activations only ever drop to zero), which takes it from
seconds to milliseconds on a dense 3-minute piece. The upstream module cannot be imported here
(resampy 0.4.2 needs ``pkg_resources``) and would compile numba code for ~16 s if it could.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.signal

from mixdown.engines.transcription.model import (
    FFT_HOP,
    FRAMES_PER_WINDOW,
    SAMPLE_RATE,
    WINDOW_SAMPLES,
    Activations,
)
from mixdown.engines.transcription.notes import Note

MIDI_OFFSET = 21  # row 0 of the note matrix is A0
KEYS = 88
CONTOUR_BINS_PER_SEMITONE = 3
ENERGY_TOLERANCE = 11  # frames below frame_threshold that end a note
BEND_TOLERANCE_BINS = 25
_FIRST_CHUNK = 64


@dataclass(frozen=True, kw_only=True)
class DecodeOptions:
    """basic-pitch's note-creation settings (its defaults: 0.5, 0.3, 127.7 ms, no limits)."""

    onset_threshold: float = 0.5
    frame_threshold: float = 0.3
    min_note_ms: float = 127.7
    min_freq: float | None = None
    max_freq: float | None = None
    melodia_trick: bool = True

    @property
    def min_note_frames(self) -> int:
        """The minimum length in frames, rounded as basic-pitch does."""
        return int(np.round(self.min_note_ms / 1000 * (SAMPLE_RATE / FFT_HOP)))


def hz_to_key(hz: float) -> int:
    """Row of the note matrix nearest ``hz`` (may fall outside 0..87).

    Examples
    --------
    >>> hz_to_key(27.5), hz_to_key(440.0)
    (0, 48)
    """
    return int(np.round(12 * np.log2(hz / 440.0) + 69 - MIDI_OFFSET))


def frame_times(count: int) -> np.ndarray:
    """Start time (s) of each output frame, with basic-pitch's per-window drift correction."""
    index = np.arange(count)
    window_offset = (FFT_HOP / SAMPLE_RATE) * (FRAMES_PER_WINDOW - WINDOW_SAMPLES / FFT_HOP) + 0.0018
    times: np.ndarray = index * FFT_HOP / SAMPLE_RATE - window_offset * np.floor(index / FRAMES_PER_WINDOW)
    return times


def _limit_band(onsets: np.ndarray, frames: np.ndarray, options: DecodeOptions) -> None:
    """Zero both matrices outside ``min_freq``..``max_freq`` (in place)."""
    if options.max_freq is not None:
        top = max(0, hz_to_key(options.max_freq))
        onsets[:, top:] = 0
        frames[:, top:] = 0
    if options.min_freq is not None:
        bottom = max(0, hz_to_key(options.min_freq))
        onsets[:, :bottom] = 0
        frames[:, :bottom] = 0


def inferred_onsets(onsets: np.ndarray, frames: np.ndarray, n_diff: int = 2) -> np.ndarray:
    """The onset activations, raised where the frame activations jump (basic-pitch's ``infer_onsets``)."""
    diffs = []
    for n in range(1, n_diff + 1):
        shifted = np.concatenate([np.zeros((n, frames.shape[1]), dtype=frames.dtype), frames])
        diffs.append(shifted[n:, :] - shifted[:-n, :])
    jump = np.maximum(np.min(diffs, axis=0), 0.0)
    jump[:n_diff, :] = 0
    if not np.any(jump):  # basic-pitch divides by this maximum (NaN on silence)
        return onsets
    jump = np.max(onsets) * jump / np.max(jump)
    out: np.ndarray = np.maximum(onsets, jump)
    return out


def _scan(column: np.ndarray, threshold: float) -> tuple[int, int]:
    """``(cells walked, trailing cells below threshold)`` of a basic-pitch scan along one pitch.

    The scan stops after ``ENERGY_TOLERANCE`` consecutive cells below ``threshold`` or at the end.
    """
    size = _FIRST_CHUNK
    while True:
        below = column[:size] < threshold
        if below.size >= ENERGY_TOLERANCE:
            runs = np.convolve(below, np.ones(ENERGY_TOLERANCE, dtype=np.int32), mode="valid")
            hits = np.flatnonzero(runs == ENERGY_TOLERANCE)
            if hits.size:
                return int(hits[0]) + ENERGY_TOLERANCE, ENERGY_TOLERANCE
        if size >= column.size:
            above = np.flatnonzero(~below)
            return below.size, below.size - (int(above[-1]) + 1 if above.size else 0)
        size *= 4


def _clear(remaining: np.ndarray, rows: slice, key: int) -> None:
    """Zero a pitch and its two neighbours over ``rows``: one note claims all three."""
    remaining[rows, max(0, key - 1) : min(KEYS, key + 2)] = 0


def _onset_notes(
    onsets: np.ndarray, frames: np.ndarray, remaining: np.ndarray, options: DecodeOptions
) -> list[tuple[int, int, int, float]]:
    """Notes started by onset peaks, latest first, as ``(start frame, end frame, key, amplitude)``."""
    count = frames.shape[0]
    peaks = np.zeros(onsets.shape)
    where = scipy.signal.argrelmax(onsets, axis=0)
    peaks[where] = onsets[where]
    times, keys = np.where(peaks >= options.onset_threshold)
    notes = []
    for start, key in zip(times[::-1].tolist(), keys[::-1].tolist(), strict=True):
        if start >= count - 1:
            continue
        walked, below = _scan(remaining[start + 1 : count - 1, key], options.frame_threshold)
        end = start + 1 + walked - below
        if end - start <= options.min_note_frames:
            continue
        _clear(remaining, slice(start, end), key)
        notes.append((start, end, key, float(np.mean(frames[start:end, key]))))
    return notes


def _melodia_notes(
    frames: np.ndarray, remaining: np.ndarray, options: DecodeOptions
) -> list[tuple[int, int, int, float]]:
    """Notes grown both ways from the strongest activations no onset note claimed."""
    count = frames.shape[0]
    flat = remaining.reshape(-1)
    candidates = np.flatnonzero(flat > options.frame_threshold)
    notes = []
    for cell in candidates[np.argsort(-flat[candidates], kind="stable")].tolist():
        if flat[cell] <= options.frame_threshold:
            continue  # claimed by an earlier note
        middle, key = divmod(cell, KEYS)
        remaining[middle, key] = 0
        walked, below = _scan(remaining[middle + 1 : count - 1, key], options.frame_threshold)
        _clear(remaining, slice(middle + 1, middle + 1 + walked), key)
        end = middle + walked - below
        walked, below = _scan(remaining[max(0, middle - 1) : 0 : -1, key], options.frame_threshold)
        _clear(remaining, slice(middle - walked, middle), key)
        start = middle - walked + below
        if end - start <= options.min_note_frames:
            continue
        notes.append((start, end, key, float(np.mean(frames[start:end, key]))))
    return notes


def _bends(contour: np.ndarray, start: int, end: int, key: int) -> tuple[float, ...]:
    """Semitone offsets per frame: the contour's peak near the note's pitch, Gaussian-weighted."""
    width = 2 * BEND_TOLERANCE_BINS + 1
    weights = scipy.signal.windows.gaussian(width, std=5)
    centre = CONTOUR_BINS_PER_SEMITONE * key
    low, high = max(0, centre - BEND_TOLERANCE_BINS), min(contour.shape[1], centre + BEND_TOLERANCE_BINS + 1)
    offset = BEND_TOLERANCE_BINS - (centre - low)
    window = contour[start:end, low:high] * weights[offset : offset + (high - low)]
    steps = np.argmax(window, axis=1) - (centre - low)
    return tuple(float(s) / CONTOUR_BINS_PER_SEMITONE for s in steps.tolist())


def decode(activations: Activations, options: DecodeOptions | None = None) -> list[Note]:
    """Notes of the activations, as basic-pitch's ``model_output_to_notes`` finds them.

    Parameters
    ----------
    activations
        The network's output (see :func:`mixdown.engines.transcription.model.predict`).
    options
        Thresholds, minimum length and frequency band; basic-pitch's defaults when omitted.

    Returns
    -------
    list of Note
        In basic-pitch's order (onset notes latest first, then melodia notes), with bends.

    Examples
    --------
    >>> acts = Activations(np.zeros((200, 88)), np.zeros((200, 88)), np.zeros((200, 264)))
    >>> acts.note[50:120, 39] = 0.8  # middle C held for ~0.8 s
    >>> acts.onset[50, 39] = 0.9
    >>> [(n.pitch, round(n.start, 2), round(n.end, 2)) for n in decode(acts)]
    [(60, 0.58, 1.39)]
    """
    options = options or DecodeOptions()
    frames = np.array(activations.note, dtype=np.float64)
    onsets = np.array(activations.onset, dtype=np.float64)
    _limit_band(onsets, frames, options)
    onsets = inferred_onsets(onsets, frames)
    remaining = frames.copy()
    found = _onset_notes(onsets, frames, remaining, options)
    if options.melodia_trick:
        found += _melodia_notes(frames, remaining, options)
    times = frame_times(frames.shape[0])
    return [
        Note(
            start=float(times[start]),
            end=float(times[end]),
            pitch=key + MIDI_OFFSET,
            amplitude=amplitude,
            bends=_bends(activations.contour, start, end, key),
        )
        for start, end, key, amplitude in found
    ]
