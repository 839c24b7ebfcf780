"""The speed task: parameters, the output-length cap, and runs through MemoryTaskContext."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from pydantic import ValidationError

from mixdown.audio.codec import decode, encode
from mixdown.errors import ValidationFailed
from mixdown.jobs.cost import CostBasis
from mixdown.tasks.base import TaskInputs
from mixdown.tasks.registry import load_builtin_registry
from mixdown.tasks.speed import MAX_OUTPUT_SECONDS, TASK
from mixdown.tasks.testing import MemoryTaskContext, inputs_from_file
from tests.unit.speed.signals import cents, peak_hz, tone

RATE = 22050


def make_input(tmp_path: Path, *, fmt: str = "wav", seconds: float = 1.5, channels: int = 2) -> TaskInputs:
    path = tmp_path / f"input.{fmt}"
    pcm = np.round(tone(440.0, seconds, RATE, channels) * 32767).astype(np.int16)
    encode(pcm, RATE, path, format=fmt)
    return inputs_from_file(path)


def run(tmp_path: Path, inputs: TaskInputs, **raw: Any) -> tuple[dict[str, Any], MemoryTaskContext]:
    params = TASK.parse_params(raw)
    TASK.check_params(params, inputs)
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    ctx = MemoryTaskContext(work_dir=work)
    TASK.run(inputs, params, ctx)
    assert ctx.fractions[-1] == 1.0
    [result] = ctx.results
    return result, ctx


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({}, "speed_change_factor"),
        ({"speed_change_factor": 0.2}, "speed_change_factor"),
        ({"speed_change_factor": 4.01}, "speed_change_factor"),
        ({"speed_change_factor": float("nan")}, "speed_change_factor"),
        ({"speed_change_factor": 2, "pitch_semitones": 13}, "pitch_semitones"),
        ({"speed_change_factor": 2, "preserve_pitch": "maybe"}, "preserve_pitch"),
        ({"speed_change_factor": 2, "output_format": "wma"}, "output_format"),
        ({"speed_change_factor": 2, "tempo": 3}, "tempo"),
    ],
)
def test_invalid_parameters_name_the_field(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TASK.parse_params(raw)
    assert [error["loc"] for error in caught.value.errors()] == [(field,)]


def test_an_output_too_long_is_refused(tmp_path: Path) -> None:
    inputs = make_input(tmp_path)
    long = TaskInputs(audio={"audio": inputs.main.__class__(**{**inputs.main.__dict__, "duration": 1000.0})})
    params = TASK.parse_params({"speed_change_factor": 1000.0 / (MAX_OUTPUT_SECONDS + 10)})
    with pytest.raises(ValidationFailed) as caught:
        TASK.check_params(params, long)
    assert caught.value.field == "speed_change_factor"


@pytest.mark.parametrize(("factor", "preserve"), [(0.5, True), (1.7, True), (0.8, False), (3.0, False)])
def test_run_changes_duration_exactly_and_reports_it(tmp_path: Path, factor: float, preserve: bool) -> None:
    inputs = make_input(tmp_path, seconds=1.5)
    result, ctx = run(tmp_path, inputs, speed_change_factor=factor, preserve_pitch=preserve)
    audio, rate = sf.read(result["path"], dtype="int16")
    assert rate == RATE and audio.shape == (round(1.5 * RATE / factor), 2)
    assert result["format"] == "wav" and result["bit_depth"] == 16
    expected_hz = 440.0 if preserve else 440.0 * factor
    assert abs(cents(peak_hz(audio / 32768.0, rate), expected_hz)) < 5.0
    meta = ctx.metadata
    assert meta["engine"] == ("rubberband" if preserve else "soxr")
    assert meta["input_duration"] == pytest.approx(1.5) and meta["output_duration"] == pytest.approx(
        1.5 / factor, abs=1e-4
    )


def test_pitch_shift_and_output_format(tmp_path: Path) -> None:
    inputs = make_input(tmp_path, seconds=1.0, channels=1)
    result, ctx = run(tmp_path, inputs, speed_change_factor=1.25, pitch_semitones=-12, output_format="flac")
    audio = decode(result["path"])
    assert result["format"] == "flac" and audio.channels == 1 and audio.frames == round(RATE / 1.25)
    assert abs(cents(peak_hz(audio.samples / 32768.0, RATE), 220.0)) < 5.0
    assert ctx.metadata["pitch_change_semitones"] == -12.0


def test_lossy_input_keeps_its_format(tmp_path: Path) -> None:
    inputs = make_input(tmp_path, fmt="mp3", seconds=1.0)
    result, _ = run(tmp_path, inputs, speed_change_factor=2.0)
    assert result["format"] == "mp3" and result["duration"] == pytest.approx(0.5, abs=0.03)


def test_cost_counts_output_seconds_and_registry_has_speed(tmp_path: Path) -> None:
    inputs = make_input(tmp_path, seconds=1.5)
    params = TASK.parse_params({"speed_change_factor": 0.25})
    assert TASK.cost_rule.basis is CostBasis.OUTPUT
    assert TASK.credits(params, inputs) == pytest.approx(max(0.1, 0.01 * 6.0))
    assert TASK.estimate_seconds(params, inputs) > 0.5
    assert "speed" in load_builtin_registry()
