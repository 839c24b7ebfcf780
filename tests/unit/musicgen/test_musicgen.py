"""The MusicGen engine end to end on tiny random checkpoints: discovery, load, generate, registry."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from mixdown.engines._musicgen_runtime import ChromaSpec, chroma_features
from mixdown.engines.musicgen import MusicGenEngine, fit_length, plan_windows, splice
from mixdown.engines.registry import EngineRegistry, engines_view
from mixdown.errors import EngineUnavailable, ValidationFailed

# The tiny models run at 32 kHz and 50 code frames per second; a 0.5 s window keeps tests fast.
WINDOW = 0.5


@pytest.fixture(scope="module")
def engine(models_dir: Path) -> MusicGenEngine:
    return MusicGenEngine(models_dir, device="cpu", window_seconds=WINDOW, context_seconds=0.2)


def _generate(engine: MusicGenEngine, **overrides: object) -> np.ndarray:
    args: dict[str, object] = {
        "duration": 0.4,
        "seed": 3,
        "sample_rate_out": 32000,
        "checkpoint": "musicgen-tiny",
    }
    args.update(overrides)
    return engine.generate("warm analog bass", **args)  # type: ignore[arg-type]


def _sine(seconds: float, rate: int, freq: float = 440.0) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


# Availability and discovery.


def test_unavailable_without_a_musicgen_folder(tmp_path: Path) -> None:
    state = MusicGenEngine(tmp_path).availability()
    assert not state.available
    assert state.reason == f"no folder {tmp_path}/musicgen-* (see docs/musicgen.md)"


def test_unavailable_when_models_dir_does_not_exist(tmp_path: Path) -> None:
    state = MusicGenEngine(tmp_path / "absent").availability()
    assert not state.available
    assert "no folder" in (state.reason or "")


@pytest.mark.parametrize(
    ("remove", "reason"),
    [
        ("config.json", "config.json missing"),
        ("model.safetensors", "weights file missing"),
        ("tokenizer.json", "tokenizer files missing"),
    ],
)
def test_incomplete_folder_says_what_is_missing(
    models_dir: Path, tmp_path: Path, remove: str, reason: str
) -> None:
    # Given a copy of a good checkpoint with one file taken out
    folder = tmp_path / "musicgen-small"
    shutil.copytree(models_dir / "musicgen-tiny", folder)
    (folder / remove).unlink()
    # Then the engine is unavailable and names the file
    state = MusicGenEngine(tmp_path).availability()
    assert not state.available
    assert state.reason is not None
    assert state.reason.startswith(f"musicgen-small: {reason}")


def test_a_non_musicgen_config_is_refused(models_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "musicgen-fake"
    shutil.copytree(models_dir / "musicgen-tiny", folder)
    (folder / "config.json").write_text(json.dumps({"model_type": "bert"}))
    assert "model_type=bert" in (MusicGenEngine(tmp_path).availability().reason or "")


def test_available_with_the_tiny_checkpoints(engine: MusicGenEngine) -> None:
    assert engine.availability().available
    found = {c.name: c for c in engine.checkpoints()}
    assert set(found) == {"musicgen-tiny", "musicgen-melody-tiny"}
    assert found["musicgen-melody-tiny"].melody
    assert not found["musicgen-tiny"].melody
    assert found["musicgen-tiny"].sample_rate == 32000


def test_bad_device_setting_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="device"):
        MusicGenEngine(tmp_path, device="gpu")


# Generation.


@pytest.mark.parametrize(("rate", "duration"), [(32000, 0.4), (44100, 0.7)])
def test_generate_gives_exact_length(engine: MusicGenEngine, rate: int, duration: float) -> None:
    audio = _generate(engine, duration=duration, sample_rate_out=rate)
    assert audio.dtype == np.float32
    assert audio.shape == (round(duration * rate), 1)
    assert np.all(np.isfinite(audio))
    assert np.abs(audio).max() > 0


def test_load_is_cached(engine: MusicGenEngine) -> None:
    assert engine.load("musicgen-tiny") is engine.load("musicgen-tiny")


def test_same_seed_same_audio_other_seed_other_audio(engine: MusicGenEngine) -> None:
    first = _generate(engine, seed=11)
    again = _generate(engine, seed=11)
    other = _generate(engine, seed=12)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_generation_leaves_global_rng_alone(engine: MusicGenEngine) -> None:
    before = torch.random.get_rng_state()
    _generate(engine, seed=5)
    assert torch.equal(before, torch.random.get_rng_state())


def test_greedy_and_sampling_options_run(engine: MusicGenEngine) -> None:
    greedy = _generate(engine, temperature=0.0, guidance_scale=1.0)
    nucleus = _generate(engine, top_k=0, top_p=0.9, temperature=0.8)
    assert np.all(np.isfinite(greedy))
    assert np.all(np.isfinite(nucleus))


def test_long_duration_is_windowed_continuation(engine: MusicGenEngine) -> None:
    # Given a 0.5 s window with 0.2 s of context, 1.3 s needs 4 windows (25 + 15 + 15 + 10 frames)
    fractions: list[float] = []
    audio = _generate(engine, duration=1.3, sample_rate_out=44100, progress=fractions.append)
    # Then progress came once per window, ending at 1, and the length is exact
    assert len(fractions) == 4
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0
    assert audio.shape == (round(1.3 * 44100), 1)
    assert np.all(np.isfinite(audio))
    assert np.abs(audio[-4410:]).max() > 0  # the last window is real audio, not padding


def test_stereo_checkpoint_continues_in_stereo(stereo_models_dir: Path) -> None:
    stereo = MusicGenEngine(stereo_models_dir, device="cpu", window_seconds=WINDOW, context_seconds=0.2)
    fractions: list[float] = []
    audio = stereo.generate("x", duration=1.3, seed=1, sample_rate_out=48000, progress=fractions.append)
    assert audio.shape == (round(1.3 * 48000), 2)
    assert len(fractions) == 4
    assert np.all(np.isfinite(audio))


@pytest.mark.parametrize(
    "bad",
    [
        {"duration": 0.0},
        {"duration": 301.0},
        {"sample_rate_out": 1000},
        {"top_p": 1.5},
        {"temperature": -1.0},
    ],
)
def test_invalid_arguments_are_refused(engine: MusicGenEngine, bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        _generate(engine, **bad)


def test_unknown_checkpoint_is_refused(engine: MusicGenEngine) -> None:
    with pytest.raises(ValueError, match="unknown musicgen checkpoint"):
        _generate(engine, checkpoint="musicgen-huge")


def test_generate_without_weights_is_engine_unavailable(tmp_path: Path) -> None:
    with pytest.raises(EngineUnavailable, match="no folder"):
        MusicGenEngine(tmp_path).generate("x", duration=1.0, seed=1)


# Melody.


def test_melody_checkpoint_follows_a_melody(engine: MusicGenEngine) -> None:
    melody = (_sine(1.0, 44100), 44100)
    audio = _generate(
        engine, checkpoint="musicgen-melody-tiny", melody=melody, duration=0.6, sample_rate_out=44100
    )
    assert audio.shape == (round(0.6 * 44100), 1)
    assert np.all(np.isfinite(audio))
    assert np.abs(audio).max() > 0


def test_melody_picks_the_melody_checkpoint_and_continues(engine: MusicGenEngine) -> None:
    fractions: list[float] = []
    stereo_melody = np.stack([_sine(0.3, 22050), _sine(0.3, 22050, 330.0)], axis=1)
    audio = engine.generate(
        "folk", duration=0.9, seed=2, melody=(stereo_melody, 22050), progress=fractions.append
    )
    assert audio.shape == (round(0.9 * 32000), 1)
    assert len(fractions) == 3


def test_chroma_finds_the_pitch_class_of_each_note() -> None:
    # Given C4, E4 then G4, one second each, at the model rate
    notes = np.concatenate([_sine(1.0, 32000, f) for f in (261.63, 329.63, 392.0)])
    # Then the one-hot chroma (7.8 frames/s) names C, E, G in turn
    chroma = chroma_features(notes, ChromaSpec())
    assert chroma.shape == (1 + len(notes) // 4096, 12)
    assert np.all(chroma.sum(axis=1) == 1.0)
    dominant = chroma.argmax(axis=1)
    assert [dominant[3], dominant[11], dominant[19]] == [0, 4, 7]


def test_melody_on_a_plain_checkpoint_raises(engine: MusicGenEngine) -> None:
    with pytest.raises(ValueError, match="does not take a melody"):
        _generate(engine, melody=(_sine(1.0, 32000), 32000))


def test_melody_without_any_melody_checkpoint_raises(plain_models_dir: Path) -> None:
    plain = MusicGenEngine(plain_models_dir, device="cpu")
    with pytest.raises(ValueError, match="takes a melody"):
        plain.generate("x", duration=0.2, seed=1, melody=(_sine(1.0, 32000), 32000))


# Windowing helpers.


def test_plan_windows_covers_the_total() -> None:
    windows = plan_windows(65, window=25, context=10)
    assert windows[0].context == 0
    assert all(w.context == 10 for w in windows[1:])
    assert sum(w.new for w in windows) == 65
    assert windows[-1].end == 65


def test_plan_windows_refuses_context_not_below_window() -> None:
    with pytest.raises(ValueError):
        plan_windows(10, window=5, context=5)


def test_splice_length_and_crossfade_continuity() -> None:
    head = np.ones((2, 1000), dtype=np.float32)
    tail = np.zeros((2, 700), dtype=np.float32)
    joined = splice(head, tail, overlap=400, crossfade=100)
    assert joined.shape == (2, 1300)
    assert np.all(np.diff(joined[0]) <= 0)  # a monotone fade from head to tail, no click
    # The 100-sample fade sits mid-overlap: head kept to 750, tail from 850.
    np.testing.assert_array_equal(joined[:, :750], 1.0)
    np.testing.assert_array_equal(joined[:, 850:], 0.0)
    assert 0.0 < joined[0, 800] < 1.0


def test_fit_length_cuts_and_pads() -> None:
    samples = np.ones((10, 2), dtype=np.float32)
    assert fit_length(samples, 4).shape == (4, 2)
    padded = fit_length(samples, 12)
    assert padded.shape == (12, 2)
    assert padded[-1].tolist() == [0.0, 0.0]


# Registry and GET /v1/models view.


def test_registry_view_lists_musicgen_with_its_checkpoints(engine: MusicGenEngine) -> None:
    registry = EngineRegistry()
    registry.register_static("mixdown-composer", kind="music", description="embedded", default=True)
    registry.register(engine)
    rows = {row["id"]: row for row in engines_view(registry)}
    composer, musicgen = rows["mixdown-composer"], rows["musicgen"]
    assert composer["available"] is True
    assert composer["default"] is True
    assert musicgen["available"] is True
    assert musicgen["reason"] is None
    assert musicgen["default"] is False
    assert musicgen["kind"] == "music"
    assert musicgen["device"] == "cpu"
    assert musicgen["sample_rate"] == 32000
    assert musicgen["melody"] is True
    assert musicgen["max_duration"] == 300.0
    assert {c["name"] for c in musicgen["checkpoints"]} == {"musicgen-tiny", "musicgen-melody-tiny"}
    assert musicgen["default_checkpoint"] == "musicgen-tiny"


def test_registry_view_shows_the_reason_when_unavailable(tmp_path: Path) -> None:
    registry = EngineRegistry()
    registry.register(MusicGenEngine(tmp_path))
    (row,) = engines_view(registry)
    assert row["available"] is False
    assert "no folder" in row["reason"]
    assert row["checkpoints"] == []


def test_registry_resolves_default_and_refuses_unknown_or_unavailable(tmp_path: Path) -> None:
    registry = EngineRegistry()
    registry.register_static("mixdown-composer", kind="music", default=True)
    registry.register(MusicGenEngine(tmp_path))
    assert registry.resolve("music").name == "mixdown-composer"
    with pytest.raises(ValidationFailed):
        registry.resolve("music", "nope")
    with pytest.raises(EngineUnavailable, match="no folder"):
        registry.resolve("music", "musicgen")
    with pytest.raises(ValueError, match="already registered"):
        registry.register_static("mixdown-composer", kind="music")
