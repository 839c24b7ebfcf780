"""POST /v1/key-bpm through a real uvicorn: submit, wait, read the metadata and the JSON result."""

from __future__ import annotations

import base64
import itertools
from functools import lru_cache

import pytest

from tests.harness import wait_for_job
from tests.integration.conftest import Stack
from tests.keybpm_audio import render_groove, wav_bytes

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


@lru_cache(maxsize=1)
def groove_wav() -> bytes:
    """10 s at 124 bpm in G major."""
    return wav_bytes(render_groove(124.0, tonic=7, scale="major", seconds=10.0))


def test_multipart_upload_gives_tempo_key_beats_and_loudness(stack: Stack) -> None:
    response = stack.client.post(
        "/v1/key-bpm", files={"audio_file": ("groove.wav", groove_wav(), "audio/wav")}
    )
    assert response.status_code == 202, response.text
    assert response.json()["task"] == "key-bpm"
    job = wait_for_job(stack.client, response.json()["job_id"], timeout=90)
    assert job["status"] == "complete", job["error"]
    meta = job["metadata"]
    assert meta["bpm"] == pytest.approx(124.0, rel=0.01)
    assert (meta["key"], meta["scale"], meta["key_name"], meta["camelot"]) == ("G", "major", "G major", "9B")
    assert meta["time_signature"] == "4/4" and 0.0 < meta["bpm_confidence"] <= 1.0
    assert {c["relation"] for c in meta["bpm_candidates"]} == {"tracked", "half", "double"}
    assert -30.0 < meta["loudness_lufs"] < -5.0
    [result] = job["results"]
    assert (result["kind"], result["format"]) == ("analysis", "json")
    download = stack.client.get(result["url"])
    assert download.status_code == 200 and download.headers["content-type"].startswith("application/json")
    body = download.json()
    assert body["bpm"] == meta["bpm"] and len(body["beats"]) == meta["beat_count"] >= 16
    beats = body["beats"]
    assert all(0.45 < b - a < 0.52 for a, b in itertools.pairwise(beats))  # 60 / 124 = 0.484 s
    assert len(body["downbeats"]) == meta["downbeat_count"] >= 4


def test_json_base64_with_bpm_range(stack: Stack) -> None:
    payload = {"input_audio": base64.b64encode(groove_wav()).decode(), "bpm_range": [40, 80]}
    response = stack.client.post("/v1/key-bpm", json=payload)
    assert response.status_code == 202, response.text
    job = wait_for_job(stack.client, response.json()["job_id"], timeout=90)
    assert job["status"] == "complete", job["error"]
    assert job["metadata"]["bpm"] == pytest.approx(62.0, rel=0.01)


@pytest.mark.parametrize("bpm_range", [[90, 80], [10, 80], "quick", [70]])
def test_bad_bpm_range_is_422_naming_it(stack: Stack, bpm_range: object) -> None:
    payload = {"input_audio": base64.b64encode(groove_wav()).decode(), "bpm_range": bpm_range}
    response = stack.client.post("/v1/key-bpm", json=payload)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "bpm_range"


def test_form_field_spelling_of_bpm_range(stack: Stack) -> None:
    response = stack.client.post(
        "/v1/key-bpm",
        data={"bpm_range": "200-260"},
        files={"audio_file": ("groove.wav", groove_wav(), "audio/wav")},
    )
    assert response.status_code == 202, response.text
    job = wait_for_job(stack.client, response.json()["job_id"], timeout=90)
    assert job["metadata"]["bpm"] == pytest.approx(248.0, rel=0.01)


def test_undecodable_audio_is_400(stack: Stack) -> None:
    garbage = base64.b64encode(b"this is not audio, not at all " * 40).decode()
    response = stack.client.post("/v1/key-bpm", json={"input_audio": garbage})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "audio_decode_error"
    assert response.json()["error"]["field"] == "input_audio"


def test_listed_in_tasks_with_its_schema(stack: Stack) -> None:
    tasks = {t["name"]: t for t in stack.client.get("/v1/tasks").json()["tasks"]}
    entry = tasks["key-bpm"]
    assert entry["endpoint"] == "/v1/key-bpm" and entry["available"] is True
    assert "bpm_range" in entry["parameters"]["properties"]
    assert entry["cost"]["basis"] == "input"
