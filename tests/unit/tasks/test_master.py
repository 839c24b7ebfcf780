"""The master task: parameters, input checks, and whole runs measured on the written files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from pydantic import ValidationError

from mixdown.audio.codec import decode
from mixdown.audio.pcm import to_float32
from mixdown.engines.mastering import measure
from mixdown.errors import ValidationFailed
from mixdown.tasks.base import TaskInputs
from mixdown.tasks.master import TASK, target_for
from mixdown.tasks.registry import load_builtin_registry
from mixdown.tasks.testing import MemoryTaskContext, inputs_from_file
from tests.unit.mastering.signals import RATE, music_like, speech_like, tilted


def write(tmp_path: Path, name: str, audio: np.ndarray, rate: int = RATE, subtype: str = "PCM_16") -> Path:
    path = tmp_path / name
    sf.write(path, audio, rate, subtype=subtype)
    return path


def with_reference(main: Path, reference: Path) -> TaskInputs:
    return TaskInputs(
        audio={**inputs_from_file(main).audio, **inputs_from_file(reference, "reference").audio}
    )


def run(tmp_path: Path, inputs: TaskInputs, **raw: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    params = TASK.parse_params(raw)
    TASK.check_params(params, inputs)
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    ctx = MemoryTaskContext(work_dir=work)
    TASK.run(inputs, params, ctx)
    assert ctx.fractions[-1] == 1.0
    [result] = ctx.results
    return result, ctx.metadata


def measured(path: Path) -> tuple[float, float]:
    """(integrated LUFS, dBTP) of the file as written."""
    audio = decode(path)
    report = measure(to_float32(audio.samples), audio.sample_rate)
    assert report.integrated_lufs is not None and report.true_peak_db is not None
    return report.integrated_lufs, report.true_peak_db


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"target_lufs": -31}, "target_lufs"),
        ({"target_lufs": -4}, "target_lufs"),
        ({"target_lufs": -6, "true_peak_db": -3}, "target_lufs"),
        ({"true_peak_db": 0.5}, "true_peak_db"),
        ({"true_peak_db": -10}, "true_peak_db"),
        ({"preset": "loud"}, "preset"),
        ({"max_eq_db": 13}, "max_eq_db"),
        ({"output_format": "wma"}, "output_format"),
        ({"reference": "x"}, "reference"),
    ],
)
def test_invalid_parameters_name_the_field(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TASK.parse_params(raw)
    assert [error["loc"] for error in caught.value.errors()] == [(field,)]


def test_inputs_the_chain_cannot_take_are_refused(tmp_path: Path) -> None:
    params = TASK.parse_params({})
    surround = write(tmp_path, "surround.wav", np.zeros((RATE, 3), dtype=np.float32) + 0.1)
    with pytest.raises(ValidationFailed, match="mono or stereo") as caught:
        TASK.check_params(params, inputs_from_file(surround))
    assert caught.value.field == "input_audio"
    blip = write(tmp_path, "blip.wav", music_like()[: RATE // 4])
    with pytest.raises(ValidationFailed, match=r"lasts 0\.25 s") as caught:
        TASK.check_params(params, inputs_from_file(blip))
    assert caught.value.field == "input_audio"
    main = write(tmp_path, "main.wav", music_like())
    with pytest.raises(ValidationFailed) as caught:
        TASK.check_params(params, with_reference(main, blip))
    assert caught.value.field == "reference_audio"


@pytest.mark.parametrize(
    ("raw", "target", "ceiling"),
    [
        ({}, -14.0, -1.0),
        ({"target_lufs": -23, "true_peak_db": -2, "preset": "warm"}, -23.0, -2.0),
        ({"target_lufs": -9, "preset": "bright"}, -9.0, -1.0),
        ({"preset": "podcast"}, -16.0, -1.0),
    ],
)
def test_written_file_is_on_target_under_the_ceiling(
    tmp_path: Path, raw: dict[str, Any], target: float, ceiling: float
) -> None:
    main = write(tmp_path, "main.wav", music_like() * np.float32(0.2))
    result, meta = run(tmp_path, inputs_from_file(main), **raw)
    loudness, peak = measured(result["path"])
    assert abs(loudness - target) <= 0.5 and peak <= ceiling
    assert result["format"] == "wav" and result["bit_depth"] == 16 and result["channels"] == 2
    assert meta["target_lufs"] == target and meta["output"]["integrated_lufs"] == pytest.approx(
        target, abs=0.15
    )
    assert meta["input"]["integrated_lufs"] < -25 and meta["input"]["loudness_range_lu"] >= 0
    assert set(meta["output"]) == {"integrated_lufs", "true_peak_db", "loudness_range_lu", "sample_peak_db"}


def test_reference_sets_the_target_and_the_tone(tmp_path: Path) -> None:
    # Given a dull, quiet input and a bright reference mastered at -11 LUFS (48 kHz, mono: any shape)
    main = write(tmp_path, "main.flac", tilted(music_like(), -1.0) * np.float32(0.1))
    bright = tilted(music_like(seed=9), 1.0)[:, :1]
    reference_level = measure(bright, RATE).integrated_lufs
    assert reference_level is not None
    bright = bright * np.float32(10 ** ((-11.0 - reference_level) / 20))
    reference = write(tmp_path, "reference.wav", bright, subtype="FLOAT")
    result, meta = run(tmp_path, with_reference(main, reference))
    # Then the output sits at the reference's loudness with a treble lift and the default preset "none"
    loudness, peak = measured(result["path"])
    assert abs(loudness + 11.0) <= 0.5 and peak <= -1.0
    assert meta["target_source"] == "reference" and meta["preset"] == "none" and result["format"] == "flac"
    eq = meta["reference"]["eq_db"]
    assert eq["8000"] > eq["125"] + 3.0
    assert meta["reference"]["loudness"]["integrated_lufs"] == pytest.approx(-11.0, abs=0.05)


def test_lossy_output_is_on_target_as_decoded(tmp_path: Path) -> None:
    main = write(tmp_path, "speech.wav", speech_like())
    result, meta = run(tmp_path, inputs_from_file(main), output_format="mp3", preset="podcast")
    assert result["format"] == "mp3" and result["channels"] == 1
    loudness, peak = measured(result["path"])
    assert meta["encoded"]["true_peak_db"] == pytest.approx(peak, abs=0.01)
    assert meta["encoded"]["integrated_lufs"] == pytest.approx(loudness, abs=0.02)
    assert (abs(loudness + 16.0) <= 0.2 and peak <= -1.0) or meta["notes"]


def test_opus_output_is_mastered_at_48k(tmp_path: Path) -> None:
    main = write(tmp_path, "main.wav", music_like())
    result, meta = run(tmp_path, inputs_from_file(main), output_format="opus", target_lufs=-16)
    assert result["sample_rate"] == 48000
    loudness, _ = measured(result["path"])
    assert abs(loudness + 16.0) <= 0.5 and "encoded" in meta


def test_target_for_clamps_a_reference_loudness() -> None:
    params = TASK.parse_params({"true_peak_db": -1.0})
    assert target_for(params, "none", -3.0) == (-5.0, "reference")  # type: ignore[arg-type]
    assert target_for(params, "none", -40.0) == (-30.0, "reference")  # type: ignore[arg-type]
    assert target_for(params, "podcast", None) == (-16.0, "preset")
    explicit = TASK.parse_params({"target_lufs": -20.0})
    assert target_for(explicit, "podcast", -9.0) == (-20.0, "request")  # type: ignore[arg-type]


def test_cost_counts_the_main_input_only(tmp_path: Path) -> None:
    main = write(tmp_path, "main.wav", music_like())
    inputs = with_reference(main, main)
    params = TASK.parse_params({})
    assert TASK.credits(params, inputs) == pytest.approx(0.1)
    assert TASK.estimate_seconds(params, inputs) > TASK.estimate_seconds(params, inputs_from_file(main))
    assert TASK.extra_audio_fields == {"reference_audio": "reference"}
    assert "master" in load_builtin_registry()
