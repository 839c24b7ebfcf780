"""POST /v1/denoise, /v1/dereverb and /v1/deecho through a live server: submit, wait, download, measure."""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from mixdown.engines.cleanup.measures import si_sdr
from tests.cleanup_audio import (
    add_echoes,
    mix_at_snr,
    require_flite,
    reverberate,
    speech,
    tail_ratio_db,
    wav_bytes_of,
    white,
)
from tests.harness import wait_for_job
from tests.integration.conftest import Stack

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]
RATE = 16000
GARBAGE = base64.b64encode(b"RIFF\x00\x00\x00\x00WAVEnot really audio at all" * 20).decode()


@pytest.fixture(scope="module")
def voice() -> np.ndarray:
    """Two TTS sentences, 16 kHz mono."""
    require_flite()
    return np.asarray(speech(2, RATE))


def b64(samples: np.ndarray) -> str:
    return base64.b64encode(wav_bytes_of(samples, RATE)).decode()


def finished(stack: Stack, response: Any) -> tuple[dict[str, Any], np.ndarray, int]:
    assert response.status_code == 202, response.text
    job = wait_for_job(stack.client, response.json()["job_id"], timeout=90)
    assert job["status"] == "complete", job["error"]
    [result] = job["results"]
    download = stack.client.get(result["url"])
    assert download.status_code == 200
    audio, rate = sf.read(io.BytesIO(download.content), dtype="float32", always_2d=True)
    return job, audio, rate


def test_denoise_json_base64_cleans_noisy_speech(stack: Stack, voice: np.ndarray) -> None:
    noisy = mix_at_snr(voice, white(len(voice), seed=11), 5.0)
    response = stack.client.post("/v1/denoise", json={"input_audio": b64(noisy), "strength": 0.9})
    job, audio, rate = finished(stack, response)
    assert rate == RATE and audio.shape == (len(voice), 1)
    assert si_sdr(audio[:, 0], voice) - si_sdr(noisy, voice) >= 6.0
    meta = job["metadata"]
    assert meta["engine"] == "deepfilternet" and meta["strength"] == 0.9
    assert meta["snr_after_db"] > meta["snr_before_db"]
    assert job["results"][0]["format"] == "wav" and job["results"][0]["duration"] == pytest.approx(
        len(voice) / RATE, abs=1e-6
    )


def test_denoise_noisereduce_engine_to_flac(stack: Stack, voice: np.ndarray) -> None:
    noisy = mix_at_snr(voice, white(len(voice), seed=12), 5.0)
    response = stack.client.post(
        "/v1/denoise", json={"input_audio": b64(noisy), "engine": "noisereduce", "output_format": "flac"}
    )
    job, audio, _ = finished(stack, response)
    assert job["results"][0]["format"] == "flac" and job["metadata"]["engine"] == "noisereduce"
    assert si_sdr(audio[:, 0], voice) > si_sdr(noisy, voice)


def test_dereverb_multipart_removes_reverberation(stack: Stack, voice: np.ndarray) -> None:
    wet, target = reverberate(voice, RATE, rt60=0.6, mics=2)
    response = stack.client.post(
        "/v1/dereverb",
        data={"taps": "10", "output_format": "flac"},
        files={"audio_file": ("room.wav", wav_bytes_of(wet, RATE), "audio/wav")},
    )
    job, audio, rate = finished(stack, response)
    assert rate == RATE and audio.shape == wet.shape
    for channel in range(2):
        assert tail_ratio_db(audio[:, channel], target[:, channel], RATE) < (
            tail_ratio_db(wet[:, channel], target[:, channel], RATE) - 8.0
        )
    assert job["metadata"]["engine"] == "nara-wpe" and job["metadata"]["channels_joint"] == 2


def test_deecho_finds_and_removes_the_echo(stack: Stack, voice: np.ndarray) -> None:
    wet = add_echoes(voice, RATE, [(0.25, -6.0)])
    job, audio, _ = finished(stack, stack.client.post("/v1/deecho", json={"input_audio": b64(wet)}))
    [echo] = job["metadata"]["echoes"]
    assert echo["delay_ms"] == 250.0 and echo["gain_db"] == pytest.approx(-6.0, abs=1.0)
    assert si_sdr(audio[:, 0], voice) - si_sdr(wet, voice) >= 12.0


@pytest.mark.parametrize(
    ("route", "fields", "field"),
    [
        ("/v1/denoise", {"strength": 2}, "strength"),
        ("/v1/denoise", {"engine": "rnnoise"}, "engine"),
        ("/v1/dereverb", {"taps": 0}, "taps"),
        ("/v1/dereverb", {"output_format": "wma"}, "output_format"),
        ("/v1/deecho", {"min_delay": 0.5, "max_delay": 0.2}, "max_delay"),
        ("/v1/deecho", {"method": "magic"}, "method"),
    ],
)
def test_bad_parameters_are_422_naming_the_field(
    stack: Stack, voice: np.ndarray, route: str, fields: dict[str, Any], field: str
) -> None:
    response = stack.client.post(route, json={"input_audio": b64(voice[:8000]), **fields})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field


@pytest.mark.parametrize("route", ["/v1/denoise", "/v1/dereverb", "/v1/deecho"])
def test_undecodable_audio_is_400(stack: Stack, route: str) -> None:
    response = stack.client.post(route, json={"input_audio": GARBAGE})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "audio_decode_error"
    assert response.json()["error"]["field"] == "input_audio"


def test_routes_are_documented(stack: Stack) -> None:
    paths = stack.client.get("/openapi.json").json()["paths"]
    for route, field in (("/v1/denoise", "strength"), ("/v1/dereverb", "taps"), ("/v1/deecho", "max_delay")):
        schema = paths[route]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert {field, "output_format", "input_audio"} <= set(schema["properties"])
