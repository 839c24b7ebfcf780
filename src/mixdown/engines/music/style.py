"""Style profiles are data: one TOML file per style in ``styles/``, loaded into ``StyleProfile``.

Adding a style = adding a file (and the test that renders every style picks it up).
See ``styles/techno.toml`` for a commented example of every field.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

# Drum lanes a pattern may use, and the General MIDI key each plays.
DRUM_KEYS: dict[str, int] = {
    "kick": 36, "kick2": 35, "snare": 38, "snare2": 40, "rim": 37, "clap": 39,
    "closed_hat": 42, "pedal_hat": 44, "open_hat": 46, "crash": 49, "crash2": 57,
    "ride": 51, "ride_bell": 53, "splash": 55, "china": 52,
    "low_tom": 45, "mid_tom": 47, "high_tom": 50, "floor_tom": 41,
    "tambourine": 54, "cowbell": 56, "shaker": 70, "cabasa": 69, "clave": 75,
    "conga_high": 62, "conga_mute": 63, "conga_low": 64, "bongo_high": 60, "bongo_low": 61,
    "timbale_high": 65, "timbale_low": 66, "agogo": 67, "guiro": 73, "triangle": 81, "snap": 39,
}  # fmt: skip

# GM drum kits (program numbers in bank 128).
DRUM_KITS = {"standard": 0, "room": 8, "power": 16, "electronic": 24, "tr808": 25, "jazz": 32, "brush": 40,
             "orchestra": 48}  # fmt: skip

ROLES = ("bass", "chords", "lead", "pad", "vocals", "fx")
BASS_STYLES = (
    "root_eighths", "offbeat", "four_floor", "sub_808", "walking", "syncopated_funk", "arpeggio",
    "sustained", "reggae", "latin_tumbao", "rock_drive", "alberti", "none",
)  # fmt: skip
CHORD_STYLES = (
    "block",
    "stabs",
    "arpeggio",
    "strum",
    "comp",
    "pad",
    "offbeat_skank",
    "alberti",
    "bossa",
    "none",
)
MELODY_RHYTHMS = ("straight", "syncopated", "sparse", "busy", "lyrical", "riff")
STEP_CHARS = set("xXo.-123456789")


class StyleError(ValueError):
    """A style file is invalid; the message names the file and the field."""


@dataclass(frozen=True)
class Progression:
    """A chord progression in Roman numerals relative to the key (``i``, ``bVII``, ``V7``, ``ii7``...)."""

    chords: tuple[str, ...]
    weight: float = 1.0


@dataclass(frozen=True)
class DrumPattern:
    """One bar of drums: a step string per lane.

    Step characters: ``x`` hit, ``X`` accent, ``o`` ghost note, ``.``/``-`` rest, ``1``-``9``
    a hit with that probability in tenths (``5`` = 50 %). All lanes have ``steps`` characters.
    """

    steps: int
    lanes: dict[str, str]


@dataclass(frozen=True)
class MelodyStyle:
    """How the lead line behaves."""

    density: float = 0.5  # 0 sparse .. 1 busy
    low: int = 60  # MIDI range
    high: int = 84
    rhythm: str = "straight"
    phrase_bars: int = 4
    step_bias: float = 0.7  # preference for steps over leaps


@dataclass(frozen=True)
class StyleProfile:
    """Everything the composer and producer need to know about a style."""

    name: str
    family: str
    description: str
    tags: tuple[str, ...]
    tempo: tuple[float, float]
    meter: tuple[int, int]
    swing: float
    modes: dict[str, float]
    progressions: tuple[Progression, ...]
    harmonic_rhythm: float  # bars per chord
    extensions: float  # 0..1 chance of 7ths/9ths
    drum_kit: str
    drums: dict[str, DrumPattern]  # by energy level: "low", "mid", "high"
    fills: tuple[DrumPattern, ...]
    bass_style: str
    bass_octave: int
    chord_style: str
    melody: MelodyStyle
    instruments: dict[str, tuple[int, ...]]  # role -> GM programs, first preferred
    sections: tuple[tuple[str, ...], ...]  # section templates, e.g. ("intro", "verse", "chorus", ...)
    mix: dict[str, float]
    section_energy: dict[str, float] = field(default_factory=dict)

    @property
    def default_tempo(self) -> float:
        """The middle of the tempo range."""
        return (self.tempo[0] + self.tempo[1]) / 2


def _require(data: dict[str, Any], name: str, where: str) -> Any:
    if name not in data:
        raise StyleError(f"{where}: missing field {name!r}")
    return data[name]


def _pattern(raw: dict[str, Any], where: str) -> DrumPattern:
    steps = int(raw.get("steps", 16))
    lanes = {k: v for k, v in raw.items() if k != "steps"}
    for lane, text in lanes.items():
        if lane not in DRUM_KEYS:
            raise StyleError(f"{where}: unknown drum lane {lane!r}")
        if len(text) != steps or not set(text) <= STEP_CHARS:
            raise StyleError(f"{where}.{lane}: needs {steps} characters from {''.join(sorted(STEP_CHARS))}")
    return DrumPattern(steps=steps, lanes=lanes)


def _check_choice(value: str, allowed: tuple[str, ...], where: str) -> str:
    if value not in allowed:
        raise StyleError(f"{where}: {value!r} is not one of {allowed}")
    return value


def parse_style(data: dict[str, Any], source: str) -> StyleProfile:
    """A ``StyleProfile`` from parsed TOML; ``StyleError`` naming ``source`` and the field."""
    drums = {
        level: _pattern(p, f"{source}: drums.{level}") for level, p in _require(data, "drums", source).items()
    }
    instruments = {role: tuple(int(p) for p in programs) for role, programs in data["instruments"].items()}
    for role in instruments:
        _check_choice(role, ROLES, f"{source}: instruments")
    harmony = _require(data, "harmony", source)
    return StyleProfile(
        name=_require(data, "name", source),
        family=_require(data, "family", source),
        description=_require(data, "description", source),
        tags=tuple(data.get("tags", ())),
        tempo=(float(data["tempo"][0]), float(data["tempo"][1])),
        meter=(int(data.get("meter", [4, 4])[0]), int(data.get("meter", [4, 4])[1])),
        swing=float(data.get("swing", 0.0)),
        modes={str(k): float(v) for k, v in _require(harmony, "modes", f"{source}: harmony").items()},
        progressions=tuple(
            Progression(tuple(p["chords"]), float(p.get("weight", 1.0))) for p in harmony["progressions"]
        ),
        harmonic_rhythm=float(harmony.get("harmonic_rhythm", 1.0)),
        extensions=float(harmony.get("extensions", 0.0)),
        drum_kit=_check_choice(data.get("drum_kit", "standard"), tuple(DRUM_KITS), f"{source}: drum_kit"),
        drums=drums,
        fills=tuple(_pattern(p, f"{source}: fills[{i}]") for i, p in enumerate(data.get("fills", []))),
        bass_style=_check_choice(data["bass"]["style"], BASS_STYLES, f"{source}: bass.style"),
        bass_octave=int(data["bass"].get("octave", 2)),
        chord_style=_check_choice(data["chords"]["style"], CHORD_STYLES, f"{source}: chords.style"),
        melody=MelodyStyle(**data.get("melody", {})),
        instruments=instruments,
        sections=tuple(tuple(t) for t in _require(data, "sections", source)),
        mix={str(k): float(v) for k, v in data.get("mix", {}).items()},
        section_energy={str(k): float(v) for k, v in data.get("section_energy", {}).items()},
    )


@lru_cache(maxsize=1)
def load_styles() -> dict[str, StyleProfile]:
    """Every bundled style, by name."""
    styles: dict[str, StyleProfile] = {}
    folder = resources.files("mixdown.engines.music") / "styles"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            style = parse_style(tomllib.loads(entry.read_text()), entry.name)
            styles[style.name] = style
    return styles
