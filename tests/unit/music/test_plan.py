"""Plan: exact length, explicit tempo, form and energy."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mixdown.engines.music.plan import (
    MAX_TAIL,
    MIN_TAIL,
    fit_explicit,
    fit_tempo,
    fits,
    plan,
    quarters_per_bar,
    structure_hints,
)
from mixdown.engines.music.spec import Curve, MusicSpec, StyleWeight
from mixdown.engines.music.style import load_styles


def make_spec(style: str = "techno", duration: float = 60.0, **kw: object) -> MusicSpec:
    values: dict[str, object] = {
        "prompt": "test",
        "styles": (StyleWeight(style, 1.0),),
        "bpm": 128.0,
        "key_tonic": 9,
        "mode": "minor",
        "meter": (4, 4),
        "duration": duration,
    }
    values.update(kw)
    return MusicSpec(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("duration", [3.0, 7.5, 15.0, 30.0, 47.3, 60.0, 125.25, 301.0, 1200.0])
@pytest.mark.parametrize("meter", [(4, 4), (3, 4), (6, 8), (12, 8)])
def test_fit_tempo_lands_exactly(duration: float, meter: tuple[int, int]) -> None:
    bpm, bars, tail = fit_tempo(duration, meter, (100.0, 140.0), 120.0, 2.0)
    if duration >= 10:  # shorter pieces may need one bar at a tempo outside the range
        assert 100.0 <= bpm <= 140.0
    assert MIN_TAIL - 1e-9 <= tail <= MAX_TAIL + 1e-9
    assert math.isclose(bars * 60 / bpm * quarters_per_bar(meter) + tail, duration, abs_tol=1e-9)


@pytest.mark.parametrize("duration", [10.0, 33.3, 90.0, 600.0])
@pytest.mark.parametrize("bpm", [60.0, 97.0, 128.0, 174.0])
def test_fit_explicit_keeps_the_tempo(duration: float, bpm: float) -> None:
    bar = 60 / bpm * 4
    bars, tail = fit_explicit(duration, bar, 2.0)
    assert MIN_TAIL <= tail <= MAX_TAIL
    assert math.isclose(bars * bar + tail, duration)


def test_very_slow_explicit_tempo_still_fits_exactly() -> None:
    bars, tail = fit_explicit(20.0, 8.0, 2.0)  # 30 bpm: bars longer than any tail
    assert bars >= 1 and math.isclose(bars * 8.0 + tail, 20.0) and tail >= MIN_TAIL


def test_plan_honours_explicit_bpm_and_duration() -> None:
    spec = make_spec(duration=95.5, bpm=121.5, explicit=frozenset({"bpm"}))
    p = plan(spec, load_styles()["techno"], np.random.default_rng(0))
    assert p.bpm == 121.5
    assert fits(p) and p.duration == 95.5
    assert sum(s.bars for s in p.sections) == p.bars == len(p.bar_energy)


def test_free_tempo_stays_near_the_style_range() -> None:
    style = load_styles()["techno"]
    for duration in (20.0, 61.0, 240.0):
        p = plan(make_spec(duration=duration), style, np.random.default_rng(1))
        assert style.tempo[0] * 0.97 <= p.bpm <= style.tempo[1] * 1.03
        assert fits(p)


def test_sections_are_contiguous_and_in_phrases() -> None:
    p = plan(make_spec(duration=180.0), load_styles()["techno"], np.random.default_rng(2))
    bar = 0
    for section in p.sections:
        assert section.start_bar == bar and section.bars > 0
        bar += section.bars
    assert bar == p.bars
    assert sum(s.bars % 4 == 0 for s in p.sections) >= len(p.sections) - 1


def test_long_pieces_repeat_and_develop() -> None:
    p = plan(make_spec(duration=1200.0), load_styles()["techno"], np.random.default_rng(3))
    names = [s.name for s in p.sections]
    assert len(p.sections) > 10
    assert max(s.bars for s in p.sections) <= 40
    repeated = [n for n in set(names) if names.count(n) > 2]
    assert repeated
    for name in repeated:
        assert len({s.material for s in p.sections if s.name == name}) > 1


def test_energy_follows_sections_and_intensity() -> None:
    style = load_styles()["techno"]
    flat = plan(make_spec(duration=120.0), style, np.random.default_rng(4))
    drops = [
        flat.bar_energy[b]
        for s in flat.sections
        if s.name in ("drop", "peak")
        for b in range(s.start_bar, s.end_bar)
    ]
    intro = [flat.bar_energy[b] for b in range(flat.sections[0].bars)]
    assert min(drops) > max(intro)
    ramp = make_spec(
        duration=120.0, intensity=Curve(((0.0, 1.0), (1.0, 9.0))), explicit=frozenset({"intensity"})
    )
    rising = plan(ramp, style, np.random.default_rng(4))
    third = rising.bars // 3
    assert sum(rising.bar_energy[-third:]) > sum(rising.bar_energy[:third]) + 0.2 * third


def test_structure_words_bend_the_form() -> None:
    style = load_styles()["pop"]
    spec = make_spec("pop", duration=150.0, structure=("breakdown", "build-up"))
    names = [s.name for s in plan(spec, style, np.random.default_rng(5)).sections]
    assert "breakdown" in names and "build" in names
    assert structure_hints(("intro-drop", "Pre-Chorus")) == [["intro", "drop"], ["pre_chorus"]]
    edm = make_spec("pop", duration=150.0, structure=("intro-drop",))
    assert "drop" in [s.name for s in plan(edm, style, np.random.default_rng(5)).sections]


@pytest.mark.parametrize("duration", [1.0, 2.0, 4.0])
def test_tiny_pieces_still_plan(duration: float) -> None:
    p = plan(make_spec(duration=duration), load_styles()["techno"], np.random.default_rng(6))
    assert p.bars >= 1 and p.music_end > 0
    assert math.isclose(p.music_end + p.tail, duration)


def test_fade_out_lowers_the_last_section() -> None:
    style = load_styles()["pop"]
    plain = plan(make_spec("pop", duration=60.0), style, np.random.default_rng(7))
    faded = plan(make_spec("pop", duration=60.0, structure=("fade_out",)), style, np.random.default_rng(7))
    assert faded.bar_energy[-1] < 0.5 * plain.bar_energy[-1]
    assert (
        faded.bar_energy[: plain.sections[-1].start_bar] == plain.bar_energy[: plain.sections[-1].start_bar]
    )
