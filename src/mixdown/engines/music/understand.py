"""Prompt understanding: a prompt plus Muzaic-style parameters and tags -> ``MusicSpec``.

Values the prompt states outright (BPM, key, mode, meter, duration, instruments) are honoured
exactly and listed in ``MusicSpec.explicit``; the rest come from the matched styles, chosen
deterministically from ``seed``: one random stream per decision and main style, so changing how
one value is chosen never moves another, and one seed does not put every style in the same key.

Validation errors (bad params, unknown or incompatible tags, impossible stated values) raise
``ValueError`` with a message naming the field; the API layer answers 422.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence

import numpy as np

from mixdown.engines.music.genre_words import FAMILY_KEYS
from mixdown.engines.music.lexicon import BRIGHT_MOODS, DARK_MOODS
from mixdown.engines.music.params import MusicParams, parse_params, tempo_in_range
from mixdown.engines.music.prompt_parse import ParsedPrompt, parse_prompt
from mixdown.engines.music.prompt_values import check_duration
from mixdown.engines.music.spec import Curve, MusicSpec, Sampling, StyleWeight
from mixdown.engines.music.style import StyleProfile, load_styles
from mixdown.engines.music.style_match import Embedder, match_styles
from mixdown.engines.music.tags import TagHints, tag_hints, validate_tags

# With nothing to go on (no prompt, no tags) the seed picks one of these.
DEFAULT_STYLES = ("pop", "corporate", "lofi_hip_hop", "cinematic_orchestral", "ambient", "house")
MINOR_FAMILY = frozenset({"minor", "dorian", "phrygian", "locrian", "harmonic_minor", "melodic_minor"})
# Brightness of each mode (lydian brightest, locrian darkest): moods lean the choice among a style's modes.
MODE_BRIGHTNESS = {"lydian": 1.0, "major": 0.85, "mixolydian": 0.7, "dorian": 0.5, "melodic_minor": 0.45,
                   "minor": 0.35, "harmonic_minor": 0.3, "phrygian": 0.15, "locrian": 0.0}  # fmt: skip
_PARAM_SPREAD = {"intensity": 3.0, "tone": 2.5, "rhythm": 2.0, "variance": 2.0}


def stable_id(label: str) -> int:
    """A stable 64-bit number for a label (Python's ``hash`` changes between runs)."""
    return int.from_bytes(hashlib.sha256(label.encode()).digest()[:8], "big")


def rng_for(seed: int, label: str) -> np.random.Generator:
    """The random stream for one decision of one request."""
    return np.random.default_rng(np.random.SeedSequence([seed & 0xFFFFFFFFFFFFFFFF, stable_id(label)]))


def understand(
    prompt: str,
    *,
    duration: float,
    sample_rate: int = 44100,
    instrumental: bool = True,
    params: Mapping[str, int | list[list[float]]] | None = None,
    tags: Sequence[int] = (),
    sampling: Sampling = Sampling(),
    seed: int = 0,
    duration_explicit: bool = True,
    embedder: Embedder | None = None,
) -> MusicSpec:
    """What the request asks for, as a ``MusicSpec``.

    ``duration_explicit=False`` means the caller's ``duration`` is only a default (the request did
    not set it), so a length stated in the prompt ("2 minutes") wins. ``embedder`` replaces the
    sentence-embedding model (tests); by default all-MiniLM-L6-v2 loads on first use.
    """
    if not (math.isfinite(duration) and duration > 0):
        raise ValueError(f"duration must be a positive number of seconds, got {duration!r}")
    music_params = parse_params(params)
    tag_ids = validate_tags(tags)
    hints = tag_hints(tag_ids)
    parsed = parse_prompt(prompt)
    styles = _choose_styles(parsed, hints, seed, embedder)
    main = load_styles()[styles[0].name]
    moods = tuple(dict.fromkeys(parsed.moods + hints.moods))
    instruments = tuple(
        i for i in dict.fromkeys(parsed.instruments + hints.instruments) if i not in parsed.excluded
    )
    key_tonic, mode = _choose_key(parsed, main, moods, seed)
    length = (
        check_duration(parsed.duration)
        if (parsed.duration is not None and not duration_explicit)
        else duration
    )
    curves = _curves(parsed, hints, music_params)
    explicit = _explicit(
        parsed, music_params, instruments, moods, duration_explicit or parsed.duration is not None
    )
    return MusicSpec(
        prompt=prompt,
        styles=styles,
        bpm=_choose_bpm(parsed, music_params, main, seed),
        key_tonic=key_tonic,
        mode=mode,
        meter=parsed.meter or main.meter,
        duration=float(length),
        sample_rate=sample_rate,
        instruments=instruments,
        moods=moods,
        structure=parsed.structure,
        instrumental=instrumental,
        intensity=curves["intensity"],
        rhythm=curves["rhythm"],
        tone=curves["tone"],
        variance=curves["variance"],
        sampling=sampling,
        tags=tag_ids,
        explicit=explicit,
    )


def _choose_styles(
    parsed: ParsedPrompt, hints: TagHints, seed: int, embedder: Embedder | None
) -> tuple[StyleWeight, ...]:
    if not parsed.text.strip() and not hints.text and not hints.styles:
        options = [s for s in DEFAULT_STYLES if s in load_styles()] or sorted(load_styles())
        return (StyleWeight(options[int(rng_for(seed, "default-style").integers(len(options)))], 1.0),)
    return match_styles(parsed, boosts=hints.styles, extra_text=hints.text, embedder=embedder)


def _choose_bpm(parsed: ParsedPrompt, music_params: MusicParams, main: StyleProfile, seed: int) -> float:
    if parsed.bpm is not None:
        return parsed.bpm
    low, high = parsed.bpm_range or main.tempo
    if music_params.tempo is not None:
        return tempo_in_range(music_params.tempo, low, high)
    centre = 0.5 + 0.35 * (parsed.adjust.get("tempo", 0.0))
    start, stop = max(0.0, centre - 0.25), min(1.0, centre + 0.25)
    return float(round(low + (high - low) * rng_for(seed, f"bpm|{main.name}").uniform(start, stop)))


def _choose_key(parsed: ParsedPrompt, main: StyleProfile, moods: Sequence[str], seed: int) -> tuple[int, str]:
    if parsed.key_tonic is not None:
        tonic = parsed.key_tonic
    else:
        prefs = FAMILY_KEYS.get(main.family, {})
        weights = np.array([prefs.get(pc, 0.0 if prefs else 1.0) for pc in range(12)], dtype=float)
        tonic = int(rng_for(seed, f"key|{main.name}").choice(12, p=weights / weights.sum()))
    if parsed.mode is not None:
        return tonic, parsed.mode
    names = sorted(main.modes)
    dark, bright = bool(DARK_MOODS.intersection(moods)), bool(BRIGHT_MOODS.intersection(moods))
    weights = np.array([main.modes[m] * _mood_factor(m, dark, bright) for m in names], dtype=float)
    return tonic, names[int(rng_for(seed, f"mode|{main.name}").choice(len(names), p=weights / weights.sum()))]


def _mood_factor(mode: str, dark: bool, bright: bool) -> float:
    """Dark moods favour the style's darker modes, bright moods its brighter ones."""
    brightness = MODE_BRIGHTNESS.get(mode, 0.5)
    return (1.0 + 3.0 * (1.0 - brightness) if dark else 1.0) * (1.0 + 3.0 * brightness if bright else 1.0)


def _curves(parsed: ParsedPrompt, hints: TagHints, music_params: MusicParams) -> dict[str, Curve]:
    """The four curves: the request's, else nudged from 5 by the prompt's words (and an energy tag)."""
    curves: dict[str, Curve] = {}
    for name, spread in _PARAM_SPREAD.items():
        if name in music_params.curves:
            curves[name] = music_params.curves[name]
            continue
        value = 5.0 + spread * parsed.adjust.get(name, 0.0)
        if name == "intensity" and hints.energy is not None:
            value += 4.0 * hints.energy
        value = round(min(9.0, max(1.0, value)), 2)
        if name == "intensity" and parsed.ramp:
            curves[name] = Curve(((0.0, max(1.0, value - 2.5)), (1.0, min(9.0, value + 2.5))))
        else:
            curves[name] = Curve.constant(value)
    return curves


def _explicit(
    parsed: ParsedPrompt,
    music_params: MusicParams,
    instruments: Sequence[str],
    moods: Sequence[str],
    duration_stated: bool,
) -> frozenset[str]:
    stated = {
        "bpm": parsed.bpm is not None,
        "key": parsed.key_tonic is not None,
        "mode": parsed.mode is not None,
        "meter": parsed.meter is not None,
        "duration": duration_stated,
        "instruments": bool(instruments),
        "moods": bool(moods),
        "structure": bool(parsed.structure),
    }
    return frozenset(name for name, yes in stated.items() if yes) | music_params.given
