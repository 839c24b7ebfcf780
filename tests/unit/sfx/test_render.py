"""The render chain: exact length, determinism, levels, and traits that change the sound as asked."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import kurtosis

from mixdown.engines.sfx import render_sfx
from mixdown.engines.sfx.effects import loudness
from mixdown.engines.sfx.render import CEILING_DBFS, TARGET_LUFS, target_lufs
from tests.unit.sfx import features as f
from tests.unit.sfx.sounds import mono_of, prompted

SR = 22050


def peak_db(x: np.ndarray) -> float:
    return 20 * math.log10(float(np.abs(x).max()))


def tail_seconds(x: np.ndarray, *, below_db: float = -30.0) -> float:
    """Seconds from the loudest 10 ms frame until the level stays ``below_db`` under it."""
    level = f.envelope_db(x, SR)
    start = int(np.argmax(level))
    loud = np.flatnonzero(level[start:] > below_db)
    return float(loud[-1] + 1) * 0.01


@pytest.mark.parametrize(("duration", "sample_rate"), [(1.2345, 44100), (0.1, 48000), (2.00001, 32000)])
def test_output_has_exactly_the_frames_asked_for(duration: float, sample_rate: int) -> None:
    result = render_sfx("rain", duration=duration, sample_rate=sample_rate, seed=0, use_embeddings=False)
    assert result.audio.shape == (round(duration * sample_rate), 2)
    assert result.frames == round(duration * sample_rate)
    assert result.duration == pytest.approx(duration, abs=1 / sample_rate)


def test_same_prompt_and_seed_give_identical_audio_and_the_next_seed_does_not() -> None:
    a = render_sfx("laser zap", duration=0.5, sample_rate=SR, seed=42, use_embeddings=False)
    b = render_sfx("laser zap", duration=0.5, sample_rate=SR, seed=42, use_embeddings=False)
    c = render_sfx("laser zap", duration=0.5, sample_rate=SR, seed=43, use_embeddings=False)
    np.testing.assert_array_equal(a.audio, b.audio)
    assert not np.array_equal(a.audio, c.audio)
    assert (a.seed, a.recipe, c.seed) == (42, "laser", 43)


def test_a_steady_sound_lands_on_the_target_loudness_under_the_ceiling() -> None:
    result = prompted("crowd murmur", duration=4.0)
    assert result.loudness == pytest.approx(TARGET_LUFS, abs=0.5)
    assert result.peak_dbfs <= CEILING_DBFS + 1e-6


def test_a_peaky_sound_is_limited_at_most_so_far_and_ends_quieter_than_the_target() -> None:
    result = prompted("ui click", duration=2.0)
    assert result.peak_dbfs == pytest.approx(CEILING_DBFS, abs=0.2)
    assert result.loudness < TARGET_LUFS


def test_distant_thunder_is_darker_and_quieter_than_close_thunder() -> None:
    # Given the same seed, so the strikes and rumbles are the same
    close = mono_of(prompted("close thunder", duration=6.0, seed=4))
    distant = mono_of(prompted("distant thunder", duration=6.0, seed=4))
    # Then the distant one has lost its highs and its peaks
    assert f.centroid(distant, SR) < 0.85 * f.centroid(close, SR)
    assert f.band_fraction(distant, SR, 1000, 11025) < 0.5 * f.band_fraction(close, SR, 1000, 11025)
    assert peak_db(distant) < peak_db(close) - 4.0


def test_distance_lowers_the_loudness_target() -> None:
    close, distant = prompted("close thunder").traits, prompted("distant thunder").traits
    assert target_lufs(distant) < target_lufs(close) - 6.0


@pytest.mark.parametrize("sound", ["explosion", "impact", "metal clang"])
def test_short_sounds_die_away_sooner_than_long_ones(sound: str) -> None:
    short = mono_of(prompted(f"short {sound}", duration=6.0, seed=2))
    long = mono_of(prompted(f"long {sound}", duration=6.0, seed=2))
    assert tail_seconds(short) < 0.7 * tail_seconds(long)


def test_heavy_footsteps_are_lower_than_light_ones() -> None:
    heavy = mono_of(prompted("heavy footsteps", duration=4.0, seed=1))
    light = mono_of(prompted("light footsteps", duration=4.0, seed=1))
    _, heavy_pitch, _ = f.tracks(heavy, SR)
    _, light_pitch, _ = f.tracks(light, SR)
    assert np.median(heavy_pitch) < np.median(light_pitch)


def test_a_fast_heartbeat_beats_faster_than_a_slow_one() -> None:
    fast = f.onsets(mono_of(prompted("fast heartbeat", duration=8.0)), SR, min_gap=0.1)
    slow = f.onsets(mono_of(prompted("slow heartbeat", duration=8.0)), SR, min_gap=0.1)
    assert len(fast) > 1.3 * len(slow)


def test_a_high_pitched_laser_is_higher_than_a_low_one() -> None:
    _, high, _ = f.tracks(mono_of(prompted("high pitched laser", duration=1.0)), SR, window=1024)
    _, low, _ = f.tracks(mono_of(prompted("low pitched laser", duration=1.0)), SR, window=1024)
    assert np.median(high) > 1.5 * np.median(low)


def test_a_cathedral_leaves_a_longer_tail_than_a_dry_room() -> None:
    wet = mono_of(prompted("knock in a cathedral", duration=4.0, seed=3))
    dry = mono_of(prompted("dry knock", duration=4.0, seed=3))
    assert tail_seconds(wet, below_db=-40) > 1.5 * tail_seconds(dry, below_db=-40)


def test_loud_and_quiet_prompts_move_the_loudness() -> None:
    loud = prompted("loud rain", duration=4.0).loudness
    quiet = prompted("quiet rain", duration=4.0).loudness
    assert loud - quiet > 5.0


def test_a_drizzle_is_separate_drops_and_a_downpour_a_roar() -> None:
    heavy = mono_of(prompted("torrential heavy rain", duration=4.0))
    light = mono_of(prompted("light drizzle", duration=4.0))
    assert kurtosis(light) > 5.0 * kurtosis(heavy)  # sparse drops are spiky, dense ones blend


def test_metallic_and_retro_change_the_sound() -> None:
    plain = mono_of(prompted("knock", duration=1.5, seed=5))
    metallic = mono_of(prompted("metallic knock", duration=1.5, seed=5))
    assert f.flatness(metallic, SR) < 0.8 * f.flatness(plain, SR)  # narrow resonances ring
    coin = prompted("coin", duration=1.0, seed=5)
    retro = prompted("retro coin", duration=1.0, seed=5)
    assert retro.traits.lofi > 0
    assert not np.allclose(coin.audio, retro.audio)


def test_the_result_reports_its_measured_loudness() -> None:
    result = prompted("wind", duration=3.0)
    assert result.loudness == pytest.approx(loudness(result.audio.astype(np.float64), SR), abs=0.05)
    assert result.peak_dbfs == pytest.approx(peak_db(result.audio), abs=0.01)


@pytest.mark.parametrize(
    ("prompt", "options", "message"),
    [
        ("  ", {}, "empty"),
        ("rain", {"duration": 0.0}, "duration"),
        ("rain", {"duration": 61.0}, "duration"),
        ("rain", {"duration": float("nan")}, "duration"),
        ("rain", {"sample_rate": 4000}, "sample_rate"),
    ],
)
def test_bad_arguments_are_refused(prompt: str, options: dict[str, float], message: str) -> None:
    arguments: dict[str, float] = {"duration": 1.0, "sample_rate": SR, **options}
    with pytest.raises(ValueError, match=message):
        render_sfx(prompt, duration=arguments["duration"], sample_rate=int(arguments["sample_rate"]), seed=0)
