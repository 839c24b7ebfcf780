"""POST /v1/sing through a real uvicorn: a short backing and two lines, sung, downloaded and measured."""

from __future__ import annotations

import base64
import io
import itertools

import numpy as np
import pytest
import soundfile as sf

from tests.harness import wait_for_job
from tests.integration.conftest import Stack
from tests.singing_audio import backing, note_errors, share_within
from tests.speech_check import require

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

LYRICS = "[Verse]\nHold me close tonight\n[Chorus]\nNever let me go"


@pytest.fixture(autouse=True)
def _festival() -> None:
    require("festival")


def test_sing_over_an_uploaded_instrumental(stack: Stack) -> None:
    wav = backing("house", 9.0, 2, 7).wav()
    response = stack.client.post(
        "/v1/sing",
        data={"lyrics": LYRICS, "gender": "male", "seed": "11", "output_format": "flac"},
        files={"audio_file": ("backing.wav", wav, "audio/wav")},
    )
    assert response.status_code == 202, response.text
    assert response.json()["task"] == "sing" and response.json()["credit_estimate"] > 0
    job = wait_for_job(stack.client, response.json()["job_id"], timeout=150)
    assert job["status"] == "complete", job["error"]
    meta = job["metadata"]
    assert meta["voice_id"] == "festival-kal_diphone" and meta["seed"] == 11
    words = meta["word_timings"]
    assert [w["word"] for w in words] == ["Hold", "me", "close", "tonight", "Never", "let", "me", "go"]
    assert all(0 <= a["start"] < a["end"] <= b["start"] + 1e-3 for a, b in itertools.pairwise(words))
    results = {r["kind"]: r for r in job["results"]}
    assert set(results) == {"audio", "stem", "midi"} and results["stem"]["stem"] == "vocals"
    song, rate = sf.read(io.BytesIO(stack.client.get(results["audio"]["url"]).content), dtype="float32")
    vocals, _ = sf.read(io.BytesIO(stack.client.get(results["stem"]["url"]).content), dtype="float32")
    assert results["audio"]["format"] == "flac" and song.shape == vocals.shape == (9 * rate, 2)
    assert words[-1]["end"] <= 9.0 and float(np.sqrt(np.mean(np.square(vocals)))) > 0.005
    assert share_within(note_errors(vocals, rate, meta["melody"])) >= 0.9


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "lyrics"),
        ({"lyrics": ""}, "lyrics"),
        ({"lyrics": "[Chorus]\n..."}, "lyrics"),
        ({"lyrics": "la la", "voice_id": "espeak-en-us-male"}, "voice_id"),
    ],
)
def test_bad_requests_are_422_naming_the_field(stack: Stack, body: dict[str, str], field: str) -> None:
    payload = {"input_audio": base64.b64encode(backing("house", 9.0, 2, 7).wav()).decode(), **body}
    response = stack.client.post("/v1/sing", json=payload)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


def test_undecodable_audio_is_400(stack: Stack) -> None:
    garbage = base64.b64encode(b"not an instrumental at all " * 50).decode()
    response = stack.client.post("/v1/sing", json={"input_audio": garbage, "lyrics": "la la la"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "audio_decode_error"
    assert response.json()["error"]["field"] == "input_audio"


def test_listed_in_tasks_with_its_schema(stack: Stack) -> None:
    tasks = {t["name"]: t for t in stack.client.get("/v1/tasks").json()["tasks"]}
    entry = tasks["sing"]
    assert entry["endpoint"] == "/v1/sing" and entry["available"] is True
    assert {"lyrics", "prompt", "gender", "voice_id", "seed"} <= set(entry["parameters"]["properties"])
    assert "lyrics" in entry["parameters"]["required"]
