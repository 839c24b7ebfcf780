"""POST /v1/tts, GET /v1/voices (+ samples) and OpenAI's POST /v1/audio/speech over real HTTP."""

from __future__ import annotations

import io

import httpx
import numpy as np
import pytest
import soundfile as sf

from tests.harness import wait_for_job
from tests.integration.conftest import Stack, StackFactory
from tests.speech_check import require, transcribe, word_error_rate

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

SENTENCE = "Please call me at home tomorrow. The quick brown fox jumps over the lazy dog."
HTS = "festival-cmu_us_slt_arctic_hts"


@pytest.fixture(autouse=True)
def _engines() -> None:
    require("festival", "flite", "espeak-ng")


def decoded(content: bytes) -> tuple[np.ndarray, int]:
    samples, rate = sf.read(io.BytesIO(content), dtype="float32")
    return samples, int(rate)


def test_tts_job_speaks_the_text_end_to_end(stack: Stack) -> None:
    accepted = stack.client.post("/v1/tts", json={"text": SENTENCE, "output_format": "mp3"})
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["task"] == "tts" and accepted.json()["credit_estimate"] > 0
    job = wait_for_job(stack.client, accepted.json()["job_id"])
    assert job["status"] == "complete", job["error"]
    meta = job["metadata"]
    assert meta["voice_id"] == HTS and meta["engine"] == "festival" and meta["sentences"] == 2
    assert [s["text"] for s in meta["sentence_times"]] == [
        "Please call me at home tomorrow.",
        "The quick brown fox jumps over the lazy dog.",
    ]
    [result] = job["results"]
    assert result["kind"] == "audio" and result["format"] == "mp3" and result["voice_id"] == HTS
    download = stack.client.get(result["url"])
    assert download.headers["content-type"] == "audio/mpeg"
    samples, rate = decoded(download.content)
    assert len(samples) / rate == pytest.approx(result["duration"], abs=0.1)
    assert word_error_rate(SENTENCE, transcribe(samples, rate)) <= 0.35


