"""What the prompt asks for beyond the style: moods and energy words, weighed by guidance_scale.

``guidance_scale`` (0..10, default 3) sets how far prompt-derived attributes pull away from the
style's defaults: ``pull = 1 - exp(-g / 3)`` (0 at g=0, 0.63 at the default 3, 0.96 at 10).
A "dark" prompt then lowers the register and brightness and weights minor/phrygian modes by
``factor ** pull``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from mixdown.engines.music.spec import MusicSpec


@dataclass(frozen=True)
class Mood:
    """What one mood word does (offsets before scaling by the guidance pull)."""

    brightness: float = 0.0  # -1..1
    energy: float = 0.0  # added to section energy
    tempo: float = 1.0  # factor on the target tempo
    register: float = 0.0  # semitones
    density: float = 0.0  # melodic density offset
    reverb: float = 0.0
    modes: dict[str, float] = field(default_factory=dict)  # weight factors


_DARK = Mood(
    brightness=-0.6,
    register=-4,
    modes={"minor": 2.0, "phrygian": 2.5, "harmonic_minor": 1.6, "dorian": 1.2, "major": 0.3, "lydian": 0.3},
)
_HAPPY = Mood(
    brightness=0.4,
    register=2,
    tempo=1.04,
    modes={"major": 3.0, "lydian": 1.5, "mixolydian": 1.3, "minor": 0.4, "phrygian": 0.2},
)
_SAD = Mood(
    brightness=-0.3,
    energy=-0.1,
    tempo=0.92,
    register=-2,
    modes={"minor": 2.5, "dorian": 1.3, "harmonic_minor": 1.4, "major": 0.4},
)
_CHILL = Mood(brightness=-0.15, energy=-0.18, tempo=0.93, density=-0.2, reverb=0.1)
_ENERGETIC = Mood(brightness=0.25, energy=0.18, tempo=1.05, density=0.15)
_EPIC = Mood(energy=0.12, reverb=0.2, modes={"minor": 1.5, "harmonic_minor": 1.2})
_DREAMY = Mood(
    brightness=0.1, energy=-0.1, density=-0.2, reverb=0.25, register=2, modes={"lydian": 2.0, "major": 1.3}
)
_TENSE = Mood(
    brightness=-0.3,
    modes={"phrygian": 2.0, "harmonic_minor": 2.0, "locrian": 1.2, "dorian": 1.2, "major": 0.4},
)
_WARM = Mood(brightness=-0.1, density=-0.1, modes={"major": 1.5})
_FUNKY = Mood(density=0.1, modes={"dorian": 1.8, "mixolydian": 1.5})
_HYPNOTIC = Mood(density=-0.1, modes={"minor": 1.3, "dorian": 1.3, "phrygian": 1.2})
_MYSTICAL = Mood(reverb=0.15, modes={"dorian": 1.5, "lydian": 1.5, "harmonic_minor": 1.2})
_BRIGHT = Mood(brightness=0.6, register=3)

_GROUPS = (
    (_DARK, "dark gloomy sinister moody brooding"),
    (_HAPPY, "uplifting happy joyful cheerful hopeful triumphant playful positive euphoric sunny inspiring"),
    (_SAD, "sad melancholic melancholy emotional somber nostalgic"),
    (_CHILL, "chill relaxed calm mellow peaceful laid-back soft gentle soothing lazy sleepy relaxing"),
    (_ENERGETIC, "energetic aggressive intense powerful driving hard upbeat fast heavy"),
    (_EPIC, "epic cinematic heroic grand majestic"),
    (_DREAMY, "dreamy ethereal airy atmospheric spacey"),
    (_TENSE, "mysterious eerie tense suspenseful ominous scary creepy spooky angry"),
    (_WARM, "romantic warm tender intimate cozy"),
    (_FUNKY, "funky groovy"),
    (_HYPNOTIC, "hypnotic repetitive trippy"),
    (_MYSTICAL, "mystical magical elegant"),
    (_BRIGHT, "bright sparkling shiny"),
)
MOODS: dict[str, Mood] = {word: mood for mood, words in _GROUPS for word in words.split()}


@dataclass(frozen=True)
class Intent:
    """Prompt attributes after weighing by guidance: offsets the composer applies."""

    pull: float = 0.0
    brightness: float = 0.0
    energy: float = 0.0
    tempo: float = 1.0
    register: int = 0
    density: float = 0.0
    reverb: float = 0.0
    mode_factors: dict[str, float] = field(default_factory=dict)


def guidance_pull(guidance_scale: float) -> float:
    """0..1 weight of the prompt against the style defaults."""
    return 1.0 - math.exp(-max(0.0, guidance_scale) / 3.0)


def intent(spec: MusicSpec) -> Intent:
    """The weighted sum of the moods named in ``spec.moods`` (unknown words are ignored)."""
    pull = guidance_pull(spec.sampling.guidance_scale)
    moods = [MOODS[m.lower().strip()] for m in spec.moods if m.lower().strip() in MOODS]
    if not moods:
        return Intent(pull=pull)
    factors: dict[str, float] = {}
    for mood in moods:
        for mode, factor in mood.modes.items():
            factors[mode] = factors.get(mode, 1.0) * factor
    return Intent(
        pull=pull,
        brightness=_clamp(pull * sum(m.brightness for m in moods), 1.0),
        energy=_clamp(pull * sum(m.energy for m in moods), 0.35),
        tempo=math.prod(m.tempo for m in moods) ** pull,
        register=round(_clamp(pull * sum(m.register for m in moods), 7)),
        density=_clamp(pull * sum(m.density for m in moods), 0.4),
        reverb=_clamp(pull * sum(m.reverb for m in moods), 0.4),
        mode_factors={mode: f**pull for mode, f in factors.items()},
    )


def _clamp(value: float, limit: float) -> float:
    return max(-limit, min(limit, value))
