"""Rendered sounds shared by the sfx tests, cached so each is made once per session."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt

from mixdown.engines.sfx import SfxResult, Traits, render_sfx
from mixdown.engines.sfx.matching import SfxMatch, match_prompt

RATES = (22050, 48000)


@lru_cache(maxsize=256)
def rendered(
    recipe: str, *, duration: float = 2.0, sample_rate: int = 22050, seed: int = 0, traits: Traits = Traits()
) -> SfxResult:
    """``recipe`` rendered through the whole chain with the given traits (no prompt matching)."""
    match = SfxMatch(recipe=recipe, traits=traits, method="default", scores=())
    result = render_sfx(recipe, duration=duration, sample_rate=sample_rate, seed=seed, match=match)
    result.audio.setflags(write=False)
    return result


@lru_cache(maxsize=64)
def prompted(prompt: str, *, duration: float = 3.0, sample_rate: int = 22050, seed: int = 0) -> SfxResult:
    """``prompt`` matched by keywords only and rendered."""
    match = match_prompt(prompt, use_embeddings=False)
    return render_sfx(prompt, duration=duration, sample_rate=sample_rate, seed=seed, match=match)


def mono_of(result: SfxResult) -> npt.NDArray[np.float64]:
    """The result's channels averaged, as float64."""
    return np.asarray(np.asarray(result.audio, dtype=np.float64).mean(axis=1), dtype=np.float64)
