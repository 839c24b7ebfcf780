"""``understand()``: explicit values honoured, the rest chosen from the styles by seed."""

from __future__ import annotations

import pytest

from mixdown.engines.music.spec import Curve, MusicSpec, Sampling
from mixdown.engines.music.style import load_styles
from mixdown.engines.music.understand import DEFAULT_STYLES, MINOR_FAMILY, understand

from .conftest import flat_embedder

STYLES = load_styles()


def spec(prompt: str, **kwargs: object) -> MusicSpec:
    kwargs.setdefault("duration", 60.0)
    kwargs.setdefault("embedder", flat_embedder)
    return understand(prompt, **kwargs)  # type: ignore[arg-type]


def test_melodic_techno_example() -> None:
    result = spec("Melodic techno, 126 BPM, analog bass, airy pads, female vocal textures")
    assert result.main_style == "techno"
    assert result.bpm == 126.0 and "bpm" in result.explicit
    assert {"analog bass", "pad", "female vocals"} <= set(result.instruments)
    assert "instruments" in result.explicit
    assert result.meter == (4, 4) and "meter" not in result.explicit
    assert result.mode in STYLES["techno"].modes and "key" not in result.explicit


def test_waltz_in_f_sharp_major() -> None:
    result = spec("waltz in F# major")
    assert result.main_style == "waltz"
    assert (result.meter, result.key_name) == ((3, 4), "F# major")
    assert {"key", "mode", "meter"} <= result.explicit


def test_lofi_in_b_flat_dorian() -> None:
    result = spec("lofi hip hop at 82bpm in Bb dorian")
    assert (result.main_style, result.bpm, result.key_tonic, result.mode) == (
        "lofi_hip_hop",
        82.0,
        10,
        "dorian",
    )
    assert {"bpm", "key", "mode"} <= result.explicit


def test_explicit_meter_overrides_the_style() -> None:
    result = spec("techno in 3/4")
    assert result.main_style == "techno" and result.meter == (3, 4) and "meter" in result.explicit


def test_same_seed_same_spec() -> None:
    first, second = spec("cinematic strings", seed=7), spec("cinematic strings", seed=7)
    assert first == second and first.hash(7) == second.hash(7)


def test_seed_chooses_tempo_key_and_mode_within_the_style() -> None:
    results = [spec("dubstep", seed=seed) for seed in range(12)]
    assert len({(r.bpm, r.key_tonic, r.mode) for r in results}) > 3
    low, high = STYLES["dubstep"].tempo
    for result in results:
        assert low <= result.bpm <= high and result.bpm == int(result.bpm)
        assert result.mode in STYLES["dubstep"].modes
        assert not {"bpm", "key", "mode", "meter"} & result.explicit


def test_one_seed_does_not_put_every_style_in_one_key() -> None:
    keys = {spec(name.replace("_", " "), seed=4).key_tonic for name in STYLES}
    assert len(keys) >= 6


def test_dark_moods_lean_to_darker_modes() -> None:
    def phrygian(prompt: str) -> int:
        return sum(spec(prompt, seed=seed).mode == "phrygian" for seed in range(150))

    assert phrygian("dark, ominous dubstep") > phrygian("dubstep")


def test_family_keys_prefer_guitar_keys_for_rock() -> None:
    tonics = {spec("rock", seed=seed).key_tonic for seed in range(40)}
    assert tonics <= {4, 9, 2, 7, 0, 11, 6}


def test_fast_and_slow_words_move_the_tempo() -> None:
    low, high = STYLES["house"].tempo
    fast = [spec("fast house", seed=s).bpm for s in range(10)]
    slow = [spec("slow house", seed=s).bpm for s in range(10)]
    assert min(fast) >= max(slow) and sum(fast) / 10 - sum(slow) / 10 >= 3  # upper vs lower half
    assert low <= min(slow) and max(fast) <= high


