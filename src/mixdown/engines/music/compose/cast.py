"""Who plays: parts for each role from the prompt's instruments and the style, with their mix.

Named instruments take their role first; a second instrument for a taken role becomes a
doubling part (``"strings and brass"`` -> a string pad and a brass part doubling the chords).
``instrumental=False`` adds a vocal line on ``Stem.VOCALS`` (choir/voice programs: there is no
singing synthesis), and a named vocal texture adds choir "aahs".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mixdown.engines.music.compose.context import Context
from mixdown.engines.music.compose.instruments import STEMS, Voice, named_voices, style_voice
from mixdown.engines.music.score import MixSettings, Part, PartMix
from mixdown.engines.music.style import DRUM_KITS, StyleProfile

# gain, pan, reverb, delay, compression, width per role (sidechain and brightness come from the style)
_MIX = {
    "drums": (0.0, 0.0, 0.1, 0.0, 0.5, 0.6),
    "bass": (-1.0, 0.0, 0.05, 0.0, 0.5, 0.1),
    "chords": (-4.0, -0.15, 0.25, 0.0, 0.3, 0.7),
    "pad": (-8.0, 0.0, 0.5, 0.0, 0.2, 0.9),
    "lead": (-2.0, 0.1, 0.25, 0.15, 0.3, 0.4),
    "counter": (-7.0, 0.35, 0.35, 0.15, 0.2, 0.6),
    "vocals": (-3.0, 0.0, 0.35, 0.15, 0.4, 0.5),
    "fx": (-9.0, 0.0, 0.6, 0.2, 0.1, 1.0),
}
_SIDECHAIN = {"bass": 1.0, "chords": 0.6, "pad": 1.0, "counter": 0.5, "fx": 0.3}


@dataclass
class Cast:
    """The parts of a piece (empty of notes) and how their material is shared."""

    parts: dict[str, Part] = field(default_factory=dict)
    doubles: dict[str, str] = field(default_factory=dict)  # part name -> the part it doubles
    bass_style: str = ""
    chord_style: str = ""
    kit: str = "standard"
    vocal_line: bool = False  # a sung-like melody (not instrumental)
    vocal_texture: bool = False  # choir aahs from a named vocal texture


def _mix(ctx: Context, role: str) -> PartMix:
    gain, pan, reverb, delay, comp, width = _MIX.get(role, _MIX["chords"])
    brightness = min(
        1.0, max(0.0, ctx.style.mix.get("brightness", 0.5) + 0.3 * (ctx.tone(ctx.plan.bars // 2) - 0.5))
    )
    return PartMix(
        gain_db=gain,
        pan=pan,
        reverb_send=min(1.0, reverb + ctx.intent.reverb),
        delay_send=delay,
        brightness=brightness,
        compression=comp,
        width=width,
        sidechain=ctx.style.mix.get("sidechain", 0.0) * _SIDECHAIN.get(role, 0.0),
    )


def _part(ctx: Context, name: str, role: str, voice: Voice) -> Part:
    return Part(
        name=name, stem=STEMS[role], program=voice.program, instrument=voice.name, mix=_mix(ctx, role)
    )


def cast(ctx: Context) -> Cast:
    """The parts for this piece."""
    spec, style = ctx.spec, ctx.style
    named = named_voices(spec.instruments)
    out = Cast(bass_style=style.bass_style, chord_style=style.chord_style, kit=style.drum_kit)
    chosen: dict[str, Voice] = {}
    for voice in named:
        if voice.kit:
            out.kit = voice.kit
        if voice.bass_style:
            out.bass_style = voice.bass_style
        if voice.role == "drums":
            continue
        if voice.role not in chosen:
            chosen[voice.role] = voice
            if (
                voice.chord_style
                and voice.role == "chords"
                and style.chord_style in ("block", "pad", "stabs")
            ):
                out.chord_style = voice.chord_style
        else:
            extra = f"{voice.role}{sum(1 for n in out.doubles.values() if n == voice.role) + 2}"
            out.parts[extra] = _part(ctx, extra, voice.role, voice)
            out.doubles[extra] = voice.role
    if out.bass_style == "none" and "bass" in chosen:
        out.bass_style = "sustained"
    brightness = 2 * (ctx.tone(ctx.plan.bars // 2) - 0.5)
    for role in ("bass", "chords", "lead", "pad"):
        if _skip(role, out, style, chosen):
            continue
        out.parts[role] = _part(ctx, role, role, chosen.get(role) or style_voice(style, role, brightness))
    if "pad" in style.instruments or "pad" in chosen or ctx.electronic:
        out.parts["counter"] = _part(ctx, "counter", "counter", _counter_voice(ctx, chosen))
    if "fx" in style.instruments or "fx" in chosen:
        out.parts["fx"] = _part(ctx, "fx", "fx", chosen.get("fx") or style_voice(style, "fx"))
    if not spec.instrumental or "vocals" in chosen:
        voice = chosen.get("vocals") or Voice(role="vocals", program=_vocal_program(ctx), name="voice")
        out.parts["vocals"] = _part(ctx, "vocals", "vocals", voice)
        out.vocal_line = not spec.instrumental
        out.vocal_texture = spec.instrumental
    kit = DRUM_KITS.get(out.kit, 0)
    out.parts["drums"] = Part(
        name="drums",
        stem=STEMS["drums"],
        program=kit,
        bank=128,
        is_drum=True,
        instrument=f"{out.kit} drum kit",
        mix=_mix(ctx, "drums"),
    )
    return out


def _skip(role: str, out: Cast, style: StyleProfile, chosen: dict[str, Voice]) -> bool:
    """Roles a style does without: no bass line in solo piano, no pad unless it has one."""
    if role == "bass":
        return out.bass_style == "none"
    return role == "pad" and "pad" not in style.instruments and "pad" not in chosen


def _vocal_program(ctx: Context) -> int:
    programs = [p for p in ctx.style.instruments.get("vocals", ()) if p in (52, 53, 54, 85, 91)]
    return programs[0] if programs else 53


def _counter_voice(ctx: Context, chosen: dict[str, Voice]) -> Voice:
    """Arpeggios on a synth in machine styles, a string line otherwise."""
    if ctx.electronic:
        lead = ctx.style.instruments.get("lead", (81,))
        program = lead[1] if len(lead) > 1 else lead[0]
        return Voice(role="counter", program=program, name="arpeggiator")
    pad = chosen.get("pad")
    if pad is not None and pad.program in range(40, 56):
        return Voice(role="counter", program=pad.program, name=pad.name)
    return Voice(role="counter", program=49, name="strings")


def mix_settings(ctx: Context) -> MixSettings:
    """Mix-bus settings from the style, opened up by moods that ask for space."""
    mix = ctx.style.mix
    return MixSettings(
        reverb_size=mix.get("reverb_size", 0.5),
        reverb_amount=min(1.0, mix.get("reverb_amount", 0.25) + 0.5 * ctx.intent.reverb),
        brightness=min(1.0, max(0.0, mix.get("brightness", 0.5) + 0.2 * ctx.intent.brightness)),
        width=mix.get("width", 0.7),
        bus_compression=mix.get("bus_compression", 0.3),
        sidechain=mix.get("sidechain", 0.0),
        target_lufs=mix.get("target_lufs", -14.0),
        true_peak_db=mix.get("true_peak_db", -1.0),
    )
