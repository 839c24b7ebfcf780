"""The composer: ``compose(spec, seed) -> Score``, pure and deterministic.

Stages: blend the styles and weigh the prompt's moods (``blend``, ``intent``), choose the key,
plan form, bars and tempo so the piece ends exactly on time (``plan``), lay out and voice the
chord track (``harmony``), cast the instruments (``cast``), write every part (``arrange``:
drums, bass, chords, pad, melody, counter-line, vocals, FX) and humanise the timing
(``humanize``). Every random choice goes through ``sampling.choose`` with a generator of its own
derived from the seed and stable names, so the same spec and seed give the same Score.
"""

from __future__ import annotations

from mixdown.engines.music.compose.arrange import Arrangement, arrange
from mixdown.engines.music.compose.blend import UnknownStyleError, blend, choose_scale
from mixdown.engines.music.compose.cast import Cast, cast, mix_settings
from mixdown.engines.music.compose.conditioned import fit_harmony
from mixdown.engines.music.compose.context import Context
from mixdown.engines.music.compose.harmony import harmonize
from mixdown.engines.music.compose.humanize import curve_points, humanize
from mixdown.engines.music.compose.intent import intent
from mixdown.engines.music.compose.model import load_model
from mixdown.engines.music.plan import describe, plan
from mixdown.engines.music.sampling import component_rng
from mixdown.engines.music.score import ChordEvent, Score, Section
from mixdown.engines.music.spec import MusicSpec

__all__ = ["UnknownStyleError", "build_context", "compose", "score_of"]

# Timing spread (ms), velocity spread and lag per part: drums tight, sung lines a little late.
FEEL = {
    "drums": (3.0, 4.0, 0.0),
    "bass": (4.0, 4.0, 0.0),
    "chords": (6.0, 5.0, 0.0),
    "pad": (8.0, 3.0, 0.0),
    "lead": (7.0, 5.0, 4.0),
    "counter": (6.0, 5.0, 0.0),
    "vocals": (9.0, 5.0, 8.0),
    "fx": (0.0, 0.0, 0.0),
}
EXPRESSIVE = ("chords", "pad", "lead", "counter", "vocals", "fx")


def build_context(spec: MusicSpec, seed: int, *, material_seed: int | None = None) -> Context:
    """Everything the part writers share: blend, intent, plan, key and chord track.

    ``seed`` draws the blend, the key and the plan; ``material_seed`` (default ``seed``) draws
    everything written on that plan (chords, parts, humanising), so the same form can be filled
    with new material (inpainting) or the same material reused on a longer form (extending).
    """
    wants = intent(spec)
    style = blend(spec, component_rng(seed, "blend"))
    scale = choose_scale(spec, style, wants, component_rng(seed, "key"))
    target = None if "bpm" in spec.explicit else spec.bpm * wants.tempo
    the_plan = plan(
        spec,
        style,
        component_rng(seed, "plan"),
        energy_bias=wants.energy,
        tempo_target=target,
        structure_pull=wants.pull,
    )
    material = seed if material_seed is None else material_seed
    ctx = Context(spec=spec, seed=material, style=style, intent=wants, plan=the_plan, scale=scale)
    ctx.set_spans(harmonize(ctx))
    if spec.melody:
        ctx.set_spans(fit_harmony(ctx))
    return ctx


def _controls(ctx: Context, name: str) -> list[tuple[int, list[float]]]:
    """CC11 expression and CC74 brightness per bar, from energy and the tone curve."""
    bars = range(ctx.plan.bars)
    expression = [0.45 + 0.55 * ctx.energy(b) for b in bars]
    brightness = [0.2 + 0.5 * ctx.tone(b) + 0.3 * ctx.energy(b) for b in bars]
    if name == "fx":
        expression = [0.3 + 0.7 * ctx.energy(b) for b in bars]
    return [(11, expression), (74, brightness)]


def _score(ctx: Context, the_cast: Cast, arrangement: Arrangement) -> Score:
    p = ctx.plan
    parts = []
    for name, part in the_cast.parts.items():
        timing, spread, lag = FEEL.get(name.rstrip("0123456789"), (6.0, 5.0, 0.0))
        if ctx.electronic:
            timing, spread = timing * 0.4, spread * 0.6
        part.notes = humanize(
            ctx, arrangement.events.get(name, []), name, timing_ms=timing, velocity_sd=spread, lag_ms=lag
        )
        if not part.notes:
            continue
        if name.rstrip("0123456789") in EXPRESSIVE:
            part.controls = [
                pt for cc, values in _controls(ctx, name) for pt in curve_points(ctx, cc, values)
            ]
        parts.append(part)
    sections = [
        Section(
            name=s.name,
            start_bar=s.start_bar,
            bars=s.bars,
            start=s.start_bar * p.bar_seconds,
            end=s.end_bar * p.bar_seconds,
            energy=round(s.energy, 3),
        )
        for s in p.sections
    ]
    chords = [
        ChordEvent(
            start=s.start * p.step_seconds,
            end=min(s.end * p.step_seconds, p.duration),
            symbol=s.chord.symbol,
            root=s.chord.root,
            pitches=s.voicing,
        )
        for s in ctx.spans
    ]
    return Score(
        bpm=p.bpm,
        meter=p.meter,
        key_tonic=ctx.scale.tonic,
        mode=ctx.scale.mode,
        duration=float(p.duration),
        sections=sections,
        chords=chords,
        parts=parts,
        mix=mix_settings(ctx),
        metadata=_metadata(ctx, the_cast, arrangement),
    )


def _metadata(ctx: Context, the_cast: Cast, arrangement: Arrangement) -> dict[str, object]:
    p = ctx.plan
    return {
        "composer": "mixdown-composer/1",
        "style": ctx.style.name,
        "styles": {s.name: s.weight for s in ctx.spec.styles},
        "seed": ctx.seed,
        "plan": describe(p),
        "tail": p.tail,
        "bars": p.bars,
        "fills": arrangement.fills,
        "fill_times": [round((b + 1) * p.bar_seconds, 6) for b in arrangement.fills],
        "key_changes": [
            {"bar": s.start_bar, "tonic": (ctx.scale.tonic + s.transpose) % 12}
            for s in p.sections
            if s.transpose
        ],
        "bass_style": the_cast.bass_style,
        "chord_style": the_cast.chord_style,
        "drum_kit": the_cast.kit,
        "melody_model": load_model().source,
        "bar_energy": [round(e, 3) for e in p.bar_energy],
    }


def compose(spec: MusicSpec, seed: int, *, material_seed: int | None = None) -> Score:
    """The Score for ``spec`` and ``seed`` (pure: same inputs, same Score).

    Parameters
    ----------
    spec
        What was understood from the request.
    seed
        Any integer; different seeds give different music.
    material_seed
        Draws the chords and parts on the plan ``seed`` drew (default: ``seed``).

    Returns
    -------
    Score
        Exactly ``spec.duration`` seconds long, the last notes ringing into a 0.5-4 s tail.
    """
    ctx = build_context(spec, seed, material_seed=material_seed)
    return score_of(ctx)


def score_of(ctx: Context) -> Score:
    """The Score written on a built context (cast, arrangement, humanising)."""
    the_cast = cast(ctx)
    return _score(ctx, the_cast, arrange(ctx, the_cast))