def test_duration_from_the_prompt_only_when_not_set() -> None:
    assert spec("2 minutes of ambient", duration=60, duration_explicit=False).duration == 120.0
    assert spec("2 minutes of ambient", duration=60, duration_explicit=True).duration == 60.0
    unset = spec("ambient", duration=60, duration_explicit=False)
    assert unset.duration == 60.0 and "duration" not in unset.explicit
    assert "duration" in spec("ambient", duration=45).explicit


def test_params_become_curves() -> None:
    result = spec("house", params={"intensity": [[0, 1], [50, 9], [100, 3]], "tone": 8})
    assert result.intensity == Curve(((0.0, 1.0), (0.5, 9.0), (1.0, 3.0)))
    assert result.tone == Curve.constant(8)
    assert result.rhythm == Curve.constant(5) and result.variance == Curve.constant(5)
    assert {"intensity", "tone"} <= result.explicit


def test_tempo_param_maps_into_the_style_range_unless_bpm_is_stated() -> None:
    low, high = STYLES["house"].tempo
    assert spec("house", params={"tempo": 1}).bpm == low
    assert spec("house", params={"tempo": 9}).bpm == high
    assert spec("house at 140 bpm", params={"tempo": 1}).bpm == 140.0


def test_prompt_words_nudge_the_curves_when_params_are_absent() -> None:
    calm = spec("calm, dark ambient")
    assert calm.intensity.at(0.5) < 5 and calm.tone.at(0.5) < 5
    rising = spec("cinematic piece that gradually builds")
    assert rising.intensity.at(0.0) < rising.intensity.at(1.0)
    assert spec("techno", tags=[306]).intensity.at(0.5) > 5
    assert spec("calm ambient", params={"intensity": 8}).intensity == Curve.constant(8)


def test_tags_pick_styles_moods_and_instruments() -> None:
    result = spec("", tags=[14, 103, 211])
    assert result.main_style == "techno" and result.tags == (14, 103, 211)
    assert "dark" in result.moods and "808" in result.instruments


def test_empty_request_picks_a_default_style_by_seed() -> None:
    chosen = {spec("", seed=seed).main_style for seed in range(20)}
    assert chosen <= set(DEFAULT_STYLES) and len(chosen) > 1
    assert spec("", seed=3) == spec("", seed=3)


def test_excluded_instruments_are_dropped() -> None:
    result = spec("pop with piano and no vocals", tags=[209])
    assert "piano" in result.instruments and "female vocals" in result.instruments
    assert "vocals" not in result.instruments


def test_pass_through_fields() -> None:
    sampling = Sampling(temperature=0.7, top_k=5, top_p=0.9, guidance_scale=4.0)
    result = spec("funk", sample_rate=48000, instrumental=False, sampling=sampling)
    assert (result.sample_rate, result.instrumental, result.sampling) == (48000, False, sampling)
    assert MusicSpec.from_dict(result.to_dict()) == result


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"params": {"tempo": [[0, 1], [100, 9]]}}, "tempo is static"),
        ({"params": {"tone": [[0, 1], [90, 9]]}}, "params.tone"),
        ({"tags": [101, 102]}, "incompatible"),
        ({"tags": [12345]}, "unknown tag"),
        ({"duration": 0}, "duration"),
        ({"duration": float("nan")}, "duration"),
    ],
)
def test_invalid_requests_raise_value_error(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        spec("house", **kwargs)


def test_impossible_stated_values_raise_value_error() -> None:
    with pytest.raises(ValueError, match="BPM"):
        spec("techno at 900 bpm")
    with pytest.raises(ValueError, match="1200"):
        spec("an hour-long 60 minutes of rain", duration_explicit=False)
    assert spec("60 minutes of rain", duration=30).duration == 30.0


@pytest.mark.usefixtures("embedding_model")
def test_with_real_embeddings() -> None:
    result = understand("warm jazzy chords for a late-night drive", duration=30.0, seed=1)
    assert result.styles and sum(s.weight for s in result.styles) == pytest.approx(1.0)
    assert result.key_tonic in range(12) and result.mode in STYLES[result.main_style].modes
    assert result.mode in MINOR_FAMILY or result.mode not in MINOR_FAMILY
