"""The Score: what to play, as pure data (no audio). The composer writes it; the producer renders it.

Times are in seconds from the start of the piece. A piece has one tempo and one meter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Stem(StrEnum):
    """The stem groups every generation delivers (vocals only when present)."""

    DRUMS = "drums"
    BASS = "bass"
    CHORDS = "chords"
    MELODY = "melody"
    PADS = "pads"
    VOCALS = "vocals"
    FX = "fx"


@dataclass(frozen=True, slots=True)
class Note:
    """One note (or drum hit: ``pitch`` is the GM drum key)."""

    start: float
    duration: float
    pitch: int
    velocity: int

    @property
    def end(self) -> float:
        """When the note is released."""
        return self.start + self.duration


@dataclass(frozen=True, slots=True)
class ControlPoint:
    """A MIDI controller value from a time on (e.g. 74 brightness, 11 expression, 64 sustain)."""

    time: float
    controller: int
    value: int


@dataclass(frozen=True, kw_only=True)
class PartMix:
    """How the producer treats one part (all in plain units)."""

    gain_db: float = 0.0
    pan: float = 0.0  # -1 left .. +1 right
    reverb_send: float = 0.2  # 0..1
    delay_send: float = 0.0  # 0..1
    brightness: float = 0.5  # 0 dark .. 1 bright (EQ tilt / filter)
    compression: float = 0.3  # 0..1
    sidechain: float = 0.0  # 0..1 ducking from the kick
    width: float = 0.5  # 0 mono .. 1 wide


@dataclass(kw_only=True)
class Part:
    """One instrument part, rendered to its own stem."""

    name: str  # unique within the score, e.g. "drums", "bass", "keys", "lead", "pad"
    stem: Stem
    program: int  # General MIDI program 0-127 (ignored for drums)
    bank: int = 0  # 128 selects the drum bank in GM soundfonts
    is_drum: bool = False
    instrument: str = ""  # what the listener would call it: "analog bass", "grand piano"
    notes: list[Note] = field(default_factory=list)
    controls: list[ControlPoint] = field(default_factory=list)
    mix: PartMix = field(default_factory=PartMix)


@dataclass(frozen=True, kw_only=True)
class Section:
    """One section of the form."""

    name: str  # intro, verse, chorus, bridge, build, drop, breakdown, outro, ...
    start_bar: int
    bars: int
    start: float
    end: float
    energy: float  # 0..1


@dataclass(frozen=True, kw_only=True)
class ChordEvent:
    """A chord of the harmony track, for metadata and analysis."""

    start: float
    end: float
    symbol: str  # e.g. "Am7", "F", "G/B"
    root: int  # pitch class 0-11
    pitches: tuple[int, ...]  # the voicing (MIDI)


@dataclass(frozen=True, kw_only=True)
class MixSettings:
    """Mix-bus and master settings from the style."""

    reverb_size: float = 0.5  # 0 small room .. 1 huge hall
    reverb_amount: float = 0.25
    brightness: float = 0.5
    width: float = 0.7
    bus_compression: float = 0.3
    sidechain: float = 0.0
    target_lufs: float = -14.0
    true_peak_db: float = -1.0


@dataclass(kw_only=True)
class Score:
    """A whole piece: tempo, meter, key, form, harmony and parts.

    ``duration`` is the exact length of the output in seconds (music plus its ring-out tail).
    """

    bpm: float
    meter: tuple[int, int]
    key_tonic: int  # pitch class 0-11 (0 = C)
    mode: str  # "major", "minor", "dorian", ...
    duration: float
    sections: list[Section]
    chords: list[ChordEvent]
    parts: list[Part]
    mix: MixSettings = field(default_factory=MixSettings)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def beat_seconds(self) -> float:
        """Length of one beat (the meter's denominator) in seconds."""
        return 60.0 / self.bpm

    @property
    def bar_seconds(self) -> float:
        """Length of one bar in seconds."""
        return self.beat_seconds * self.meter[0] * 4 / self.meter[1]

    def stems(self) -> list[Stem]:
        """The stems that have at least one note, in a stable order."""
        present = {p.stem for p in self.parts if p.notes}
        return [s for s in Stem if s in present]

    def part(self, name: str) -> Part:
        """The part called ``name``."""
        for part in self.parts:
            if part.name == name:
                return part
        raise KeyError(name)
