"""POST /v1/speed and POST /v1/master through a live server: upload, wait, download, measure."""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from mixdown.engines.mastering import measure
from tests.harness import wait_for_job
from tests.integration.conftest import Stack
from tests.unit.mastering.signals import RATE, music_like, tilted
from tests.unit.speed.signals import cents, peak_hz, tone

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]
GARBAGE = base64.b64encode(b"RIFF\x00\x00\x00\x00WAVEnot really audio at all" * 20).decode()


def wav(audio: np.ndarray, rate: int = RATE, subtype: str = "PCM_16") -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, audio, rate, format="WAV", subtype=subtype)
    return buffer.getvalue()


def finished(stack: Stack, response: Any) -> tuple[dict[str, Any], np.ndarray, int]:
    assert response.status_code == 202, response.text
    job = wait_for_job(stack.client, response.json()["job_id"], timeout=90)
    assert job["status"] == "complete", job["error"]
    [result] = job["results"]
    audio, rate = sf.read(
        io.BytesIO(stack.client.get(result["url"]).content), dtype="float32", always_2d=True
    )
    return job, audio, rate


def test_speed_multipart_keeps_pitch_and_hits_the_duration(stack: Stack) -> None:
    source = tone(440.0, 2.0, RATE, 2)
    response = stack.client.post(
        "/v1/speed",
        data={"speed_change_factor": "1.6", "output_format": "flac"},
        files={"audio_file": ("tone.wav", wav(source), "audio/wav")},
    )
    job, audio, rate = finished(stack, response)
    assert rate == RATE and audio.shape == (round(2.0 * RATE / 1.6), 2)
    assert abs(cents(peak_hz(audio, rate), 440.0)) < 5.0
    meta = job["metadata"]
    assert meta["engine"] == "rubberband" and meta["output_duration"] == pytest.approx(1.25, abs=1e-4)
    assert job["results"][0]["format"] == "flac"


def test_speed_varispeed_with_shift_base64(stack: Stack) -> None:
    body = {
        "input_audio": base64.b64encode(wav(tone(330.0, 1.0, RATE, 1))).decode(),
        "speed_change_factor": 0.5,
        "preserve_pitch": False,
        "pitch_semitones": 12,
    }
    job, audio, rate = finished(stack, stack.client.post("/v1/speed", json=body))
    # Half speed drops an octave, the shift brings it back: the tone lasts twice as long at 330 Hz.
    assert audio.shape == (2 * RATE, 1) and abs(cents(peak_hz(audio, rate), 330.0)) < 5.0
    assert job["metadata"]["engine"] == "soxr+rubberband" and job["metadata"]["pitch_change_semitones"] == 0.0


def test_speed_rejects_bad_params_and_garbage_audio(stack: Stack) -> None:
    audio = base64.b64encode(wav(tone(440.0, 0.5, RATE, 1))).decode()
    bad = stack.client.post("/v1/speed", json={"input_audio": audio, "speed_change_factor": 5})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "speed_change_factor"
    garbage = stack.client.post("/v1/speed", json={"input_audio": GARBAGE, "speed_change_factor": 2})
    assert garbage.status_code == 400 and garbage.json()["error"]["field"] == "input_audio"


def test_master_to_target_with_reference(stack: Stack) -> None:
    quiet = music_like() * np.float32(0.1)
    reference = tilted(music_like(seed=5), 1.0)
    level = measure(reference, RATE).integrated_lufs
    assert level is not None
    reference = reference * np.float32(10 ** ((-12.0 - level) / 20))
    body = {
        "input_audio": base64.b64encode(wav(quiet)).decode(),
        "reference_audio": base64.b64encode(wav(reference, subtype="FLOAT")).decode(),
        "true_peak_db": -1.5,
    }
    job, audio, rate = finished(stack, stack.client.post("/v1/master", json=body))
    report = measure(audio, rate)
    assert report.integrated_lufs is not None and abs(report.integrated_lufs + 12.0) <= 0.5
    assert report.true_peak_db is not None and report.true_peak_db <= -1.5
    meta = job["metadata"]
    assert meta["target_source"] == "reference" and meta["preset"] == "none"
    assert meta["input"]["integrated_lufs"] < -25 and "loudness_range_lu" in meta["output"]
    assert meta["reference"]["eq_db"]["8000"] > meta["reference"]["eq_db"]["125"]


def test_master_podcast_preset_multipart_to_mp3(stack: Stack) -> None:
    response = stack.client.post(
        "/v1/master",
        data={"preset": "podcast", "output_format": "mp3"},
        files={"audio_file": ("show.wav", wav(music_like()), "audio/wav")},
    )
    job, audio, rate = finished(stack, response)
    report = measure(audio, rate)
    assert report.integrated_lufs is not None and abs(report.integrated_lufs + 16.0) <= 0.5
    assert job["metadata"]["target_lufs"] == -16.0 and job["results"][0]["format"] == "mp3"
    assert job["metadata"]["encoded"]["true_peak_db"] == pytest.approx(report.true_peak_db, abs=0.05)


def test_master_rejects_bad_params_and_garbage_reference(stack: Stack) -> None:
    audio = base64.b64encode(wav(music_like()[: RATE * 2])).decode()
    close = stack.client.post(
        "/v1/master", json={"input_audio": audio, "target_lufs": -6, "true_peak_db": -3}
    )
    assert close.status_code == 422 and close.json()["error"]["field"] == "target_lufs"
    preset = stack.client.post("/v1/master", json={"input_audio": audio, "preset": "loudest"})
    assert preset.status_code == 422 and preset.json()["error"]["field"] == "preset"
    garbage = stack.client.post("/v1/master", json={"input_audio": audio, "reference_audio": GARBAGE})
    assert garbage.status_code == 400 and garbage.json()["error"]["field"] == "reference_audio"
    tasks = {t["name"]: t for t in stack.client.get("/v1/tasks").json()["tasks"]}
    assert {"speed", "master"} <= set(tasks)
