"""Singing from speech with WORLD: the spoken line re-timed onto its notes and re-pitched to them.

The line is analysed once (``dio`` + ``stonemask`` for F0, ``cheaptrick`` for the spectral
envelope, ``d4c`` for aperiodicity, 5 ms frames). F0 gaps inside voiced phones are filled by
interpolation before the envelope analysis, so a vowel stretched over many frames never borrows
a frame analysed as noise. Every output frame then reads the source frame its
:class:`~mixdown.engines.singing.timing.Piece` maps it to (envelopes interpolated in the log
domain), and takes a new F0: the note's pitch, flat, with a short glide from the previous note
and a delayed vibrato on long notes. Voicing follows the phones (vowels and voiced consonants
sing, ``s`` and ``t`` stay noise), never the F0 tracker. The timbre (formants) stays the voice's
own, since WORLD keeps the envelope apart from the pitch.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from mixdown.engines.singing.speech import SpokenLine
from mixdown.engines.singing.timing import Piece

FRAME_MS = 5.0
GLIDE_SECONDS = 0.04
VIBRATO_HZ = 5.5
VIBRATO_DELAY = 0.22  # seconds into a note before vibrato starts, then fades in over as long again
VIBRATO_MIN_NOTE = 0.45
EDGE_FADE = 0.01
CONSONANT_BOOST_DB = 6.0
_FLOOR = 1e-16


@lru_cache(maxsize=1)
def pyworld() -> Any:
    """``pyworld``, imported once without the ``pkg_resources`` deprecation warning it triggers."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        import pyworld as module  # type: ignore[import-untyped]

    return module


@dataclass(frozen=True)
class SungPitch:
    """A note as the renderer needs it: its time span and MIDI pitch."""

    start: float
    end: float
    midi: float


@dataclass(frozen=True)
class WorldFrames:
    """WORLD parameters of a signal at ``FRAME_MS``: F0 (Hz), envelope, aperiodicity."""

    f0: np.ndarray
    envelope: np.ndarray
    aperiodicity: np.ndarray


def _filled(f0: np.ndarray, voiced: np.ndarray) -> np.ndarray:
    """F0 with the unvoiced frames inside voiced phones interpolated from the voiced frames around."""
    have = f0 > 0
    if not have.any():
        return np.where(voiced, 150.0, f0)
    index = np.arange(f0.size)
    guess = np.interp(index, index[have], f0[have])
    return np.where(~have & voiced, guess, f0)


def voiced_frames(pieces: Sequence[Piece], count: int) -> np.ndarray:
    """Source frames that lie inside a voiced phone."""
    mask = np.zeros(count, dtype=bool)
    for piece in pieces:
        if piece.voiced:
            first, last = (int(t * 1000 / FRAME_MS) for t in (piece.source_start, piece.source_end))
            mask[max(0, first) : min(count, last + 1)] = True
    return mask


def analyse(spoken: SpokenLine, pieces: Sequence[Piece], f0_range: tuple[float, float]) -> WorldFrames:
    """WORLD analysis of the spoken line."""
    pw = pyworld()
    x, rate = np.ascontiguousarray(spoken.samples, dtype=np.float64), spoken.sample_rate
    f0, times = pw.dio(x, rate, f0_floor=f0_range[0], f0_ceil=f0_range[1], frame_period=FRAME_MS)
    f0 = _filled(pw.stonemask(x, f0, times, rate), voiced_frames(pieces, f0.size))
    return WorldFrames(f0, pw.cheaptrick(x, f0, times, rate), pw.d4c(x, f0, times, rate))


