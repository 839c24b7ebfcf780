"""What the engine understood from a request: the ``MusicSpec`` (pure data, hashable)."""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_right
from dataclasses import asdict, dataclass, field
from typing import Any

NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
# Optional fields left out of ``to_dict`` (and so of ``hash``) while unset: specs written before
# they existed keep their hashes.
OPTIONAL_FIELDS = ("melody", "melody_strength")
MelodyNotes = tuple[tuple[int, int, int], ...]  # (start step, length in steps, MIDI pitch) on sixteenths


@dataclass(frozen=True)
class Curve:
    """A Muzaic-style parameter over the piece: ``(position 0..1, value 1..9)`` keyframes.

    Examples
    --------
    >>> Curve.constant(5).at(0.3)
    5.0
    >>> Curve(((0.0, 1.0), (1.0, 9.0))).at(0.5)
    5.0
    """

    points: tuple[tuple[float, float], ...]

    @classmethod
    def constant(cls, value: float) -> Curve:
        """The same value all the way."""
        return cls(((0.0, float(value)), (1.0, float(value))))

    def at(self, position: float) -> float:
        """Linear interpolation at ``position`` (0..1)."""
        xs = [p[0] for p in self.points]
        i = bisect_right(xs, position)
        if i == 0:
            return self.points[0][1]
        if i >= len(self.points):
            return self.points[-1][1]
        (x0, y0), (x1, y1) = self.points[i - 1], self.points[i]
        return y0 if x1 == x0 else y0 + (y1 - y0) * (position - x0) / (x1 - x0)

    def unit(self, position: float) -> float:
        """The value at ``position`` mapped from 1..9 to 0..1."""
        return (self.at(position) - 1.0) / 8.0


@dataclass(frozen=True)
class StyleWeight:
    """One style of a blend."""

    name: str
    weight: float


@dataclass(frozen=True, kw_only=True)
class Sampling:
    """The sampling parameters; they act on every probabilistic choice the composer makes."""

    temperature: float = 1.0
    top_k: int = 0  # 0 = no truncation
    top_p: float = 1.0
    guidance_scale: float = 3.0


@dataclass(frozen=True, kw_only=True)
class MusicSpec:
    """A request as understood: everything composition needs, and what ``hash`` covers.

    ``explicit`` names the fields the prompt (or parameters) stated outright; those are
    honoured exactly, the rest come from the styles. ``melody`` (with ``melody_strength`` 0..1)
    is a melody the lead must play: sixteenth steps from its first note, pitches already in this
    spec's key (see ``engines/music/compose/conditioned.py``).
    """

    prompt: str
    styles: tuple[StyleWeight, ...]
    bpm: float
    key_tonic: int
    mode: str
    meter: tuple[int, int]
    duration: float
    sample_rate: int = 44100
    instruments: tuple[str, ...] = ()
    moods: tuple[str, ...] = ()
    structure: tuple[str, ...] = ()
    instrumental: bool = True
    intensity: Curve = field(default_factory=lambda: Curve.constant(5))
    rhythm: Curve = field(default_factory=lambda: Curve.constant(5))
    tone: Curve = field(default_factory=lambda: Curve.constant(5))
    variance: Curve = field(default_factory=lambda: Curve.constant(5))
    sampling: Sampling = field(default_factory=Sampling)
    tags: tuple[int, ...] = ()
    explicit: frozenset[str] = frozenset()
    engine_version: str = "1"
    melody: MelodyNotes | None = None
    melody_strength: float | None = None

    @property
    def key_name(self) -> str:
        """E.g. "A minor"."""
        return f"{NOTE_NAMES[self.key_tonic]} {self.mode}"

    @property
    def main_style(self) -> str:
        """The heaviest style of the blend."""
        return max(self.styles, key=lambda s: s.weight).name

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (stored with results, used for ``from_hash``)."""
        data = asdict(self)
        data["explicit"] = sorted(self.explicit)
        for name in OPTIONAL_FIELDS:
            if data[name] is None:
                del data[name]
        if self.melody is not None:
            data["melody"] = [list(note) for note in self.melody]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MusicSpec:
        """Inverse of ``to_dict``."""
        values = dict(data)
        values["styles"] = tuple(StyleWeight(**s) for s in values["styles"])
        for name in ("intensity", "rhythm", "tone", "variance"):
            values[name] = Curve(tuple((float(p[0]), float(p[1])) for p in values[name]["points"]))
        values["sampling"] = Sampling(**values["sampling"])
        values["meter"] = tuple(values["meter"])
        for name in ("instruments", "moods", "structure", "tags"):
            values[name] = tuple(values[name])
        values["explicit"] = frozenset(values["explicit"])
        if values.get("melody") is not None:
            values["melody"] = tuple((int(a), int(b), int(c)) for a, b, c in values["melody"])
        return cls(**values)

    def hash(self, seed: int) -> str:
        """A stable hash of the full specification plus the seed."""
        blob = json.dumps({"spec": self.to_dict(), "seed": seed}, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()[:32]
