"""POST /v1/voice-change through a live server: upload, wait, download, measure the pitch."""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from mixdown.engines.voice import PRESET_NAMES
from mixdown.engines.voice.background import separation_availability
from tests.harness import wait_for_job
from tests.integration.conftest import Stack
from tests.speech_gen import HARVARD, spoken
from tests.unit.voice.signals import shift_error_cents, vowel

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]
RATE = 16000
GARBAGE = base64.b64encode(b"RIFF\x00\x00\x00\x00WAVEnot really audio at all" * 20).decode()


def wav(audio: np.ndarray, rate: int = RATE) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, audio, rate, format="WAV", subtype="PCM_16")
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


def test_preset_by_multipart_upload_on_speech(stack: Stack) -> None:
    speech = spoken(HARVARD[2])
    response = stack.client.post(
        "/v1/voice-change",
        data={"voice_id": "Child", "pitch": "-1", "output_format": "flac"},
        files={"audio_file": ("speech.wav", wav(speech), "audio/wav")},
    )
    job, audio, rate = finished(stack, response)
    assert rate == RATE and audio.shape == (speech.shape[0], 1)
    assert job["results"][0]["format"] == "flac"
    assert abs(shift_error_cents(speech, audio[:, 0], RATE, 7.0)) < 20.0
    meta = job["metadata"]
    assert meta["voice_id"] == "child" and meta["pitch_semitones"] == 7.0 and meta["formant_semitones"] == 4.0


def test_pitch_and_formant_by_base64_json(stack: Stack) -> None:
    source = vowel(seconds=1.0)
    body = {
        "input_audio": base64.b64encode(wav(source)).decode(),
        "pitch": -5,
        "formant": 2,
        "quality": "fast",
    }
    job, audio, _ = finished(stack, stack.client.post("/v1/voice-change", json=body))
    assert audio.shape == (source.shape[0], 1)
    assert abs(shift_error_cents(source, audio[:, 0], RATE, -5.0)) < 20.0
    assert job["metadata"]["f0_tracker"] == "dio+stonemask" and job["metadata"]["voice_id"] == "none"


def test_refusals_name_the_field(stack: Stack) -> None:
    audio = base64.b64encode(wav(vowel(seconds=0.5))).decode()

    def refused(status: int, **fields: Any) -> dict[str, Any]:
        response = stack.client.post("/v1/voice-change", json={"input_audio": audio, **fields})
        assert response.status_code == status, response.text
        error: dict[str, Any] = response.json()["error"]
        return error

    unknown = refused(422, voice_id="banana")
    assert unknown["field"] == "voice_id" and all(name in unknown["message"] for name in PRESET_NAMES)
    assert refused(422, pitch=30)["field"] == "pitch"
    assert refused(422, voice_id="chipmunk", pitch=20)["field"] == "pitch"
    assert refused(422)["field"] == "voice_id"  # nothing to change
    assert refused(422, pitch=1, output="mix")["field"] == "output"
    if not separation_availability().available:
        background = refused(422, voice_id="robot", remove_background=True)
        assert background["field"] == "remove_background" and "not available yet" in background["message"]
    assert refused(400, input_audio=GARBAGE, pitch=2)["field"] == "input_audio"


def test_listed_with_its_presets(stack: Stack) -> None:
    tasks = {t["name"]: t for t in stack.client.get("/v1/tasks").json()["tasks"]}
    listed = tasks["voice-change"]
    assert listed["endpoint"] == "/v1/voice-change" and listed["available"] is True
    assert listed["parameters"]["properties"]["voice_id"]["anyOf"][0]["enum"] == list(PRESET_NAMES)