def source_positions(pieces: Sequence[Piece], times: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per output time: the source time it plays (-1: silence), whether voiced, and its piece index."""
    starts = np.array([p.start for p in pieces])
    index = np.clip(np.searchsorted(starts, times, side="right") - 1, 0, len(pieces) - 1)
    chosen = [pieces[i] for i in index]
    start, end = (np.array([getattr(p, name) for p in chosen]) for name in ("start", "end"))
    src_start, src_end = (
        np.array([getattr(p, name) for p in chosen]) for name in ("source_start", "source_end")
    )
    inside = (times >= start) & (times < end)
    fraction = np.clip((times - start) / np.maximum(end - start, 1e-9), 0.0, 1.0)
    source = np.where(inside, src_start + fraction * (src_end - src_start), -1.0)
    voiced = inside & np.array([p.voiced for p in chosen])
    return source, voiced, index


def pitch_track(
    times: np.ndarray, note_of: np.ndarray, notes: Sequence[SungPitch], vibrato_cents: float
) -> np.ndarray:
    """MIDI pitch (float) per output time: the note, a glide in from the previous one, vibrato.

    Examples
    --------
    >>> notes = [SungPitch(0.0, 0.5, 60.0), SungPitch(0.5, 1.0, 64.0)]
    >>> t = np.array([0.25, 0.5, 0.51, 0.75])
    >>> pitch_track(t, np.array([0, 1, 1, 1]), notes, 0.0).round(2).tolist()
    [60.0, 62.0, 63.0, 64.0]
    """
    target = np.array([notes[i].midi for i in note_of])
    start = np.array([notes[i].start for i in note_of])
    length = np.array([notes[i].end - notes[i].start for i in note_of])
    previous = np.array([notes[max(i - 1, 0)].midi for i in note_of])
    glide = np.clip(1.0 - (times - start + 0.02) / GLIDE_SECONDS, 0.0, 1.0) * (note_of > 0)
    into = times - start
    ramp = np.clip((into - VIBRATO_DELAY) / VIBRATO_DELAY, 0.0, 1.0) * (length >= VIBRATO_MIN_NOTE)
    vibrato = vibrato_cents / 100.0 * ramp * np.sin(2 * np.pi * VIBRATO_HZ * np.maximum(into, 0.0))
    return np.asarray(target + glide * (previous - target) + vibrato)


def _resampled(frames: WorldFrames, source: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Envelope (log-interpolated) and aperiodicity at fractional source frames; silence where -1."""
    position = np.clip(source * 1000 / FRAME_MS, 0, frames.f0.size - 1)
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, frames.f0.size - 1)
    weight = (position - low)[:, None]
    log_env = np.log(np.maximum(frames.envelope, _FLOOR))
    envelope = np.exp((1 - weight) * log_env[low] + weight * log_env[high])
    aperiodicity = (1 - weight) * frames.aperiodicity[low] + weight * frames.aperiodicity[high]
    silent = source < 0
    envelope[silent] = _FLOOR
    aperiodicity[silent] = 1.0
    return envelope, aperiodicity


def _faded(samples: np.ndarray, rate: int) -> np.ndarray:
    count = min(int(EDGE_FADE * rate), samples.size // 2)
    if count:
        ramp = np.linspace(0.0, 1.0, count)
        samples[:count] *= ramp
        samples[-count:] *= ramp[::-1]
    return samples


def render_line(
    spoken: SpokenLine,
    pieces: Sequence[Piece],
    notes: Sequence[SungPitch],
    *,
    vibrato_cents: float,
    f0_range: tuple[float, float],
) -> tuple[np.ndarray, float]:
    """The sung line at the speech's rate, and the song time its first sample belongs at.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from mixdown.engines.singing.speech import speak_line
    >>> from mixdown.engines.singing.timing import fit_syllables, lay_line
    >>> line = speak_line("kal_diphone", ["hello"], Path(tempfile.mkdtemp()))
    >>> notes = [SungPitch(1.0, 1.4, 57.0), SungPitch(1.4, 2.0, 60.0)]
    >>> pieces = lay_line(fit_syllables(line.words, [2]), [(n.start, n.end) for n in notes])
    >>> audio, start = render_line(line, pieces, notes, vibrato_cents=20, f0_range=(60, 300))
    >>> round(start, 2), round(start + audio.size / line.sample_rate, 2)
    (0.93, 2.0)
    """
    begin, finish = pieces[0].start, max(p.end for p in pieces)
    times = begin + np.arange(int((finish - begin) * 1000 / FRAME_MS) + 1) * FRAME_MS / 1000
    frames = analyse(spoken, pieces, f0_range)
    source, voiced, piece_of = source_positions(pieces, times)
    note_of = np.array([pieces[i].note for i in piece_of])
    midi = pitch_track(times, note_of, notes, vibrato_cents)
    f0 = np.where(voiced, 440.0 * 2.0 ** ((midi - 69.0) / 12.0), 0.0)
    envelope, aperiodicity = _resampled(frames, source)
    envelope[(source >= 0) & ~voiced] *= 10.0 ** (CONSONANT_BOOST_DB / 10.0)  # a power spectrum
    pw = pyworld()
    audio = pw.synthesize(
        np.ascontiguousarray(f0),
        np.ascontiguousarray(envelope),
        np.ascontiguousarray(aperiodicity),
        spoken.sample_rate,
        FRAME_MS,
    )
    length = round((finish - begin) * spoken.sample_rate)
    return _faded(np.asarray(audio[:length], dtype=np.float64), spoken.sample_rate), begin
