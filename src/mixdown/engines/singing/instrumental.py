"""What a singer needs to know about an instrumental: beats, bars, key, chords and sections.

Tempo, beats, downbeats and key come from the key-bpm engine (essentia,
:func:`mixdown.engines.keybpm.analyse_key_bpm`); chords from
:func:`mixdown.engines.keybpm.chords.chords_from_audio` on the beat grid; sections from
:mod:`.structure`. The singer's beat is kept between 60 and 150 bpm: a tracker reading twice a
slow song's tempo sings on every other beat (the one its downbeats fall on), a very slow
reading gets its half-beats added. Bars are whole bars from the first downbeat on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mixdown.audio.pcm import as_frames, to_float32
from mixdown.engines.keybpm import KeyEstimate, analyse_key_bpm
from mixdown.engines.keybpm.chords import CHROMA_RATE, NO_CHORD, ChordSpan, hpcp_of, recognise_chords
from mixdown.engines.singing.structure import AudioSection, bar_features, find_sections

FAST_BPM, SLOW_BPM = 150.0, 60.0
DEFAULT_BPM = 100.0  # the grid laid over music with no beat at all
MAJOR_STEPS = (0, 2, 4, 5, 7, 9, 11)
MINOR_STEPS = (0, 2, 3, 5, 7, 8, 10)
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Bar:
    """One bar: its beat times (the first is the downbeat) and where it ends."""

    beats: tuple[float, ...]
    end: float

    @property
    def start(self) -> float:
        """The downbeat."""
        return self.beats[0]


@dataclass(frozen=True)
class Instrumental:
    """The analysis the melody is composed on."""

    duration: float
    bpm: float
    beats_per_bar: int
    tonic: int
    scale: str  # "major" | "minor"
    bars: tuple[Bar, ...]
    chords: tuple[ChordSpan, ...]
    sections: tuple[AudioSection, ...]
    warnings: tuple[str, ...] = ()
    scale_steps: tuple[int, ...] = ()  # the mode's steps from the tonic when known (a score's)

    def scale_classes(self) -> frozenset[int]:
        """Pitch classes of the key's scale: the mode's when known, else natural major or minor."""
        steps = self.scale_steps or (MAJOR_STEPS if self.scale == "major" else MINOR_STEPS)
        return frozenset((self.tonic + step) % 12 for step in steps)

    def chord_at(self, time: float) -> tuple[int, ...]:
        """Pitch classes of the chord sounding at ``time`` (the key's tonic triad where none is)."""
        for span in self.chords:
            if span.start <= time < span.end and span.quality != NO_CHORD:
                return span.pitch_classes
        third = 4 if self.scale == "major" else 3
        return (self.tonic, (self.tonic + third) % 12, (self.tonic + 7) % 12)

    @property
    def key_name(self) -> str:
        """E.g. ``"A minor"``."""
        return f"{ChordSpan(0, 0, self.tonic, 'major').symbol} {self.scale}"


def singing_beats(beats: np.ndarray, downbeats: np.ndarray, bpm: float) -> tuple[np.ndarray, float]:
    """The beat grid at a singable tempo: every other beat above ``FAST_BPM``, half-beats added
    below ``SLOW_BPM``.

    Examples
    --------
    >>> grid, bpm = singing_beats(np.arange(0.0, 4.0, 0.25), np.array([0.25, 1.25]), 240.0)
    >>> grid[:3].tolist(), bpm
    ([0.25, 0.75, 1.25], 120.0)
    """
    if bpm > FAST_BPM and beats.size > 2:
        first = int(np.argmin(np.abs(beats - downbeats[0]))) % 2 if downbeats.size else 0
        return beats[first::2], bpm / 2
    if bpm < SLOW_BPM and beats.size > 1:
        halves = (beats[:-1] + beats[1:]) / 2
        return np.sort(np.concatenate([beats, halves])), bpm * 2
    return beats, bpm


def extended_back(beats: np.ndarray) -> np.ndarray:
    """The beat grid continued back to the start at its median period (trackers start late).

    Examples
    --------
    >>> extended_back(np.array([1.1, 1.6, 2.1])).round(3).tolist()
    [0.1, 0.6, 1.1, 1.6, 2.1]
    """
    if beats.size < 2:
        return beats
    period = float(np.median(np.diff(beats)))
    count = int(np.floor(beats[0] / period + 0.1))
    before = beats[0] - period * np.arange(count, 0, -1)
    return np.concatenate([np.maximum(before, 0.0), beats])


def bars_of(beats: np.ndarray, first_downbeat: float, per_bar: int, duration: float) -> tuple[Bar, ...]:
    """Whole bars of ``per_bar`` beats on the downbeats' phase, from the first one in the grid."""
    if beats.size == 0:
        return ()
    phase = int(np.argmin(np.abs(beats - first_downbeat))) % per_bar
    grid = beats[phase:].tolist()
    period = float(np.median(np.diff(beats))) if beats.size > 1 else 60.0 / DEFAULT_BPM
    bars = []
    for first in range(0, len(grid) - per_bar + 1, per_bar):
        chunk = tuple(grid[first : first + per_bar])
        end = grid[first + per_bar] if first + per_bar < len(grid) else chunk[-1] + period
        if end <= duration + 1e-6:
            bars.append(Bar(chunk, end))
    return tuple(bars)


def _grid(duration: float) -> np.ndarray:
    return np.arange(0.0, duration, 60.0 / DEFAULT_BPM)


def analyse_instrumental(
    samples: np.ndarray, sample_rate: int, *, progress: Progress | None = None
) -> Instrumental:
    """Beats, bars, key, chords and sections of an instrumental.

    Parameters
    ----------
    samples
        ``(frames, channels)`` or mono PCM, any dtype :func:`~mixdown.audio.pcm.to_float32` takes.
    sample_rate
        Its rate in Hz.
    progress
        ``progress(fraction, message)`` between stages.

    Returns
    -------
    Instrumental

    Examples
    --------
    >>> sr = 22050
    >>> t = np.arange(sr * 10) / sr
    >>> click = np.sin(2 * np.pi * 1000 * t) * (t % 0.5 < 0.02)
    >>> a_minor = sum(np.sin(2 * np.pi * f * t) for f in (220.0, 261.63, 329.63)) / 6
    >>> song = analyse_instrumental((click + a_minor).astype(np.float32), sr)
    >>> round(song.bpm), song.key_name, song.chords[0].symbol, len(song.bars) >= 4
    (120, 'A minor', 'Am', True)
    """
    report = progress or (lambda _f, _m: None)
    frames = to_float32(as_frames(samples))
    mono = frames.mean(axis=1)
    duration = frames.shape[0] / sample_rate
    report(0.05, "tracking beats and key")
    found = analyse_key_bpm(frames, sample_rate)
    beats, downbeats = found.rhythm.beats, found.meter.downbeats
    warnings = list(found.warnings)
    if found.rhythm.bpm is None or beats.size < 4:
        beats, downbeats, bpm = _grid(duration), np.zeros(1), DEFAULT_BPM
        warnings.append(f"no beat found: the vocal follows a {DEFAULT_BPM:g} bpm grid")
    else:
        beats, _ = singing_beats(extended_back(beats), downbeats, float(found.rhythm.bpm))
        bpm = 60.0 / float(np.median(np.diff(beats)))  # the grid actually sung on
    per_bar = found.meter.beats_per_bar
    key = found.key or KeyEstimate(0, "major", 0.0, 0.0)
    report(0.6, "reading chords")
    chroma = hpcp_of(mono, sample_rate)
    chords = recognise_chords(chroma, CHROMA_RATE, beats, duration, key=key)
    bars = bars_of(beats, float(downbeats[0]) if downbeats.size else 0.0, per_bar, duration)
    report(0.85, "finding sections")
    spans = [(b.start, b.end) for b in bars]
    sections = find_sections(bar_features(chroma, CHROMA_RATE, mono, sample_rate, spans))
    return Instrumental(
        duration, bpm, per_bar, key.tonic, key.scale, bars, tuple(chords), tuple(sections), tuple(warnings)
    )
