"""Continuation of input audio and melody conditioning through the generate task, and validation."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from pydantic import ValidationError

from mixdown.engines.music.analysis import analyse
from mixdown.errors import MixdownError
from mixdown.tasks.base import TaskInputs
from mixdown.tasks.generate import TASK, GenerateParams
from mixdown.tasks.testing import MemoryTaskContext, inputs_from_file
from tests.unit.music_building.pieces import RATE, rendered, tune_audio, write_pcm16


@pytest.fixture(scope="module")
def song(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _, mix = rendered("pop", 120.0, 9, "minor")
    return write_pcm16(tmp_path_factory.mktemp("in") / "song.wav", mix)


def _run(tmp: Path, inputs: TaskInputs, **raw: Any) -> MemoryTaskContext:
    ctx = MemoryTaskContext(work_dir=tmp)
    params = GenerateParams.model_validate(raw)
    TASK.check_params(params, inputs)
    TASK.run(inputs, params, ctx)
    return ctx


def _audio(result: dict[str, Any]) -> np.ndarray:
    data, _ = sf.read(io.BytesIO(result["data"]), dtype="int16")
    return np.asarray(data)


def test_continuation_joins_on_a_downbeat(song: Path, tmp_path: Path) -> None:
    # Given a 20 s pop piece at 120 bpm in A minor
    score, _ = rendered("pop", 120.0, 9, "minor")
    # When it is continued from 12.3 s for 10 s
    ctx = _run(
        tmp_path,
        inputs_from_file(song),
        params={"intensity": 7},
        continuation_start=12.3,
        duration=10,
        seed=3,
    )
    info = ctx.metadata["continuation"]
    mix = next(r for r in ctx.results if r["kind"] == "audio")
    out, original = _audio(mix), sf.read(song, dtype="int16")[0]
    # Then the start moved to the nearest downbeat, and the output is exactly start + duration long
    assert info["start"] == pytest.approx(round(12.3 / score.bar_seconds) * score.bar_seconds, abs=0.03)
    start, fade = round(info["start"] * RATE), round(info["crossfade"] * RATE)
    assert out.shape == (start + 10 * RATE, 2)
    assert info["crossfade"] == pytest.approx(score.beat_seconds, abs=0.01)
    # And everything before the crossfade is the input, sample for sample
    assert np.array_equal(out[: start - fade], original[: start - fade])
    assert not np.array_equal(out[start - fade : start], original[start - fade : start])
    # And the new part runs at the heard tempo, in the heard key
    assert info["analysis"]["bpm"] == pytest.approx(120.0, rel=0.01)
    assert ctx.metadata["bpm"] == pytest.approx(info["analysis"]["bpm"], abs=0.001)
    assert ctx.metadata["key"] == "A minor" == info["analysis"]["key"]
    heard = analyse(out[start:].astype(np.float32) / 32767, RATE)
    assert heard.bpm == pytest.approx(ctx.metadata["bpm"], rel=0.02)
    # And stems and MIDI are the new part, from the downbeat
    stems = [r for r in ctx.results if r["kind"] == "stem"]
    assert stems and all(r["duration"] == pytest.approx(10.0) for r in stems)
    assert all(r["offset"] == pytest.approx(info["start"]) for r in stems)
    assert any(r["kind"] == "midi" for r in ctx.results)


def test_continuation_defaults_to_the_end(song: Path, tmp_path: Path) -> None:
    ctx = _run(tmp_path, inputs_from_file(song), params={"intensity": 5}, duration=6, seed=1, stems=False)
    info = ctx.metadata["continuation"]
    assert info["requested_start"] == pytest.approx(20.0)
    assert 20.0 - 2.5 <= info["start"] <= 20.0
    out = _audio(next(r for r in ctx.results if r["kind"] == "audio"))
    assert out.shape[0] == round(info["start"] * RATE) + 6 * RATE


def test_melody_conditions_a_plain_generation(tmp_path: Path) -> None:
    melody = write_pcm16(tmp_path / "tune.wav", tune_audio(73))
    ctx = _run(
        tmp_path,
        inputs_from_file(melody, "melody"),
        params={"intensity": 6},
        duration=16,
        seed=2,
        melody_strength=1.0,
        stems=False,
    )
    assert ctx.metadata["melody"]["notes"] >= 16 and ctx.metadata["melody"]["key"] == "A minor"
    assert ctx.metadata["bpm"] == pytest.approx(110.0, rel=0.02) and ctx.metadata["key"] == "A minor"
    assert ctx.metadata["spec"]["melody_strength"] == 1.0 and ctx.metadata["spec"]["melody"]


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"prompt": "x", "melody_strength": 1.5}, "melody_strength"),
        ({"prompt": "x", "continuation_start": -1}, "continuation_start"),
        ({"prompt": "x", "operation": "extend", "extend_seconds": 5}, None),
        ({"prompt": "x", "from_hash": "a" * 32, "operation": "extend"}, None),
        ({"prompt": "x", "from_hash": "a" * 32, "extend_seconds": 5}, None),
        ({"prompt": "x", "from_hash": "a" * 32, "operation": "inpaint", "replace_start": 5}, None),
        (
            {
                "prompt": "x",
                "from_hash": "a" * 32,
                "operation": "inpaint",
                "replace_start": 5,
                "replace_end": 4,
            },
            None,
        ),
        ({"from_hash": "a" * 32, "operation": "remix"}, None),
    ],
)
def test_invalid_building_params(raw: dict[str, Any], field: str | None) -> None:
    with pytest.raises(ValidationError) as caught:
        GenerateParams.model_validate(raw)
    if field is not None:
        assert caught.value.errors()[0]["loc"][0] == field


def test_inputs_are_checked_against_the_request(song: Path) -> None:
    inputs = inputs_from_file(song)

    def field_of(given: TaskInputs = inputs, **raw: Any) -> str | None:
        with pytest.raises(MixdownError) as caught:
            TASK.check_params(GenerateParams.model_validate(raw), given)
        return caught.value.field

    assert field_of(prompt="x", continuation_start=25.0) == "continuation_start"
    assert field_of(TaskInputs(), prompt="x", continuation_start=5.0) == "continuation_start"
    assert field_of(prompt="x", from_hash="a" * 32) == "input_audio"
    assert field_of(prompt="x", stream=True) == "stream"


def test_generate_declares_its_audio_inputs() -> None:
    assert TASK.takes_audio and not TASK.audio_required
    assert TASK.audio_inputs == ("audio", "melody")
    assert TASK.extra_audio_fields == {"melody_audio": "melody"}
