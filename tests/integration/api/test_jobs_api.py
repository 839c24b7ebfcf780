"""Submit -> poll -> download through a real uvicorn, and the job API around it."""

from __future__ import annotations

import base64
import io

import pytest
import soundfile as sf

from tests.audio_gen import wav_bytes
from tests.harness import wait_for_job
from tests.integration.conftest import Stack, StackFactory

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


def b64_wav(seconds: float = 1.0, rate: int = 44100) -> str:
    return base64.b64encode(wav_bytes(seconds, rate)).decode()


def test_convert_json_base64_submit_poll_download(stack: Stack) -> None:
    accepted = stack.client.post(
        "/v1/convert", json={"input_audio": b64_wav(2.0), "target_format": "flac", "target_sr": 22050}
    )
    assert accepted.status_code == 202
    body = accepted.json()
    assert set(body) >= {
        "job_id",
        "status",
        "task",
        "estimated_time",
        "queue_position",
        "credit_estimate",
        "created_at",
    }
    assert body["status"] == "queued" and body["task"] == "convert"

    job = wait_for_job(stack.client, body["job_id"])
    assert job["status"] == "complete", job["error"]
    assert job["progress"] == 1.0 and job["error"] is None
    assert job["started_at"] and job["finished_at"]
    assert job["metadata"]["engine"] and job["metadata"]["inference_time"] >= 0
    [result] = job["results"]
    assert result["format"] == "flac" and result["sample_rate"] == 22050 and result["channels"] == 2
    assert result["duration"] == pytest.approx(2.0, abs=1e-6)

    download = stack.client.get(result["url"])
    assert download.status_code == 200
    assert download.headers["content-type"] == "audio/flac"
    assert int(download.headers["content-length"]) == result["size_bytes"] == len(download.content)
    audio, rate = sf.read(io.BytesIO(download.content))
    assert rate == 22050 and audio.shape == (44100, 2)


