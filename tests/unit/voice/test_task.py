"""The voice-change task: parameters and refusals, the run (format, layout, length, pitch), metadata."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from pydantic import ValidationError

from mixdown.engines.voice import PRESET_NAMES
from mixdown.engines.voice.background import separation_availability
from mixdown.errors import ValidationFailed
from mixdown.tasks.registry import load_builtin_registry
from mixdown.tasks.testing import MemoryTaskContext, inputs_from_file
from mixdown.tasks.voice_change import TASK, VoiceChangeParams
from tests.unit.voice.signals import shift_error_cents, vowel

RATE = 44100


def write_wav(tmp_path: Path, audio: np.ndarray, rate: int = RATE, subtype: str = "PCM_16") -> Path:
    path = tmp_path / "voice.wav"
    sf.write(path, audio, rate, subtype=subtype)
    return path


def run_task(path: Path, tmp_path: Path, **raw: Any) -> tuple[dict[str, Any], MemoryTaskContext]:
    inputs = inputs_from_file(path)
    params = TASK.parse_params(raw)
    TASK.check_params(params, inputs)
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    ctx = MemoryTaskContext(work_dir=work)
    TASK.run(inputs, params, ctx)
    assert ctx.fractions[-1] == 1.0 and ctx.fractions == sorted(ctx.fractions)
    [result] = ctx.results
    return result, ctx


def check_refused(path: Path, field: str, **raw: Any) -> str:
    params = TASK.parse_params(raw)
    with pytest.raises(ValidationFailed) as caught:
        TASK.check_params(params, inputs_from_file(path))
    assert caught.value.field == field
    return caught.value.message


def test_registered_with_its_presets_in_the_schema() -> None:
    spec = load_builtin_registry().get("voice-change")
    assert spec is TASK and spec.availability().available
    schema = spec.params_model.model_json_schema()
    choices = schema["properties"]["voice_id"]["anyOf"][0]["enum"]
    assert choices == list(PRESET_NAMES)
    assert all(name in schema["properties"]["voice_id"]["description"] for name in PRESET_NAMES)


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"pitch": 24.5}, "pitch"),
        ({"pitch": "nan"}, "pitch"),
        ({"formant": -13}, "formant"),
        ({"voice_id": "banana"}, "voice_id"),
        ({"quality": "ultra"}, "quality"),
        ({"output": "both"}, "output"),
        ({"output_format": "wma"}, "output_format"),
        ({"bogus": 1}, "bogus"),
    ],
)
def test_invalid_parameters_name_the_field(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TASK.parse_params(raw)
    assert [error["loc"] for error in caught.value.errors()] == [(field,)]


def test_unknown_voice_lists_the_presets() -> None:
    with pytest.raises(ValidationError) as caught:
        TASK.parse_params({"voice_id": "banana"})
    assert all(name in str(caught.value) for name in PRESET_NAMES)


def test_voice_names_are_normalised() -> None:
    assert VoiceChangeParams.model_validate({"voice_id": "Deep_Male"}).voice_id == "deep-male"
    assert VoiceChangeParams.model_validate({"voice_id": "bright female"}).voice_id == "bright-female"
    assert VoiceChangeParams.model_validate({"voice_id": "none", "pitch": 2}).voice_id is None


def test_refusals_that_need_the_input(tmp_path: Path) -> None:
    path = write_wav(tmp_path, vowel(rate=RATE, seconds=0.5))
    assert "nothing to change" in check_refused(path, "voice_id")
    assert "+36" in check_refused(path, "pitch", voice_id="chipmunk", pitch=24)
    assert "-14" in check_refused(path, "formant", voice_id="monster", formant=-10)
    check_refused(path, "output", pitch=2, output="mix")


def test_remove_background_is_refused_by_field_until_a_separation_engine_exists(tmp_path: Path) -> None:
    path = write_wav(tmp_path, vowel(rate=RATE, seconds=0.5))
    if separation_availability().available:
        pytest.skip("a separation engine is installed here")
    message = check_refused(path, "remove_background", voice_id="robot", remove_background=True)
    assert "not available yet" in message


def test_run_keeps_rate_layout_length_and_shifts_the_pitch(tmp_path: Path) -> None:
    # Given 16-bit stereo at 44.1 kHz with an odd frame count
    mono = vowel(rate=RATE, seconds=1.0)[:44099]
    path = write_wav(tmp_path, np.stack([mono, 0.8 * mono], axis=1))
    # When lowered with a preset plus an extra semitone, to FLAC
    result, ctx = run_task(path, tmp_path, voice_id="deep-male", pitch=-1, output_format="flac")
    # Then the FLAC is 16-bit stereo of the same length, 7 semitones lower
    audio, rate = sf.read(io.BytesIO(result["data"]), dtype="float32", always_2d=True)
    info = sf.info(io.BytesIO(result["data"]))
    assert (info.format, info.subtype, rate, audio.shape) == ("FLAC", "PCM_16", RATE, (44099, 2))
    assert abs(shift_error_cents(mono, audio[:, 0], RATE, -7.0)) < 20.0
    meta = ctx.metadata
    assert meta["engine"] == "world" and meta["f0_tracker"] == "harvest" and meta["voice_id"] == "deep-male"
    assert (meta["pitch_semitones"], meta["formant_semitones"]) == (-7.0, -2.0)
    assert meta["f0_out_hz"] == pytest.approx(meta["f0_in_hz"] * 2 ** (-7 / 12), rel=0.01)
    assert meta["output_duration"] == meta["input_duration"] == pytest.approx(44099 / RATE)


def test_radio_alone_runs_no_vocoder_and_whisper_warns_about_pitch(tmp_path: Path) -> None:
    path = write_wav(tmp_path, vowel(rate=RATE, seconds=0.6), subtype="FLOAT")
    _, radio = run_task(path, tmp_path, voice_id="radio")
    assert radio.metadata["engine"] == "effects" and radio.metadata["f0_in_hz"] is None
    result, whisper = run_task(path, tmp_path, voice_id="whisper", pitch=3, quality="fast")
    assert whisper.metadata["warnings"] == ["pitch: a whisper has no pitch; the shift was ignored"]
    assert whisper.metadata["f0_tracker"] == "dio+stonemask" and whisper.metadata["f0_out_hz"] is None
    assert result["format"] == "wav" and result["bit_depth"] == "32f"  # float in, float out


def test_estimate_grows_with_channels_and_quality(tmp_path: Path) -> None:
    mono = vowel(rate=RATE, seconds=0.5)
    one = inputs_from_file(write_wav(tmp_path, mono))
    params = TASK.parse_params({"pitch": 3})
    fast = TASK.parse_params({"pitch": 3, "quality": "fast"})
    assert TASK.estimate_seconds(fast, one) < TASK.estimate_seconds(params, one)
    assert TASK.credits(params, one) == pytest.approx(0.1)  # the minimum
