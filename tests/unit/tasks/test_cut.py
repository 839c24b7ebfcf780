"""The cut task: sample-accurate ranges, fades, end-of-input checks, cost."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from pydantic import ValidationError

from mixdown.audio.codec import decode, encode
from mixdown.audio.pcm import to_float32
from mixdown.audio.probe import probe
from mixdown.errors import ValidationFailed
from mixdown.jobs.cost import CostBasis
from mixdown.tasks.base import TaskInputs
from mixdown.tasks.cut import TASK, CutParams
from mixdown.tasks.registry import load_builtin_registry
from mixdown.tasks.testing import MemoryTaskContext, inputs_from_file


@lru_cache(maxsize=16)
def ramp_signal(frames: int, channels: int) -> np.ndarray:
    """A loud 16-bit square-ish wave whose samples all differ from zero, read-only."""
    t = np.arange(frames)
    wave = np.where((t // 50) % 2 == 0, 20000, -20000) + (t % 50)
    samples = np.repeat(wave[:, None], channels, axis=1).astype(np.int16)
    samples.setflags(write=False)
    return samples


def make_input(
    tmp_path: Path, *, fmt: str = "wav", rate: int = 44100, channels: int = 2, seconds: float = 2.0
) -> TaskInputs:
    """A probed input file, as the API hands it to a task."""
    path = tmp_path / f"input.{fmt}"
    encode(ramp_signal(round(seconds * rate), channels), rate, path, format=fmt)
    return inputs_from_file(path)


def run(tmp_path: Path, inputs: TaskInputs, **raw: Any) -> dict[str, Any]:
    params = TASK.parse_params(raw)
    TASK.check_params(params, inputs)
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    ctx = MemoryTaskContext(work_dir=work)
    TASK.run(inputs, params, ctx)
    assert ctx.fractions[-1] == 1.0
    [result] = ctx.results
    return result


# -- parameters ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "field", "rule"),
    [
        ({"start_time": 1.0, "end_time": 1.0}, "end_time", "must be greater than start_time"),
        ({"start_time": 2.0, "end_time": 1.0}, "end_time", "must be greater than start_time"),
        ({"start_time": -0.5, "end_time": 1.0}, "start_time", "greater than or equal to 0"),
        ({"start_time": 0.0, "end_time": 1.0, "fade_in": -5}, "fade_in", "greater than or equal to 0"),
        ({"start_time": 0.0, "end_time": 1.0, "fade_out": -1}, "fade_out", "greater than or equal to 0"),
        ({"start_time": 0.0}, "end_time", "Field required"),
        ({"start_time": 0.0, "end_time": float("inf")}, "end_time", "finite number"),
        (
            {"start_time": 0.0, "end_time": 1.0, "output_format": "wma"},
            "output_format",
            "unsupported audio format",
        ),
    ],
)
def test_invalid_parameters_name_the_field(raw: dict[str, Any], field: str, rule: str) -> None:
    with pytest.raises(ValidationError, match=rule) as caught:
        TASK.parse_params(raw)
    assert [error["loc"] for error in caught.value.errors()] == [(field,)]


def test_output_format_aliases_are_normalised() -> None:
    assert (
        CutParams.model_validate({"start_time": 0, "end_time": 1, "output_format": "vorbis"}).output_format
        == "ogg"
    )


@pytest.mark.parametrize("end_time", [2.01, 3.0, 100.0])
def test_end_beyond_the_input_is_refused_naming_end_time(tmp_path: Path, end_time: float) -> None:
    inputs = make_input(tmp_path, seconds=2.0)
    params = TASK.parse_params({"start_time": 0.5, "end_time": end_time})
    with pytest.raises(ValidationFailed, match="beyond the end of the input") as caught:
        TASK.check_params(params, inputs)
    assert caught.value.field == "end_time"


def test_start_beyond_the_input_is_refused(tmp_path: Path) -> None:
    inputs = make_input(tmp_path, seconds=2.0)
    params = TASK.parse_params({"start_time": 2.0, "end_time": 2.0005})
    with pytest.raises(ValidationFailed, match="no samples") as caught:
        TASK.check_params(params, inputs)
    assert caught.value.field == "end_time"


def test_end_a_rounding_error_past_the_input_means_the_end(tmp_path: Path) -> None:
    # A client that shows the duration rounded to the millisecond may send it back.
    inputs = make_input(tmp_path, rate=44100, seconds=1.23456)
    result = run(tmp_path, inputs, start_time=1.0, end_time=1.235)
    assert probe(result["path"]).frames == round(1.23456 * 44100) - 44100


# -- running ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "rate"),
    [
        (0.0, 2.0, 44100),
        (0.5, 1.5, 44100),
        (0.123456, 1.654321, 44100),
        (1.0, 1.0001, 48000),
        (0.25, 0.75, 8000),
    ],
)
def test_cut_is_sample_accurate_and_bit_exact(tmp_path: Path, start: float, end: float, rate: int) -> None:
    # Given a 2 s 16-bit WAV
    inputs = make_input(tmp_path, rate=rate, seconds=2.0)
    # When a range is cut
    result = run(tmp_path, inputs, start_time=start, end_time=end)
    # Then the output holds exactly the frames round(t * sr), unchanged
    first, last = round(start * rate), round(end * rate)
    output = decode(result["path"])
    assert output.frames == last - first
    assert_array_equal(output.samples, ramp_signal(round(2.0 * rate), 2)[first:last])
    assert (result["format"], result["sample_rate"], result["channels"], result["bit_depth"]) == (
        "wav",
        rate,
        2,
        16,
    )
    assert result["duration"] == pytest.approx((last - first) / rate)


def test_fades_ramp_from_and_to_silence(tmp_path: Path) -> None:
    inputs = make_input(tmp_path, rate=44100, seconds=2.0)
    result = run(tmp_path, inputs, start_time=0.5, end_time=1.5, fade_in=100, fade_out=250)
    output = to_float32(decode(result["path"]).samples)
    source = to_float32(ramp_signal(88200, 2)[22050:66150])
    gain_in, gain_out = np.arange(4410) / 4410, np.arange(11025)[::-1] / 11025
    # The first and last samples are silent and the ramps are linear in amplitude...
    assert np.all(output[0] == 0.0)
    assert np.all(output[-1] == 0.0)
    assert_allclose(output[:4410], source[:4410] * gain_in[:, None], atol=2e-5)
    assert_allclose(output[-11025:], source[-11025:] * gain_out[:, None], atol=2e-5)
    # ...and between them nothing changed.
    assert_array_equal(output[4410:-11025], source[4410:-11025])


def test_output_format_defaults_to_the_input_format(tmp_path: Path) -> None:
    result = run(tmp_path, make_input(tmp_path, fmt="flac"), start_time=0.1, end_time=0.6)
    info = probe(result["path"])
    assert (result["format"], info.format, info.bit_depth, info.frames) == ("flac", "flac", 16, 22050)


@pytest.mark.parametrize(("fmt", "rate"), [("mp3", 44100), ("ogg", 44100), ("m4a", 44100), ("opus", 48000)])
def test_lossy_cut_keeps_the_exact_length(tmp_path: Path, fmt: str, rate: int) -> None:
    result = run(tmp_path, make_input(tmp_path, rate=rate), start_time=0.3, end_time=1.1, output_format=fmt)
    info = probe(result["path"])
    assert (info.format, info.frames) == (fmt, round(1.1 * rate) - round(0.3 * rate))


def test_lossy_input_cut(tmp_path: Path) -> None:
    result = run(tmp_path, make_input(tmp_path, fmt="mp3"), start_time=0.2, end_time=0.7)
    info = probe(result["path"])
    assert (info.format, info.frames) == ("mp3", 22050)


def test_metadata(tmp_path: Path) -> None:
    inputs = make_input(tmp_path)
    ctx = MemoryTaskContext(work_dir=tmp_path)
    TASK.run(inputs, TASK.parse_params({"start_time": 0, "end_time": 1}), ctx)
    assert (ctx.metadata["engine"], ctx.metadata["decoder"]) == ("soundfile", "soundfile")
    assert ctx.fractions == sorted(ctx.fractions)


# -- the task's description ------------------------------------------------------------------------


def test_task_spec() -> None:
    assert (TASK.name, TASK.queue, TASK.takes_audio, TASK.engine) == ("cut", "audio", True, "dsp")
    assert TASK.cost_rule.basis is CostBasis.OUTPUT
    assert "cut" in load_builtin_registry()


@pytest.mark.parametrize(("start", "end", "credits"), [(0.0, 5.0, 0.1), (10.0, 40.0, 0.3), (0.0, 120.0, 1.2)])
def test_cost_counts_the_output_seconds(tmp_path: Path, start: float, end: float, credits: float) -> None:
    inputs = make_input(tmp_path, rate=8000, seconds=0.1)
    assert TASK.credits(TASK.parse_params({"start_time": start, "end_time": end}), inputs) == credits
