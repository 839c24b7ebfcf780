"""Every style, rendered: exact length, loudness, true peak, silence, stems sum, tempo and key heard back."""

from __future__ import annotations

from collections import Counter
from functools import cache
from typing import Any

import numpy as np
import pytest

from mixdown.engines.music.compose import compose
from mixdown.engines.music.produce import produce
from mixdown.engines.music.quality import quality_report
from mixdown.engines.music.spec import MusicSpec, StyleWeight
from mixdown.engines.music.style import load_styles

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

RATE = 22050
SECONDS = 16.0
STYLES = sorted(load_styles())


def spec_for(style: str) -> MusicSpec:
    profile = load_styles()[style]
    return MusicSpec(
        prompt=style,
        styles=(StyleWeight(style, 1.0),),
        bpm=profile.default_tempo,
        key_tonic=2,
        mode=max(profile.modes, key=lambda m: profile.modes[m]),
        meter=profile.meter,
        duration=SECONDS,
        sample_rate=RATE,
    )


@cache
def rendered(style: str) -> tuple[Any, Any, dict[str, Any]]:
    score = compose(spec_for(style), 11)
    production = produce(score, sample_rate=RATE)
    report = quality_report(
        production.mix,
        RATE,
        expected_duration=SECONDS,
        expected_bpm=score.bpm,
        expected_key=(score.key_tonic, score.mode),
    )
    return score, production, report


@pytest.mark.parametrize("style", STYLES)
def test_style_renders_sound_audio(style: str) -> None:
    _, production, report = rendered(style)
    assert production.mix.shape == (round(SECONDS * RATE), 2)
    assert report["technical_problems"] == [], report
    np.testing.assert_allclose(sum(production.stems.values()), production.premaster, atol=1e-5)


def test_tempo_and_key_are_heard_back_for_most_styles() -> None:
    tempo = Counter(rendered(s)[2]["tempo_relation"] for s in STYLES)
    key = Counter(rendered(s)[2]["key_relation"] for s in STYLES)
    # Tempo estimators legitimately read half or double time; a mismatch is a miss.
    assert tempo["mismatch"] <= 0.2 * len(STYLES), tempo
    assert key["mismatch"] <= 0.2 * len(STYLES), key
    assert key["match"] >= 0.5 * len(STYLES), key


def test_same_seed_same_samples_and_new_seed_new_music() -> None:
    score, production, _ = rendered("house")
    again = produce(compose(spec_for("house"), 11), sample_rate=RATE)
    other = produce(compose(spec_for("house"), 12), sample_rate=RATE)
    assert np.array_equal(production.mix, again.mix)
    assert not np.array_equal(production.mix, other.mix)
    assert score.duration == SECONDS
