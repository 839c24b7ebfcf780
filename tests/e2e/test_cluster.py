"""Cluster mode end to end: `mixdown serve --no-workers` + two `mixdown worker` nodes as subprocesses.

PostgreSQL job store and Celery on Redis, all on loopback; the nodes share the data folder
(the artifact store). Skipped when PostgreSQL or Redis is absent, failed under CI=true.
"""

from __future__ import annotations

import base64
import io
import json
import os
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import soundfile as sf

from tests.audio_gen import wav_bytes
from tests.cluster import REDIS_DB_E2E, Node, postgres_database, redis_database, wait_live_workers
from tests.harness import free_port, wait_for_job
from tests.plugins import PLUGIN_TASKS

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.timeout(240)]

ROOT = Path(__file__).resolve().parents[2]
LEASE = 2.0


@dataclass
class Cluster:
    api: Node
    url: str
    workers: list[Node]
    client: httpx.Client

    def node_of(self, pid: int) -> Node:
        """The worker node whose process group holds ``pid``."""
        group = os.getpgid(pid)
        return next(n for n in self.workers if n.process is not None and n.process.pid == group)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One API node and two worker nodes (one process each) on PostgreSQL + Redis."""
    data_dir = tmp_path_factory.mktemp("cluster")
    with pytest.MonkeyPatch.context() as env_patch:
        for name in [n for n in os.environ if n.startswith("MIXDOWN_")]:
            env_patch.delenv(name)
        yield from _cluster(data_dir)


def _cluster(data_dir: Path) -> Iterator[Cluster]:
    with ExitStack() as stack:
        env = {
            "PYTHONPATH": str(ROOT),
            "MIXDOWN_QUEUE": "celery",
            "MIXDOWN_DATABASE_URL": stack.enter_context(contextmanager(postgres_database)()),
            "MIXDOWN_BROKER_URL": stack.enter_context(contextmanager(redis_database)(REDIS_DB_E2E)),
            "MIXDOWN_EXTRA_TASKS": json.dumps(list(PLUGIN_TASKS)),
            "MIXDOWN_LEASE_SECONDS": str(LEASE),
            "MIXDOWN_SWEEP_INTERVAL_SECONDS": "0.3",
            "MIXDOWN_REQUEUE_GRACE_SECONDS": "1",
        }
        port = free_port()
        api = Node(["serve", "--no-workers", "--port", str(port)], data_dir, env, "api.log")
        workers = [
            Node(["worker", "--queues", "audio,music", "--concurrency", "1"], data_dir, env, f"w{i}.log")
            for i in range(2)
        ]
        for node in (api, *workers):
            stack.callback(node.stop)  # stopped in reverse: workers first, then the API
            node.start()
        url = f"http://127.0.0.1:{port}"
        wait_live_workers(url, 2, [api, *workers])
        key = api.cli("keys", "create", "--name", "e2e", "--credits", "50").strip().splitlines()[-1]
        client = stack.enter_context(
            httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=30)
        )
        yield Cluster(api, url, workers, client)


def test_api_node_and_worker_nodes_run_a_real_job(cluster: Cluster) -> None:
    health = httpx.get(f"{cluster.url}/health").json()
    assert health["queue"] == "celery" and health["live_workers"] == 2
    assert all(sorted(w["queues"]) == ["audio", "music"] for w in health["workers"])
    accepted = cluster.client.post(
        "/v1/cut",
        json={"input_audio": base64.b64encode(wav_bytes(2.0)).decode(), "start_time": 0.5, "end_time": 1.5},
    )
    assert accepted.status_code == 202, accepted.text
    job = wait_for_job(cluster.client, accepted.json()["job_id"], timeout=60)
    assert job["status"] == "complete", job["error"]
    audio, rate = sf.read(io.BytesIO(cluster.client.get(job["results"][0]["url"]).content))
    assert rate == 44100 and len(audio) == 44100
    assert cluster.client.get("/v1/credits").json()["spent"] > 0


def test_job_of_a_killed_worker_node_finishes_on_the_other(cluster: Cluster) -> None:
    job_id = cluster.client.post("/v1/sleepy", json={"seconds": 2}).json()["job_id"]
    running = _worker_running(cluster, job_id)
    victim = cluster.node_of(int(running["pid"]))
    victim.kill()
    killed_at = time.monotonic()
    job = wait_for_job(cluster.client, job_id, timeout=60)
    assert job["status"] == "complete" and job["attempts"] == 2
    # Bounded: the lease runs out, the sweeper re-queues and publishes, the survivor runs it.
    assert time.monotonic() - killed_at < LEASE + 2 + 10


def _worker_running(cluster: Cluster, job_id: str) -> dict[str, object]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for worker in httpx.get(f"{cluster.url}/health").json()["workers"]:
            if worker["current_job_id"] == job_id:
                return dict(worker)
        time.sleep(0.05)
    raise AssertionError(f"no worker reported {job_id}")
