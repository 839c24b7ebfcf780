"""Voice presets (``voice_id``): a pitch and formant shift plus what else each one changes.

A preset's shifts are relative to the input voice (``deep-male`` lowers any voice, it does not
aim at a fixed pitch); a request's own ``pitch`` and ``formant`` add to them. Formant shifts are
in semitones like pitch: +12 doubles every formant frequency, -12 halves it.

The F0 ``contour`` is ``follow`` (the input's melody, shifted), ``monotone`` (every voiced frame
at the input's median F0, shifted: a robot), ``tremble`` (shifted, plus a slow 5.5 Hz tremor and
a little random drift: an old voice) or ``whisper`` (no F0 at all: WORLD excites the envelope
with noise only). ``breath`` mixes that much noise into the voiced bands; ``buzz`` removes it
(a pure pulse train). ``effect`` names a pedalboard chain run after synthesis (see
:mod:`mixdown.engines.voice.effects`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

Contour: TypeAlias = Literal["follow", "monotone", "tremble", "whisper"]
EffectName: TypeAlias = Literal["none", "radio", "monster", "robot"]
PresetName: TypeAlias = Literal[
    "deep-male",
    "bright-female",
    "child",
    "elder",
    "robot",
    "whisper",
    "monster",
    "radio",
    "chipmunk",
]


@dataclass(frozen=True, kw_only=True)
class VoicePreset:
    """What one ``voice_id`` does."""

    name: str
    description: str
    pitch: float = 0.0  # semitones
    formant: float = 0.0  # semitones
    contour: Contour = "follow"
    breath: float = 0.0  # 0..1: share of the voiced bands turned to noise
    buzz: bool = False
    effect: EffectName = "none"


PRESETS: dict[str, VoicePreset] = {
    p.name: p
    for p in (
        VoicePreset(
            name="deep-male",
            description="lower and darker: pitch -6, formants -2 semitones",
            pitch=-6.0,
            formant=-2.0,
        ),
        VoicePreset(
            name="bright-female",
            description="higher and brighter: pitch +6, formants +2.5 semitones",
            pitch=6.0,
            formant=2.5,
        ),
        VoicePreset(
            name="child",
            description="a child's voice: pitch +8, formants +4 semitones (a shorter vocal tract)",
            pitch=8.0,
            formant=4.0,
        ),
        VoicePreset(
            name="elder",
            description="an old voice: pitch -2, formants -1, a 5.5 Hz tremor and breath",
            pitch=-2.0,
            formant=-1.0,
            contour="tremble",
            breath=0.3,
        ),
        VoicePreset(
            name="robot",
            description="a monotone at the voice's median pitch, pure buzz, a metallic comb",
            contour="monotone",
            buzz=True,
            effect="robot",
        ),
        VoicePreset(
            name="whisper",
            description="no pitch: the vocal tract excited by noise alone (pitch is ignored)",
            contour="whisper",
        ),
        VoicePreset(
            name="monster",
            description="pitch -10, formants -4 semitones, breath and a growl of saturation",
            pitch=-10.0,
            formant=-4.0,
            breath=0.15,
            effect="monster",
        ),
        VoicePreset(
            name="radio",
            description="the voice kept, through a 300-3400 Hz band-pass, saturation and compression",
            effect="radio",
        ),
        VoicePreset(
            name="chipmunk",
            description="pitch +12, formants +7 semitones: a sped-up tape without the speed-up",
            pitch=12.0,
            formant=7.0,
        ),
    )
}
PRESET_NAMES: tuple[str, ...] = tuple(PRESETS)


def normalize_preset_name(value: str) -> str:
    """``Deep_Male`` or ``deep male`` -> ``deep-male``; an empty name or ``none`` -> ``none``.

    Examples
    --------
    >>> normalize_preset_name(" Bright_Female "), normalize_preset_name("")
    ('bright-female', 'none')
    """
    name = "-".join(value.strip().lower().replace("_", " ").split())
    return name or "none"


def preset_table() -> str:
    """One line per preset, for parameter descriptions."""
    return "; ".join(f"{p.name} ({p.description})" for p in PRESETS.values())