def test_download_supports_range_and_conversion(stack: Stack) -> None:
    job_id = stack.client.post("/v1/convert", json={"input_audio": b64_wav(), "target_format": "wav"}).json()[
        "job_id"
    ]
    result = wait_for_job(stack.client, job_id)["results"][0]
    part = stack.client.get(f"/v1/audio/{result['id']}", headers={"Range": "bytes=10-109"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 10-109/{result['size_bytes']}"
    assert len(part.content) == 100
    mp3 = stack.client.get(f"/v1/audio/{result['id']}", params={"format": "mp3"})
    assert mp3.status_code == 200 and mp3.headers["content-type"] == "audio/mpeg"
    audio, rate = sf.read(io.BytesIO(mp3.content))
    assert rate == 44100 and abs(len(audio) - 44100) < 0.01 * 44100
    bad = stack.client.get(f"/v1/audio/{result['id']}", params={"format": "xyz"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "format"


def test_multipart_upload_with_form_fields(stack: Stack) -> None:
    response = stack.client.post(
        "/v1/cut",
        data={"start_time": "0.25", "end_time": "0.75", "fade_in": "10", "output_format": "wav"},
        files={"audio_file": ("tone.wav", wav_bytes(1.0), "audio/wav")},
    )
    assert response.status_code == 202, response.text
    job = wait_for_job(stack.client, response.json()["job_id"])
    [result] = job["results"]
    audio, rate = sf.read(io.BytesIO(stack.client.get(result["url"]).content))
    assert len(audio) == 22050 and rate == 44100
    assert abs(audio[0, 0]) < 1e-3  # the fade-in starts from silence


def test_job_listing_filters_paging_and_multi_poll(stack: Stack) -> None:
    ids = [stack.client.post("/v1/sleepy", json={"seconds": 0}).json()["job_id"] for _ in range(3)]
    for job_id in ids:
        wait_for_job(stack.client, job_id)
    first = stack.client.get("/v1/jobs", params={"limit": 2, "task": "sleepy"}).json()
    assert len(first["jobs"]) == 2 and first["next_cursor"]
    second = stack.client.get(
        "/v1/jobs", params={"limit": 2, "task": "sleepy", "cursor": first["next_cursor"]}
    ).json()
    assert second["next_cursor"] is None
    listed = [j["job_id"] for j in first["jobs"] + second["jobs"]]
    assert listed == list(reversed(ids))
    polled = stack.client.get("/v1/jobs", params={"ids": ",".join(ids[:2])}).json()["jobs"]
    assert {j["job_id"] for j in polled} == set(ids[:2])
    assert stack.client.get("/v1/jobs", params={"status": "complete"}).json()["jobs"]
    assert stack.client.get("/v1/jobs", params={"status": "bogus"}).status_code == 422


def test_tasks_health_and_metrics(stack: Stack) -> None:
    tasks = {t["name"]: t for t in stack.client.get("/v1/tasks").json()["tasks"]}
    assert {"convert", "cut"} <= set(tasks)
    assert "target_format" in tasks["convert"]["parameters"]["properties"]
    assert tasks["cut"]["cost"]["basis"] == "output" and tasks["convert"]["available"] is True
    health = stack.client.get("/health").json()
    assert health["status"] == "ok" and health["database"] == "ok" and health["live_workers"] == 1
    job_id = stack.client.post("/v1/sleepy", json={"seconds": 0}).json()["job_id"]
    wait_for_job(stack.client, job_id)
    metrics = stack.client.get("/metrics").text
    assert 'mixdown_jobs{status="complete",task="sleepy"}' in metrics
    assert "mixdown_job_duration_seconds_bucket" in metrics
    assert "mixdown_http_requests_total" in metrics


def test_openapi_describes_every_task_and_field(stack: Stack) -> None:
    spec = stack.client.get("/openapi.json").json()
    for path in (
        "/v1/convert",
        "/v1/cut",
        "/v1/jobs/{job_id}",
        "/v1/audio/{result_id}",
        "/v1/batch",
        "/v1/credits",
    ):
        assert path in spec["paths"], path
    schema = spec["paths"]["/v1/convert"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert {"target_format", "target_sr", "audio_file", "audio_url", "webhook_url"} <= set(
        schema["properties"]
    )
    generate = spec["paths"]["/v1/generate"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"prompt", "duration", "params", "input_audio", "melody_audio"} <= set(generate["properties"])
    assert stack.client.get("/docs").status_code == 200


def test_batch_accepts_and_rejects_per_entry(stack: Stack) -> None:
    response = stack.client.post(
        "/v1/batch",
        json={
            "jobs": [
                {"task": "sleepy", "seconds": 0},
                {"task": "convert", "target_format": "wav"},
                {"task": "nope"},
                {"task": "sleepy", "seconds": -1},
            ]
        },
    )
    assert response.status_code == 200
    entries = response.json()["jobs"]
    assert [e["accepted"] for e in entries] == [True, False, False, False]
    assert entries[1]["error"]["code"] == "invalid_input"
    assert entries[2]["error"]["code"] == "not_found"
    assert entries[3]["error"]["field"] == "seconds"
    assert wait_for_job(stack.client, entries[0]["job_id"])["status"] == "complete"
    too_many = stack.client.post("/v1/batch", json={"jobs": [{"task": "sleepy"}] * 51})
    assert too_many.status_code == 422 and too_many.json()["error"]["field"] == "jobs"


def test_usage_counts_jobs_audio_seconds_and_credits(make_stack: StackFactory) -> None:
    stack = make_stack(credits=100)
    # Given a cut that succeeds and a job that fails (and is refunded)
    audio = base64.b64encode(wav_bytes(seconds=2.0)).decode()
    done = stack.client.post("/v1/cut", json={"input_audio": audio, "start_time": 0, "end_time": 1.5})
    failed = stack.client.post("/v1/explode", json={})
    for accepted in (done, failed):
        assert accepted.status_code == 202, accepted.text
        wait_for_job(stack.client, accepted.json()["job_id"])
    # When the key asks for its usage, in total and per task
    usage = stack.client.get("/v1/usage").json()
    per_task = stack.client.get("/v1/usage", params={"group_by": "task"}).json()["groups"]
    # Then the numbers match what happened
    assert usage["requests"] == 2 and usage["jobs"] == {"complete": 1, "failed": 1}
    assert usage["audio_seconds"] == pytest.approx(1.5)
    assert usage["credits_spent"] == pytest.approx(0.1) and usage["credits_refunded"] > 0
    assert usage["cache_hits"] == 0 and usage["limits"]["submit"]["limit"]
    assert per_task["cut"]["audio_seconds"] == pytest.approx(1.5) and per_task["explode"]["jobs"] == {
        "failed": 1
    }
    bad = stack.client.get("/v1/usage", params={"group_by": "hour"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "group_by"
    window = stack.client.get(
        "/v1/usage", params={"from": "2020-01-01T00:00:00", "to": "2020-02-01T00:00:00"}
    )
    assert window.status_code == 200 and window.json()["requests"] == 0
