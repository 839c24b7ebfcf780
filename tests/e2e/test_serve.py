"""`mixdown serve` as a subprocess with its worker processes, driven over HTTP."""

from __future__ import annotations

import base64
import io
import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import soundfile as sf

from mixdown.webhooks.signing import verify
from tests.audio_gen import wav_bytes
from tests.harness import ServeProcess, wait_for_job
from tests.plugins import PLUGIN_TASKS
from tests.receiver import Receiver

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

ROOT = Path(__file__).resolve().parents[2]
ENV = {
    "PYTHONPATH": str(ROOT),
    "MIXDOWN_EXTRA_TASKS": json.dumps(list(PLUGIN_TASKS)),
    "MIXDOWN_LEASE_SECONDS": "3",
    "MIXDOWN_SWEEP_INTERVAL_SECONDS": "0.5",
    "MIXDOWN_WEBHOOK_BACKOFF_BASE_SECONDS": "0.3",
    "MIXDOWN_URL_ALLOWLIST": '["127.0.0.1/32"]',
}


@pytest.fixture
def serve(data_dir: Path) -> Iterator[ServeProcess]:
    server = ServeProcess(data_dir, workers=2, env=ENV)
    try:
        yield server.start()
    finally:
        server.stop()


def client_with_key(server: ServeProcess, credits_amount: float = 50) -> httpx.Client:
    key = (
        server.cli("keys", "create", "--name", "e2e", "--credits", str(credits_amount))
        .strip()
        .splitlines()[-1]
    )
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=30)


def test_convert_and_cut_end_to_end(serve: ServeProcess) -> None:
    with client_with_key(serve) as client:
        flac = client.post(
            "/v1/convert",
            data={"target_format": "flac", "target_bit_depth": "24"},
            files={"audio_file": ("in.wav", wav_bytes(1.0, subtype="PCM_24"))},
        )
        assert flac.status_code == 202, flac.text
        cut = client.post(
            "/v1/cut",
            json={
                "input_audio": base64.b64encode(wav_bytes(2.0)).decode(),
                "start_time": 0.5,
                "end_time": 1.5,
            },
        )
        assert cut.status_code == 202, cut.text
        for accepted, frames in ((flac, 44100), (cut, 44100)):
            job = wait_for_job(client, accepted.json()["job_id"])
            assert job["status"] == "complete", job["error"]
            audio, rate = sf.read(io.BytesIO(client.get(job["results"][0]["url"]).content))
            assert rate == 44100 and len(audio) == frames
        credits = client.get("/v1/credits").json()
        assert credits["spent"] > 0 and credits["credits"] == pytest.approx(50 - credits["spent"])


def test_keys_cli_list_credit_revoke(serve: ServeProcess) -> None:
    with client_with_key(serve, 1) as client:
        [listed] = [json.loads(line) for line in serve.cli("keys", "list", "--json").splitlines()]
        assert listed["name"] == "e2e" and listed["credits"] == 1.0
        key_id = listed["id"]
        serve.cli("keys", "credit", key_id, "9")
        assert client.get("/v1/credits").json()["credits"] == 10.0
        usage = json.loads(serve.cli("usage", key_id, "--group-by", "day"))
        assert usage["requests"] == 0 and usage["credits"]["credits"] == 10.0 and usage["groups"] == {}
        serve.cli("keys", "revoke", key_id)
        # the server caches a key for up to 2 s
        for _ in range(60):
            if client.get("/v1/credits").status_code == 401:
                break
            time.sleep(0.1)
        assert client.get("/v1/credits").status_code == 401


def test_worker_killed_mid_job_is_rerun(serve: ServeProcess) -> None:
    with client_with_key(serve) as client:
        job_id = client.post("/v1/sleepy", json={"seconds": 3}).json()["job_id"]
        wait_for_job(client, job_id, until=("processing",))
        running = [w for w in _workers_until(client, job_id) if w["current_job_id"] == job_id]
        os.kill(running[0]["pid"], signal.SIGKILL)
        job = wait_for_job(client, job_id, timeout=60)
        assert job["status"] == "complete" and job["attempts"] == 2
        health = serve.wait_healthy(min_workers=2)
        assert running[0]["pid"] not in {w["pid"] for w in health["workers"]}


def _workers_until(client: httpx.Client, job_id: str) -> list[dict[str, object]]:
    for _ in range(100):
        workers: list[dict[str, object]] = client.get("/health").json()["workers"]
        if any(w["current_job_id"] == job_id for w in workers):
            return workers
        time.sleep(0.05)
    raise AssertionError("no worker reported the job")


def test_queued_jobs_survive_a_restart(data_dir: Path) -> None:
    idle = ServeProcess(data_dir, workers=0, env=ENV)
    idle.start()
    try:
        with client_with_key(idle) as client:
            ids = [client.post("/v1/sleepy", json={"seconds": 0.1}).json()["job_id"] for _ in range(3)]
            assert all(client.get(f"/v1/jobs/{i}").json()["status"] == "queued" for i in ids)
            headers = client.headers
    finally:
        idle.stop()
    busy = ServeProcess(data_dir, workers=2, env=ENV)
    busy.start()
    try:
        with httpx.Client(base_url=busy.url, headers=headers, timeout=30) as client:
            assert [wait_for_job(client, i)["status"] for i in ids] == ["complete"] * 3
    finally:
        busy.stop()


def test_signed_webhook_and_retry_end_to_end(serve: ServeProcess) -> None:
    with Receiver() as receiver, client_with_key(serve) as client:
        receiver.script["/hook"] = [500]
        job_id = client.post(
            "/v1/sleepy",
            json={"seconds": 0.1, "webhook_url": f"{receiver.url}/hook", "webhook_secret": "whsec_c2VjcmV0"},
        ).json()["job_id"]
        for _ in range(200):
            if len(receiver.posts("/hook")) >= 2:
                break
            time.sleep(0.05)
        first, second = receiver.posts("/hook")[:2]
        for delivery in (first, second):
            verify(delivery["headers"], delivery["body"], "whsec_c2VjcmV0")
        assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"]
        assert second["json"]["job_id"] == job_id


def test_error_paths_over_http(serve: ServeProcess) -> None:
    with client_with_key(serve, 1) as client:
        assert httpx.get(f"{serve.url}/v1/jobs").status_code == 401
        assert client.get("/v1/jobs/job_missing").status_code == 404
        assert client.post("/v1/sleepy", json={"seconds": 5}).status_code == 402
        assert client.post("/v1/convert", json={"target_format": "nope"}).status_code == 422
        headers = {"Idempotency-Key": "k1"}
        assert client.post("/v1/sleepy", json={"seconds": 0}, headers=headers).status_code == 202
        assert client.post("/v1/sleepy", json={"seconds": 0.5}, headers=headers).status_code == 409
        big = {"input_audio": "A" * (70 * 1024 * 1024), "target_format": "wav"}
        assert client.post("/v1/convert", json=big).status_code == 413
        assert (
            client.post(
                "/v1/convert", json={"audio_url": "http://169.254.169.254/", "target_format": "wav"}
            ).status_code
            == 400
        )
