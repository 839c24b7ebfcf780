"""POST /v1/cover and MusicGPT's POST /Cover through a live server: upload, wait, download, measure."""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np
import pytest
import requests
import soundfile as sf

from mixdown.engines.voice import PRESETS
from tests.harness import wait_for_job
from tests.integration.conftest import Stack
from tests.unit.voice.cover_song import RATE, correlation, side, song
from tests.unit.voice.signals import shift_error_cents

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]
GARBAGE = base64.b64encode(b"RIFF\x00\x00\x00\x00WAVEnot really audio at all" * 20).decode()
PART = slice(RATE, 5 * RATE)  # 4 s of the song, sung throughout


def wav(audio: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, audio, RATE, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def fetch(stack: Stack, result: dict[str, Any]) -> np.ndarray:
    audio, rate = sf.read(
        io.BytesIO(stack.client.get(result["url"]).content), dtype="float32", always_2d=True
    )
    assert rate == RATE
    return np.asarray(audio)


def test_cover_by_multipart_upload(stack: Stack) -> None:
    mixture, vocal, backing = (a[PART] for a in song())
    response = stack.client.post(
        "/v1/cover",
        data={"voice_id": "Bright_Female", "pitch": "-2", "quality": "fast", "output_format": "flac"},
        files={"audio_file": ("song.wav", wav(mixture), "audio/wav")},
    )
    assert response.status_code == 202, response.text
    job = wait_for_job(stack.client, response.json()["job_id"], timeout=90)
    assert job["status"] == "complete", job["error"]
    cover, vocals, _ = (fetch(stack, r) for r in job["results"])
    assert [r.get("stem") for r in job["results"]] == [None, "vocals", "instrumental"]
    assert {r["format"] for r in job["results"]} == {"flac"}
    assert cover.shape == vocals.shape == mixture.shape
    meta = job["metadata"]
    shift = meta["pitch_semitones"]
    assert meta["voice_id"] == "bright-female" and shift == PRESETS["bright-female"].pitch - 2.0
    assert abs(shift_error_cents(vocal, vocals.mean(axis=1), RATE, shift)) < 20.0
    assert correlation(side(cover), side(backing)) > 0.95
    assert set(meta["separation"]["stems"]) == {"vocals", "instrumental"}


def test_refusals_name_the_field(stack: Stack) -> None:
    audio = base64.b64encode(wav(song()[0][: RATE // 2])).decode()

    def refused(status: int, **fields: Any) -> dict[str, Any]:
        response = stack.client.post("/v1/cover", json={"input_audio": audio, **fields})
        assert response.status_code == status, response.text
        error: dict[str, Any] = response.json()["error"]
        return error

    assert refused(422, pitch=30)["field"] == "pitch"
    assert refused(422, voice_id="banana")["field"] == "voice_id"
    assert refused(422, pitch=1, vocal_level_db=20)["field"] == "vocal_level_db"
    assert refused(422)["field"] == "voice_id"  # nothing to change
    assert refused(400, input_audio=GARBAGE, pitch=2)["field"] == "input_audio"


def test_musicgpt_cover_endpoint(stack: Stack) -> None:
    mixture = song()[0][RATE : 3 * RATE]
    response = requests.post(
        f"{stack.url}/api/public/v1/Cover",
        headers={"Authorization": stack.key},
        data={"voice_id": "deep-male", "pitch": "1"},
        files={"audio_file": ("song.wav", wav(mixture), "audio/wav")},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    task_id = response.json()["task_id"]
    job = wait_for_job(stack.client, task_id, timeout=90)
    assert job["status"] == "complete", job["error"]
    view = requests.get(
        f"{stack.url}/api/public/v1/byId",
        headers={"Authorization": stack.key},
        params={"conversionType": "COVER", "task_id": task_id},
        timeout=30,
    ).json()["conversion"]
    assert view["status"] == "COMPLETED" and view["conversion_type"] == "COVER"
    audio, rate = sf.read(io.BytesIO(requests.get(view["audio_url"], timeout=30).content), always_2d=True)
    assert (rate, audio.shape) == (RATE, mixture.shape)