def test_form_fields_choose_voice_speed_and_pitch(stack: Stack) -> None:
    jobs = {
        speed: stack.client.post(
            "/v1/tts",
            data={
                "text": SENTENCE,
                "voice_id": "flite-rms",
                "speed": str(speed),
                "pitch": "-2",
                "output_format": "wav",
            },
        ).json()["job_id"]
        for speed in (1.0, 2.0)
    }
    normal, fast = (wait_for_job(stack.client, jobs[s]) for s in (1.0, 2.0))
    assert normal["metadata"]["voice_id"] == "flite-rms" and normal["metadata"]["pitch"] == -2.0
    ratio = fast["results"][0]["duration"] / normal["results"][0]["duration"]
    assert 0.42 <= ratio <= 0.62


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "Hello.", "voice_id": "festival-nobody"}, "voice_id"),
        ({"voice_id": HTS}, "text"),
        ({"text": "Hello.", "speed": 9}, "speed"),
        ({"text": "Hello.", "pitch": -13}, "pitch"),
        ({"text": "Hello.", "output_format": "xyz"}, "output_format"),
        ({"text": "Hello.", "language": "tlh"}, "language"),
        ({"text": "Hello.", "voice_id": "flite-slt", "gender": "male"}, "gender"),
    ],
)
def test_bad_tts_requests_are_422_naming_the_field(stack: Stack, body: dict[str, object], field: str) -> None:
    response = stack.client.post("/v1/tts", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


def test_voices_list_search_and_samples(make_stack: StackFactory) -> None:
    stack = make_stack(workers=0)
    listing = stack.client.get("/v1/voices").json()
    assert listing["count"] == len(listing["voices"]) > 100
    assert {e["engine"]: e["available"] for e in listing["engines"]} == {
        "festival": True,
        "flite": True,
        "espeak-ng": True,
    }
    first = listing["voices"][0]
    assert set(first) == {"id", "name", "language", "gender", "engine", "sample"}
    assert first["sample"] == f"{stack.url}/v1/voices/{first['id']}/sample"

    found = stack.client.get("/v1/voices", params={"query": "festival female"}).json()["voices"]
    assert [v["id"] for v in found] == [HTS]
    german = stack.client.get("/v1/voices", params={"language": "de", "gender": "male"}).json()["voices"]
    assert [v["id"] for v in german] == ["espeak-de-male"]
    flite = stack.client.get("/v1/voices", params={"engine": "flite"}).json()["voices"]
    assert {v["engine"] for v in flite} == {"flite"} and len(flite) >= 4
    bad = stack.client.get("/v1/voices", params={"language": "not a tag"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "language"
    assert httpx.get(f"{stack.url}/v1/voices").status_code == 401

    clip = stack.client.get(f"/v1/voices/{HTS}/sample")
    assert clip.status_code == 200 and clip.headers["content-type"] == "audio/mpeg"
    samples, rate = decoded(clip.content)
    assert 1.5 < len(samples) / rate < 8 and float(np.max(np.abs(samples))) > 0.3
    assert stack.client.get(f"/v1/voices/{HTS}/sample").content == clip.content  # cached
    assert (stack.services.settings.data_dir / "cache" / "voice-samples" / f"{HTS}.mp3").exists()
    assert stack.client.get(f"/v1/voices/{HTS}").json()["gender"] == "female"
    missing = stack.client.get("/v1/voices/nobody/sample")
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "voice_id"


def test_openai_speech_answers_with_audio_and_costs_credits(stack: Stack) -> None:
    before = stack.client.get("/v1/credits").json()["credits"]
    response = stack.client.post(
        "/v1/audio/speech", json={"model": "tts-1", "input": SENTENCE, "voice": "alloy"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "audio/mpeg"
    samples, rate = decoded(response.content)
    assert word_error_rate(SENTENCE, transcribe(samples, rate)) <= 0.35
    job = stack.client.get(f"/v1/jobs/{response.headers['x-mixdown-job-id']}").json()
    assert job["task"] == "tts" and job["status"] == "complete" and job["metadata"]["voice_id"] == HTS
    assert stack.client.get("/v1/credits").json()["credits"] == pytest.approx(before - job["credits_charged"])

    pcm = stack.client.post(
        "/v1/audio/speech",
        json={
            "model": "gpt-4o-mini-tts",
            "input": "Hello.",
            "voice": {"id": "flite-rms"},
            "response_format": "pcm",
        },
    )
    assert pcm.status_code == 200 and pcm.headers["content-type"] == "audio/pcm"
    seconds = len(pcm.content) / 2 / 24000
    assert 0.3 < seconds < 2.0 and len(pcm.content) % 2 == 0
    wav = stack.client.post(
        "/v1/audio/speech",
        json={"model": "tts-1-hd", "input": "Hello.", "voice": "echo", "response_format": "wav", "speed": 2},
    )
    assert wav.headers["content-type"] == "audio/wav" and decoded(wav.content)[1] == 16000


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"model": "tts-1", "input": "x" * 4097, "voice": "alloy"}, "input"),
        ({"model": "tts-1", "input": "", "voice": "alloy"}, "input"),
        ({"model": "tts-1", "input": "Hi.", "voice": "darth"}, "voice"),
        ({"model": "whisper-1", "input": "Hi.", "voice": "alloy"}, "model"),
        ({"model": "tts-1", "input": "Hi.", "voice": "alloy", "speed": 5}, "speed"),
        ({"model": "tts-1", "input": "Hi.", "voice": "alloy", "response_format": "midi"}, "response_format"),
        ({"input": "Hi.", "voice": "alloy"}, "model"),
    ],
)
def test_openai_errors_name_the_param(make_stack: StackFactory, body: dict[str, object], param: str) -> None:
    stack = make_stack(workers=0)
    response = stack.client.post("/v1/audio/speech", json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["param"] == error["field"] == param and error["type"] == "invalid_request_error"
    assert error["message"]


def test_openai_speech_without_credits_is_402_and_nothing_runs(make_stack: StackFactory) -> None:
    stack = make_stack(credits=0.05)
    response = stack.client.post(
        "/v1/audio/speech", json={"model": "tts-1", "input": "Hello.", "voice": "nova"}
    )
    assert response.status_code == 402
    assert response.json()["error"]["type"] == "insufficient_quota"
    assert stack.client.get("/v1/jobs").json()["jobs"] == []
