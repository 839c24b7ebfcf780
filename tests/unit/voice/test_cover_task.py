"""The cover task: parameters and refusals, and a run on a song with a known vocal and backing."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from pydantic import ValidationError

from mixdown.engines.voice import PRESET_NAMES
from mixdown.engines.voice.loudness import loudness_db
from mixdown.errors import ValidationFailed
from mixdown.tasks.cover import TASK, CoverParams
from mixdown.tasks.registry import load_builtin_registry
from mixdown.tasks.testing import MemoryTaskContext, inputs_from_file
from tests.unit.voice.cover_song import RATE, correlation, side, song
from tests.unit.voice.signals import shift_error_cents, vowel


def read(result: dict[str, Any]) -> np.ndarray:
    audio, rate = sf.read(io.BytesIO(result["data"]), dtype="float32", always_2d=True)
    assert rate == RATE
    return np.asarray(audio)


def test_registered_with_voice_change_parameters() -> None:
    spec = load_builtin_registry().get("cover")
    assert spec is TASK and spec.availability().available
    schema = spec.params_model.model_json_schema()["properties"]
    assert schema["voice_id"]["anyOf"][0]["enum"] == list(PRESET_NAMES)
    assert (schema["pitch"]["minimum"], schema["pitch"]["maximum"]) == (-24.0, 24.0)
    assert set(schema) == {"voice_id", "pitch", "formant", "quality", "vocal_level_db", "output_format"}


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"pitch": 25}, "pitch"),
        ({"pitch": "nan"}, "pitch"),
        ({"formant": 13}, "formant"),
        ({"voice_id": "banana"}, "voice_id"),
        ({"quality": "ultra"}, "quality"),
        ({"vocal_level_db": 13}, "vocal_level_db"),
        ({"output_format": "wma"}, "output_format"),
        ({"remove_background": True}, "remove_background"),
    ],
)
def test_invalid_parameters_name_the_field(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TASK.parse_params(raw)
    assert [error["loc"] for error in caught.value.errors()] == [(field,)]


def test_voice_names_are_normalised_as_voice_change_does() -> None:
    assert CoverParams.model_validate({"voice_id": "Deep_Male"}).voice_id == "deep-male"
    assert CoverParams.model_validate({"voice_id": "none", "pitch": 2}).voice_id is None


@pytest.mark.parametrize(
    ("raw", "field", "words"),
    [({}, "voice_id", "nothing to change"), ({"voice_id": "chipmunk", "pitch": 24}, "pitch", "+36")],
)
def test_refusals_that_need_the_input(tmp_path: Path, raw: dict[str, Any], field: str, words: str) -> None:
    path = tmp_path / "song.wav"
    sf.write(path, vowel(rate=RATE, seconds=0.5), RATE)
    with pytest.raises(ValidationFailed) as caught:
        TASK.check_params(TASK.parse_params(raw), inputs_from_file(path))
    assert caught.value.field == field and words in caught.value.message


def test_cover_shifts_the_vocal_keeps_the_backing_timing_and_loudness(tmp_path: Path) -> None:
    # Given 8 s of a song: a sung vocal centred over a stereo accompaniment, odd length, 16-bit
    mixture, vocal, backing = song()
    path = tmp_path / "song.wav"
    sf.write(path, mixture[:-7], RATE, subtype="PCM_16")
    inputs = inputs_from_file(path)
    params = TASK.parse_params({"pitch": -3, "quality": "fast"})
    TASK.check_params(params, inputs)
    ctx = MemoryTaskContext(work_dir=tmp_path)
    # When covered three semitones lower
    TASK.run(inputs, params, ctx)
    # Then the cover and both stems last exactly as long as the song
    cover, vocals, instrumental = (read(r) for r in ctx.results)
    assert [r["kind"] for r in ctx.results] == ["audio", "stem", "stem"]
    assert [r.get("stem") for r in ctx.results] == [None, "vocals", "instrumental"]
    assert cover.shape == vocals.shape == instrumental.shape == (mixture.shape[0] - 7, 2)
    # and the vocal stem sings 3 semitones lower, frame by frame (the timing is kept)
    assert abs(shift_error_cents(vocal[:-7], vocals.mean(axis=1), RATE, -3.0)) < 20.0
    # and the accompaniment is the song's: its side channel and the instrumental stem match it
    assert correlation(side(cover), side(backing[:-7])) > 0.95
    assert correlation(instrumental, backing[:-7]) > 0.9
    # and the stems sum to the cover, which is as loud as the song and does not clip
    np.testing.assert_allclose(vocals + instrumental, cover, atol=2e-4)
    assert abs(loudness_db(cover, RATE) - loudness_db(mixture, RATE)) < 0.5  # type: ignore[operator]
    assert float(np.abs(cover).max()) < 0.99
    meta = ctx.metadata
    assert meta["separation"]["engine"] in {"embedded", "demucs"}
    assert set(meta["separation"]["stems"]) == {"vocals", "instrumental"}
    assert meta["pitch_semitones"] == -3.0 and meta["voice_engine"] == "world"
    assert ctx.fractions[-1] == 1.0 and ctx.fractions == sorted(ctx.fractions)


def test_vocal_level_moves_the_balance(tmp_path: Path) -> None:
    mixture, _, _ = song()
    path = tmp_path / "song.wav"
    sf.write(path, mixture[: RATE * 3], RATE, subtype="FLOAT")
    shares = []
    for level in (-12.0, 0.0):
        ctx = MemoryTaskContext(work_dir=tmp_path / str(level))
        ctx.work_dir.mkdir()
        params = TASK.parse_params({"voice_id": "robot", "vocal_level_db": level})
        TASK.run(inputs_from_file(path), params, ctx)
        _, vocals, instrumental = (read(r) for r in ctx.results)
        shares.append(float(np.sum(vocals**2) / np.sum(instrumental**2)))
    assert shares[1] / shares[0] == pytest.approx(10 ** (12 / 10), rel=0.01)
