"""The convert task: parameter rules, conversion results, progress, cancellation, cost."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from pydantic import ValidationError

from mixdown.audio.codec import decode, encode
from mixdown.audio.probe import probe
from mixdown.errors import JobCancelled, ValidationFailed
from mixdown.jobs.cost import CostBasis
from mixdown.jobs.states import TaskCategory
from mixdown.tasks.base import InputAudio, TaskInputs
from mixdown.tasks.convert import TASK, ConvertParams
from mixdown.tasks.registry import load_builtin_registry
from mixdown.tasks.testing import MemoryTaskContext, inputs_from_file


@lru_cache(maxsize=16)
def noise(frames: int, channels: int, seed: int = 0) -> np.ndarray:
    """24-bit integer noise at about -12 dBFS in mixdown's int32 layout, read-only."""
    rng = np.random.default_rng(seed)
    samples = rng.integers(-(2**21), 2**21, size=(frames, channels), dtype=np.int32) << 8
    samples.setflags(write=False)
    return samples


def make_input(
    tmp_path: Path, *, fmt: str = "wav", rate: int = 44100, channels: int = 2, seconds: float = 0.5
) -> TaskInputs:
    """A probed input file, as the API hands it to a task."""
    path = tmp_path / f"input.{fmt}"
    encode(noise(round(seconds * rate), channels), rate, path, format=fmt)
    return inputs_from_file(path)


def run(tmp_path: Path, inputs: TaskInputs, **raw: Any) -> MemoryTaskContext:
    params = TASK.parse_params(raw)
    TASK.check_params(params, inputs)
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    ctx = MemoryTaskContext(work_dir=work)
    TASK.run(inputs, params, ctx)
    return ctx


def error_fields(exc: ValidationError) -> list[str]:
    return [".".join(str(part) for part in error["loc"]) for error in exc.errors()]


# -- parameters ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [("vorbis", "ogg"), ("AAC", "m4a"), ("aif", "aiff"), ("oga", "ogg"), ("mp3", "mp3")],
)
def test_format_aliases_are_normalised(alias: str, canonical: str) -> None:
    assert ConvertParams.model_validate({"target_format": alias}).target_format == canonical


@pytest.mark.parametrize(("raw", "expected"), [(16, 16), ("24", 24), (32, "32f"), ("32f", "32f")])
def test_bit_depth_spellings(raw: int | str, expected: int | str) -> None:
    assert (
        ConvertParams.model_validate({"target_format": "wav", "target_bit_depth": raw}).target_bit_depth
        == expected
    )


@pytest.mark.parametrize(
    ("raw", "field", "rule"),
    [
        ({"target_format": "mp3", "target_bit_depth": 24}, "target_bit_depth", "mp3 is lossy"),
        (
            {"target_format": "flac", "target_bit_depth": "32f"},
            "target_bit_depth",
            "flac holds bit depths 16, 24",
        ),
        (
            {"target_format": "flac", "target_bit_depth": 32},
            "target_bit_depth",
            "flac holds bit depths 16, 24",
        ),
        ({"target_format": "wav", "target_bit_depth": 8}, "target_bit_depth", "unsupported bit depth"),
        ({"target_format": "flac", "bitrate": 192}, "bitrate", "lossy formats only"),
        ({"target_format": "mp3", "bitrate": 16}, "bitrate", "greater than or equal to 32"),
        ({"target_format": "mp3", "bitrate": 321}, "bitrate", "less than or equal to 320"),
        ({"target_format": "opus", "target_sr": 44100}, "target_sr", "opus holds only"),
        ({"target_format": "mp3", "target_sr": 96000}, "target_sr", "mp3 holds only"),
        ({"target_format": "wav", "target_sr": 4000}, "target_sr", "greater than or equal to 8000"),
        ({"target_format": "wav", "target_sr": 384000}, "target_sr", "less than or equal to 192000"),
        ({"target_format": "wav", "channels": 3}, "channels", "Input should be 1 or 2"),
        ({"target_format": "wma"}, "target_format", "unsupported audio format"),
        ({}, "target_format", "Field required"),
        ({"target_format": "wav", "volume": 2}, "volume", "Extra inputs are not permitted"),
    ],
)
def test_invalid_parameters_name_the_field_and_rule(raw: dict[str, Any], field: str, rule: str) -> None:
    with pytest.raises(ValidationError, match=rule) as caught:
        TASK.parse_params(raw)
    assert error_fields(caught.value) == [field]


