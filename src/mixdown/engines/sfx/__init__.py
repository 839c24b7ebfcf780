"""The procedural sound-effect engine behind ``POST /v1/sfx`` ("Sound Generator").

A prompt is matched to one of the recipes in :data:`RECIPES` (keywords first,
sentence embeddings for ties and paraphrases), its traits ("heavy", "distant",
"short") are read, and the recipe synthesises the sound from numpy noise,
oscillators and filters; :func:`render_sfx` then places it in space and brings it
to a standard loudness. No model weights, nothing downloaded: every sound is
computed from the seed.

Modules: ``dsp`` (sources, envelopes, events, stereo), ``effects`` (filters,
reverb, distance, loudness, limiter), ``recipes`` (the sounds, by family),
``matching`` (prompt -> recipe + traits), ``render`` (the whole chain).
"""

from __future__ import annotations

from mixdown.engines.sfx.matching import SfxMatch, match_prompt, parse_traits
from mixdown.engines.sfx.recipes import RECIPES, Recipe, Traits, get_recipe
from mixdown.engines.sfx.render import SfxResult, render_sfx

__all__ = [
    "RECIPES",
    "Recipe",
    "SfxMatch",
    "SfxResult",
    "Traits",
    "get_recipe",
    "match_prompt",
    "parse_traits",
    "render_sfx",
]
