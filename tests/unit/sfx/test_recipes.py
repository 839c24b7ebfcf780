"""Every recipe: exact length, real sound, no clipping, sensible loudness, distinct takes, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from mixdown.engines.sfx import RECIPES, Traits, get_recipe, render_sfx
from mixdown.engines.sfx.effects import loudness
from mixdown.engines.sfx.matching import SfxMatch
from mixdown.engines.sfx.render import CEILING_DBFS
from tests.unit.sfx import features
from tests.unit.sfx.sounds import RATES, mono_of, rendered

NAMES = sorted(RECIPES)
CEILING = 10 ** (CEILING_DBFS / 20)


def test_the_table_holds_at_least_thirty_named_described_recipes() -> None:
    assert len(RECIPES) >= 30
    for name, recipe in RECIPES.items():
        assert recipe.name == name
        assert recipe.keywords, name
        assert len(recipe.description) > 20, name


def test_an_unknown_recipe_is_a_key_error_listing_the_known_ones() -> None:
    with pytest.raises(KeyError, match="rain"):
        get_recipe("kazoo")


@pytest.mark.parametrize("sample_rate", RATES)
@pytest.mark.parametrize("name", NAMES)
def test_raw_recipe_output_is_stereo_float32_of_exact_length(name: str, sample_rate: int) -> None:
    # Given an odd duration that does not fall on a whole number of frames at either rate
    duration = 0.7371
    # When the recipe renders it
    audio = RECIPES[name](np.random.default_rng(5), duration, sample_rate, Traits())
    # Then it holds round(duration * rate) finite stereo float32 frames with sound in them
    assert audio.shape == (round(duration * sample_rate), 2)
    assert audio.dtype == np.float32
    assert np.isfinite(audio).all()
    assert np.abs(audio).max() > 1e-3


@pytest.mark.parametrize("sample_rate", RATES)
@pytest.mark.parametrize("name", NAMES)
def test_rendered_sound_is_exact_audible_unclipped_and_sensibly_loud(name: str, sample_rate: int) -> None:
    result = rendered(name, duration=1.5, sample_rate=sample_rate, seed=1)
    audio = result.audio
    assert audio.shape == (round(1.5 * sample_rate), 2)
    assert np.isfinite(audio).all()
    peak = float(np.abs(audio).max())
    assert peak <= CEILING + 1e-6
    assert peak > 0.05, "silent"
    # Not clipped: the limiter rounds peaks off, it does not flatten runs of samples at the ceiling.
    assert np.mean(np.abs(audio) > 0.99 * CEILING) < 0.005
    assert -36.0 < loudness(audio.astype(np.float64), sample_rate) < -12.0
    assert result.loudness == pytest.approx(loudness(audio.astype(np.float64), sample_rate), abs=0.05)


@pytest.mark.parametrize("name", NAMES)
def test_the_shortest_duration_still_makes_a_sound(name: str) -> None:
    audio = rendered(name, duration=0.1, sample_rate=22050, seed=2).audio
    assert audio.shape == (2205, 2)
    assert np.abs(audio).max() > 0.05


@pytest.mark.parametrize("name", NAMES)
def test_variations_are_audibly_different(name: str) -> None:
    # Given two takes of the same prompt with consecutive seeds
    a = mono_of(rendered(name, duration=3.0, seed=10))
    b = mono_of(rendered(name, duration=3.0, seed=11))
    # Then the waveforms are unrelated...
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.9
    # ...and the timbre (third-octave levels) or the shape in time differs noticeably.
    timbre = float(np.mean(np.abs(features.band_levels(a, 22050) - features.band_levels(b, 22050))))
    shape = float(
        np.corrcoef(features.envelope(a, 22050, hop=0.02), features.envelope(b, 22050, hop=0.02))[0, 1]
    )
    assert timbre > 1.0 or shape < 0.9, f"timbre differs by {timbre:.2f} dB, envelopes correlate {shape:.2f}"


@pytest.mark.parametrize("name", NAMES)
def test_the_same_seed_gives_the_same_samples(name: str) -> None:
    match = SfxMatch(recipe=name, traits=Traits(), method="default", scores=())
    first = render_sfx(name, duration=0.5, sample_rate=22050, seed=3, match=match).audio
    again = render_sfx(name, duration=0.5, sample_rate=22050, seed=3, match=match).audio
    np.testing.assert_array_equal(first, again)
