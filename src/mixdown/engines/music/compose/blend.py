"""A weighted blend of styles as one ``StyleProfile``, and the key the piece is in.

Numeric fields are interpolated by weight; categorical ones (drum patterns and kit, bass and
chord style, melody rhythm, section templates, each role's instruments) are drawn by weight
through ``choose``, so temperature acts on the blend too. Progressions and modes of every
style are pooled with their weights scaled by the style's weight.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TypeVar

import numpy as np

from mixdown.engines.music.compose.harmony import style_fit
from mixdown.engines.music.compose.intent import Intent
from mixdown.engines.music.plan import ENERGY
from mixdown.engines.music.sampling import choose
from mixdown.engines.music.spec import MusicSpec, Sampling
from mixdown.engines.music.style import MelodyStyle, Progression, StyleProfile, load_styles
from mixdown.engines.music.theory import MODES, SUBSETS, Scale, TheoryError, normalise_mode

T = TypeVar("T")


class UnknownStyleError(ValueError):
    """The spec names a style that is not bundled."""


def resolve(spec: MusicSpec) -> list[tuple[StyleProfile, float]]:
    """The spec's styles with normalised weights; ``UnknownStyleError`` names a missing one."""
    styles = load_styles()
    pairs = []
    for item in spec.styles:
        if item.name not in styles:
            raise UnknownStyleError(f"unknown style {item.name!r}; bundled: {sorted(styles)}")
        if item.weight > 0:
            pairs.append((styles[item.name], float(item.weight)))
    if not pairs:
        raise UnknownStyleError("the spec names no style with a positive weight")
    total = sum(w for _, w in pairs)
    return [(s, w / total) for s, w in pairs]


def _mean(pairs: Sequence[tuple[StyleProfile, float]], get: Callable[[StyleProfile], float]) -> float:
    return sum(get(s) * w for s, w in pairs)


def _draw(
    rng: np.random.Generator,
    pairs: Sequence[tuple[StyleProfile, float]],
    get: Callable[[StyleProfile], T],
    sampling: Sampling,
) -> T:
    return get(choose(rng, [s for s, _ in pairs], [w for _, w in pairs], sampling))


def _pooled(
    pairs: Sequence[tuple[StyleProfile, float]],
    get: Callable[[StyleProfile], dict[str, float]],
    default: Callable[[str], float] | None = None,
) -> dict[str, float]:
    keys = sorted({k for s, _ in pairs for k in get(s)})
    out = {}
    for key in keys:
        fallback = default(key) if default else 0.0
        out[key] = sum(get(s).get(key, fallback) * w for s, w in pairs)
    return out


def _melody(
    pairs: Sequence[tuple[StyleProfile, float]], rng: np.random.Generator, sampling: Sampling
) -> MelodyStyle:
    return MelodyStyle(
        density=_mean(pairs, lambda s: s.melody.density),
        low=round(_mean(pairs, lambda s: s.melody.low)),
        high=round(_mean(pairs, lambda s: s.melody.high)),
        rhythm=_draw(rng, pairs, lambda s: s.melody.rhythm, sampling),
        phrase_bars=_draw(rng, pairs, lambda s: s.melody.phrase_bars, sampling),
        step_bias=_mean(pairs, lambda s: s.melody.step_bias),
    )


def _role_programs(
    rng: np.random.Generator, pairs: Sequence[tuple[StyleProfile, float]], role: str, sampling: Sampling
) -> tuple[int, ...]:
    """One style's programs for ``role``, drawn by weight among the styles that have it."""
    having = [(s, w) for s, w in pairs if role in s.instruments]
    return choose(rng, [s.instruments[role] for s, _ in having], [w for _, w in having], sampling)


def blend(spec: MusicSpec, rng: np.random.Generator) -> StyleProfile:
    """One profile for the spec's style blend (the style itself when there is only one)."""
    pairs = resolve(spec)
    if len(pairs) == 1:
        return pairs[0][0]
    main = max(pairs, key=lambda p: p[1])[0]
    sampling = spec.sampling
    drummer = choose(rng, [s for s, _ in pairs], [w for _, w in pairs], sampling)
    roles = sorted({r for s, _ in pairs for r in s.instruments})
    instruments = {r: _role_programs(rng, pairs, r, sampling) for r in roles}
    return replace(
        main,
        name="+".join(s.name for s, _ in pairs),
        tags=tuple(dict.fromkeys(t for s, _ in pairs for t in s.tags)),
        tempo=(_mean(pairs, lambda s: s.tempo[0]), _mean(pairs, lambda s: s.tempo[1])),
        swing=_mean(pairs, lambda s: s.swing),
        modes=_pooled(pairs, lambda s: s.modes),
        progressions=tuple(Progression(p.chords, p.weight * w) for s, w in pairs for p in s.progressions),
        harmonic_rhythm=_draw(rng, pairs, lambda s: s.harmonic_rhythm, sampling),
        extensions=_mean(pairs, lambda s: s.extensions),
        drum_kit=drummer.drum_kit,
        drums=drummer.drums,
        fills=drummer.fills or tuple(f for s, _ in pairs for f in s.fills),
        bass_style=_draw(rng, pairs, lambda s: s.bass_style, sampling),
        bass_octave=round(_mean(pairs, lambda s: s.bass_octave)),
        chord_style=_draw(rng, pairs, lambda s: s.chord_style, sampling),
        melody=_melody(pairs, rng, sampling),
        instruments=instruments,
        sections=_draw(rng, pairs, lambda s: s.sections, sampling),
        mix=_pooled(pairs, lambda s: s.mix, lambda k: 0.5),
        section_energy=_pooled(pairs, lambda s: s.section_energy, lambda k: ENERGY.get(k, 0.6)),
    )


def _known(mode: str) -> str | None:
    try:
        return normalise_mode(mode)
    except TheoryError:
        return None


def choose_scale(spec: MusicSpec, style: StyleProfile, intent: Intent, rng: np.random.Generator) -> Scale:
    """The home key: the spec's when explicit, else the style's modes bent by the moods."""
    if "mode" in spec.explicit or ("key" in spec.explicit and _known(spec.mode)):
        return Scale.of(spec.key_tonic, spec.mode)
    weights: dict[str, float] = {}
    for mode, weight in style.modes.items():
        name = _known(mode)
        if name is not None:
            weights[name] = weights.get(name, 0.0) + weight
    asked = _known(spec.mode)
    if asked is not None:  # the understood mode counts as a vote of its own
        weights[asked] = weights.get(asked, 0.0) + 0.5 * max(weights.values(), default=1.0)
    for mode in weights:  # a mode the style's progressions do not fit is chosen less
        weights[mode] *= style_fit(style, Scale.of(spec.key_tonic, mode)) ** 4
    total = sum(weights.values()) or 1.0
    for mode, factor in intent.mode_factors.items():
        if mode in weights:
            weights[mode] *= factor
        elif factor > 1.5 and mode in MODES:  # a strong mood may bring a mode the style lacks
            weights[mode] = 0.4 * (factor - 1.0) * intent.pull * total
    names = sorted(weights)
    if not names:
        return Scale.of(spec.key_tonic, "major")
    mode = choose(rng, names, [weights[n] for n in names], spec.sampling)
    return Scale.of(spec.key_tonic, mode if mode in MODES or mode in SUBSETS else "major")