def test_check_inputs_refuses_too_many_channels_for_the_format(tmp_path: Path) -> None:
    inputs = make_input(tmp_path, channels=4)
    with pytest.raises(ValidationFailed, match="mp3 holds at most 2") as caught:
        TASK.check_params(TASK.parse_params({"target_format": "mp3"}), inputs)
    assert caught.value.field == "channels"


def test_check_inputs_refuses_an_unsupported_downmix(tmp_path: Path) -> None:
    inputs = make_input(tmp_path, channels=4)
    with pytest.raises(ValidationFailed, match="use channels=1") as caught:
        TASK.check_params(TASK.parse_params({"target_format": "wav", "channels": 2}), inputs)
    assert caught.value.field == "channels"


# -- running ---------------------------------------------------------------------------------------


def test_lossless_conversion_keeps_everything_bit_exact(tmp_path: Path) -> None:
    # Given a 24-bit stereo WAV
    inputs = make_input(tmp_path, rate=44100, channels=2)
    # When it is converted to FLAC with no other option
    ctx = run(tmp_path, inputs, target_format="flac")
    # Then one FLAC result keeps rate, channels and depth, and the samples are the same
    [result] = ctx.results
    assert (result["kind"], result["format"]) == ("audio", "flac")
    assert (result["sample_rate"], result["channels"], result["bit_depth"]) == (44100, 2, 24)
    assert result["duration"] == pytest.approx(0.5)
    assert_array_equal(decode(result["path"]).samples, noise(22050, 2))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"target_format": "mp3"}, ("mp3", 44100, 2, None)),
        ({"target_format": "opus"}, ("opus", 48000, 2, None)),
        ({"target_format": "vorbis", "bitrate": 96}, ("ogg", 44100, 2, None)),
        ({"target_format": "aac", "channels": 1, "bitrate": 64}, ("m4a", 44100, 1, None)),
        ({"target_format": "aiff", "target_sr": 22050, "target_bit_depth": 16}, ("aiff", 22050, 2, 16)),
        ({"target_format": "wav", "target_bit_depth": 32}, ("wav", 44100, 2, 32)),
        ({"target_format": "wav", "channels": 1, "target_sr": 8000}, ("wav", 8000, 1, 24)),
    ],
)
def test_conversion_writes_what_was_asked(
    tmp_path: Path, raw: dict[str, Any], expected: tuple[str, int, int, int | None]
) -> None:
    ctx = run(tmp_path, make_input(tmp_path, rate=44100, channels=2), **raw)
    [result] = ctx.results
    info = probe(result["path"])
    assert (info.format, info.sample_rate, info.channels, info.bit_depth) == expected
    assert result["format"] == info.format
    assert (result["sample_rate"], result["channels"]) == (info.sample_rate, info.channels)
    # Every format keeps the duration to the sample at the output rate.
    assert info.frames == round(0.5 * info.sample_rate)
    assert result["duration"] == pytest.approx(info.duration)
    assert result["data"] == result["path"].read_bytes()


def test_lossy_results_record_their_bitrate(tmp_path: Path) -> None:
    [result] = run(tmp_path, make_input(tmp_path), target_format="mp3", bitrate=128).results
    assert result["bitrate"] == 128
    assert result["bit_depth"] is None


