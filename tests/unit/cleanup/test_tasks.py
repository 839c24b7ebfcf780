"""The denoise, dereverb and deecho tasks: parameters, formats, exact length and rate, metadata."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from mixdown.audio.codec import decode
from mixdown.audio.pcm import to_float32
from mixdown.audio.probe import probe
from mixdown.audio.resample import resample
from mixdown.engines.cleanup.measures import si_sdr
from mixdown.tasks import deecho, denoise, dereverb
from mixdown.tasks.base import TaskSpec
from mixdown.tasks.registry import load_builtin_registry
from mixdown.tasks.testing import MemoryTaskContext, inputs_from_file
from tests.cleanup_audio import add_echoes, mix_at_snr, wav_bytes_of, white

TASKS = {"denoise": denoise.TASK, "dereverb": dereverb.TASK, "deecho": deecho.TASK}


def write_input(tmp_path: Path, samples: np.ndarray, rate: int, name: str = "input.wav") -> Path:
    path = tmp_path / name
    path.write_bytes(wav_bytes_of(samples, rate))
    return path


def run_task(
    spec: TaskSpec, path: Path, tmp_path: Path, **raw: Any
) -> tuple[dict[str, Any], MemoryTaskContext]:
    inputs = inputs_from_file(path)
    params = spec.parse_params(raw)
    spec.check_params(params, inputs)
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    ctx = MemoryTaskContext(work_dir=work)
    spec.run(inputs, params, ctx)
    assert ctx.fractions[-1] == 1.0 and ctx.fractions == sorted(ctx.fractions)
    [result] = ctx.results
    return result, ctx


def test_the_three_tasks_are_registered_under_their_route_names() -> None:
    registry = load_builtin_registry()
    assert {"denoise", "dereverb", "deecho"} <= set(registry.names())
    assert all(registry.get(name).availability().available for name in TASKS)


@pytest.mark.parametrize(
    ("task", "raw", "field"),
    [
        ("denoise", {"strength": 1.5}, "strength"),
        ("denoise", {"strength": -0.1}, "strength"),
        ("denoise", {"engine": "rnnoise"}, "engine"),
        ("denoise", {"output_format": "wma"}, "output_format"),
        ("denoise", {"bogus": 1}, "bogus"),
        ("dereverb", {"taps": 0}, "taps"),
        ("dereverb", {"taps": 41}, "taps"),
        ("dereverb", {"delay": 0}, "delay"),
        ("dereverb", {"iterations": 11}, "iterations"),
        ("deecho", {"method": "lms"}, "method"),
        ("deecho", {"min_delay": 0.2, "max_delay": 0.1}, "max_delay"),
        ("deecho", {"max_delay": 3.0}, "max_delay"),
        ("deecho", {"max_echoes": 0}, "max_echoes"),
    ],
)
def test_invalid_parameters_name_the_field(task: str, raw: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TASKS[task].parse_params(raw)
    assert [error["loc"] for error in caught.value.errors()] == [(field,)]


@pytest.mark.parametrize("task", list(TASKS))
def test_rate_length_channels_and_bit_depth_are_kept(task: str, tmp_path: Path, voice16: np.ndarray) -> None:
    # Given 44.1 kHz 16-bit stereo (an odd frame count)
    mono = resample(voice16[:40001], from_rate=16000, to_rate=44100)[:, 0]
    noisy = mix_at_snr(mono, white(len(mono), seed=9), 15.0)
    stereo = np.stack([noisy, 0.8 * noisy], axis=1)
    path = write_input(tmp_path, stereo, 44100)
    # When the task runs with its defaults
    result, ctx = run_task(TASKS[task], path, tmp_path)
    # Then the output is a WAV with the input's rate, frames, channels and depth
    info = probe(result["path"])
    assert result["format"] == "wav" and (info.sample_rate, info.channels, info.bit_depth) == (44100, 2, 16)
    assert info.frames == len(stereo)
    assert ctx.metadata["inference_time"] >= 0 and ctx.metadata["engine"]


@pytest.mark.parametrize("fmt", ["flac", "mp3", "opus", "aiff"])
def test_output_format_is_selectable(fmt: str, tmp_path: Path, voice16: np.ndarray) -> None:
    path = write_input(tmp_path, mix_at_snr(voice16, white(len(voice16)), 10.0), 16000)
    result, _ = run_task(denoise.TASK, path, tmp_path, output_format=fmt, engine="noisereduce")
    info = probe(result["path"])
    assert result["format"] == fmt and info.sample_rate == 16000
    assert info.frames == len(voice16)


def test_denoise_metadata_reports_engine_and_snr(tmp_path: Path, voice16: np.ndarray) -> None:
    noisy = mix_at_snr(voice16, white(len(voice16), seed=1), 5.0)
    result, ctx = run_task(denoise.TASK, write_input(tmp_path, noisy, 16000), tmp_path, strength=0.9)
    meta = ctx.metadata
    assert meta["engine"] == "deepfilternet" and meta["model"].startswith("DeepFilterNet3")
    assert meta["attenuation_limit_db"] == pytest.approx(20.0)
    assert meta["snr_after_db"] > meta["snr_before_db"] + 10
    out = to_float32(decode(result["path"]).samples)[:, 0]
    assert si_sdr(out, voice16) - si_sdr(noisy, voice16) >= 6.0


def test_dereverb_metadata_reports_settings(tmp_path: Path, voice16: np.ndarray) -> None:
    from tests.cleanup_audio import reverberate

    wet, _ = reverberate(voice16, 16000)
    _, ctx = run_task(dereverb.TASK, write_input(tmp_path, wet, 16000), tmp_path, taps=12)
    meta = ctx.metadata
    assert (meta["engine"], meta["taps"], meta["delay"], meta["fft_size"], meta["hop"]) == (
        "nara-wpe",
        12,
        3,
        1024,
        256,
    )
    assert meta["energy_change_db"] < -1.0
    assert meta["dynamic_range_after_db"] > meta["dynamic_range_before_db"]


def test_deecho_metadata_lists_the_echoes(tmp_path: Path, voice16: np.ndarray) -> None:
    wet = add_echoes(voice16, 16000, [(0.25, -6.0)])
    _, ctx = run_task(deecho.TASK, write_input(tmp_path, wet, 16000), tmp_path)
    [echo] = ctx.metadata["echoes"]
    assert echo["channel"] == 0 and echo["delay_ms"] == 250.0
    assert echo["gain_db"] == pytest.approx(-6.0, abs=1.0)
    assert echo["level_before_db"] > -9.0 and echo["level_after_db"] < -25.0


def test_deecho_without_echo_returns_the_input_bit_exact(tmp_path: Path, voice16: np.ndarray) -> None:
    path = write_input(tmp_path, voice16, 16000)
    result, ctx = run_task(deecho.TASK, path, tmp_path)
    assert ctx.metadata["echoes"] == []
    np.testing.assert_array_equal(decode(result["path"]).samples, decode(path).samples)


@pytest.mark.parametrize(("task", "stage"), [("denoise", "denoised"), ("deecho", "deechoed")])
def test_cancelling_stops_the_engine_midway(
    task: str, stage: str, tmp_path: Path, voice16: np.ndarray
) -> None:
    from mixdown.errors import JobCancelled

    class CancelInEngine(MemoryTaskContext):
        """Cancels the job from the engine's own first progress report (the task's comes first)."""

        engine_reports = 0

        def progress(self, fraction: float, message: str | None = None) -> None:
            if message == stage:
                self.engine_reports += 1
                if self.engine_reports == 2:
                    self.cancel()
            super().progress(fraction, message)

    path = write_input(tmp_path, np.stack([voice16, voice16], axis=1), 16000)
    spec = TASKS[task]
    ctx = CancelInEngine(work_dir=tmp_path)
    with pytest.raises(JobCancelled):
        spec.run(inputs_from_file(path), spec.parse_params({}), ctx)
    assert ctx.engine_reports == 2 and ctx.results == []


@pytest.mark.parametrize("task", list(TASKS))
def test_estimates_and_cost_grow_with_the_input(task: str, tmp_path: Path, voice16: np.ndarray) -> None:
    spec = TASKS[task]
    short = inputs_from_file(write_input(tmp_path, voice16[:16000], 16000, "short.wav"))
    long = inputs_from_file(write_input(tmp_path, np.tile(voice16, 4), 16000, "long.wav"))
    params = spec.parse_params({})
    assert 0 < spec.estimate_seconds(params, short) < spec.estimate_seconds(params, long)
    assert spec.credits(params, short) <= spec.credits(params, long)