def test_lossy_input_converts_to_16_bit(tmp_path: Path) -> None:
    [result] = run(tmp_path, make_input(tmp_path, fmt="mp3"), target_format="wav").results
    assert result["bit_depth"] == 16
    assert probe(result["path"]).frames == 22050


def test_progress_and_metadata(tmp_path: Path) -> None:
    ctx = run(tmp_path, make_input(tmp_path), target_format="m4a")
    assert ctx.fractions == sorted(ctx.fractions)
    assert ctx.fractions[-1] == 1.0
    assert len(ctx.fractions) >= 3
    assert ctx.metadata["engine"] == "pyav"
    assert ctx.metadata["decoder"] == "soundfile"
    assert ctx.metadata["inference_time"] >= 0


def test_soundfile_engine_for_lossless(tmp_path: Path) -> None:
    assert run(tmp_path, make_input(tmp_path), target_format="flac").metadata["engine"] == "soundfile"


def test_cancelled_job_stops_at_the_next_progress_report(tmp_path: Path) -> None:
    inputs = make_input(tmp_path)
    ctx = MemoryTaskContext(work_dir=tmp_path)
    ctx.cancel()
    with pytest.raises(JobCancelled):
        TASK.run(inputs, TASK.parse_params({"target_format": "mp3"}), ctx)
    assert ctx.results == []


# -- the task's description ------------------------------------------------------------------------


def test_task_spec() -> None:
    assert TASK.name == "convert"
    assert (TASK.queue, TASK.category, TASK.takes_audio, TASK.engine) == (
        "audio",
        TaskCategory.CONVERSION,
        True,
        "dsp",
    )
    assert TASK.cost_rule.basis is CostBasis.INPUT
    assert "convert" in load_builtin_registry()


@pytest.mark.parametrize(("seconds", "credits"), [(0.5, 0.1), (60.0, 0.6), (600.0, 6.0)])
def test_cost_is_per_input_second_with_a_minimum(tmp_path: Path, seconds: float, credits: float) -> None:
    audio = make_input(tmp_path, rate=8000, seconds=0.1).main
    inputs = TaskInputs(audio={"audio": InputAudio(**{**audio.__dict__, "duration": seconds})})
    assert TASK.credits(TASK.parse_params({"target_format": "mp3"}), inputs) == credits


def test_estimate_grows_with_the_input(tmp_path: Path) -> None:
    params = TASK.parse_params({"target_format": "mp3"})
    short = make_input(tmp_path, seconds=0.1)
    assert (
        0
        < TASK.estimate_seconds(params, short)
        < TASK.estimate_seconds(params, make_input(tmp_path, seconds=2))
    )


# -- the in-memory context -------------------------------------------------------------------------


def test_memory_context_records_and_copies(tmp_path: Path) -> None:
    ctx = MemoryTaskContext(work_dir=tmp_path)
    path = tmp_path / "x.bin"
    path.write_bytes(b"abc")
    result_id = ctx.add_result(path, kind="audio", format="wav", duration=1.0)
    path.unlink()
    ctx.set_metadata(engine="dsp")
    ctx.progress(0.5, "half")
    assert ctx.results == [
        {"id": result_id, "path": path, "kind": "audio", "format": "wav", "data": b"abc", "duration": 1.0}
    ]
    assert ctx.metadata == {"engine": "dsp"}
    assert ctx.progress_calls == [(0.5, "half")]


def test_memory_context_refuses_progress_out_of_range(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"outside 0\.\.1"):
        MemoryTaskContext(work_dir=tmp_path).progress(1.5)


def test_memory_context_cancel(tmp_path: Path) -> None:
    ctx = MemoryTaskContext(work_dir=tmp_path)
    ctx.check_cancelled()
    ctx.cancel()
    with pytest.raises(JobCancelled):
        ctx.check_cancelled()
    with pytest.raises(JobCancelled):
        ctx.progress(0.1)
