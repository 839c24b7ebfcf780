"""Celery on Redis with the PostgreSQL job store: routing, duplicate delivery, priorities, lost messages."""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import redis
import soundfile as sf
from celery.signals import task_postrun

from mixdown.app import create_app
from mixdown.queue.celery import CeleryQueue
from mixdown.queue.orphans import waiting_job_ids
from mixdown.service.container import Services
from mixdown.service.maintenance import sweep_once
from mixdown.storage.models import Job
from tests.audio_gen import wav_bytes
from tests.harness import LiveServer, free_port, new_key, wait_for_job
from tests.integration.queue.conftest import CeleryServicesFactory, in_process_worker

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


@dataclass
class Cluster:
    services: Services
    queue: CeleryQueue
    client: httpx.Client
    outcomes: list[tuple[str, str]]  # (job id, what the task returned), in order

    def submit(self, task: str, **fields: Any) -> str:
        response = self.client.post(f"/v1/{task}", json=fields)
        assert response.status_code == 202, response.text
        return str(response.json()["job_id"])

    def row(self, job_id: str) -> Job:
        with self.services.db.read() as session:
            return session.get_one(Job, job_id)

    def wait_outcomes(self, count: int, timeout: float = 30.0) -> list[tuple[str, str]]:
        deadline = time.monotonic() + timeout
        while len(self.outcomes) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.outcomes)


@pytest.fixture
def cluster(celery_services: CeleryServicesFactory) -> Iterator[Cluster]:
    """An API on PostgreSQL + Redis (its sweeper off: tests sweep by hand), no worker yet."""
    services = celery_services(run_background=False, requeue_grace_seconds=0.3, lease_seconds=1.5)
    assert isinstance(services.queue, CeleryQueue)
    outcomes: list[tuple[str, str]] = []

    def record(sender: Any = None, args: Any = None, retval: Any = None, **_: Any) -> None:
        if sender is not None and sender.name == "mixdown.run_job":
            outcomes.append((args[0], retval))

    task_postrun.connect(record, weak=False)
    with ExitStack() as exits:
        exits.callback(task_postrun.disconnect, record)
        server = exits.enter_context(LiveServer(create_app(services.settings, services=services)))
        client = exits.enter_context(
            httpx.Client(
                base_url=server.url, headers={"Authorization": f"Bearer {new_key(services)}"}, timeout=30
            )
        )
        yield Cluster(services, services.queue, client, outcomes)


def test_a_real_job_runs_once_even_when_its_message_comes_twice(cluster: Cluster) -> None:
    job_id = cluster.submit(
        "cut", input_audio=base64.b64encode(wav_bytes(2.0)).decode(), start_time=0.5, end_time=1.5
    )
    with in_process_worker(cluster.services, ["audio"], "wrk_celery1"):
        job = wait_for_job(cluster.client, job_id, timeout=30)
        assert job["status"] == "complete", job["error"]
        audio, rate = sf.read(io.BytesIO(cluster.client.get(job["results"][0]["url"]).content))
        assert rate == 44100 and len(audio) == 44100
        row = cluster.row(job_id)
        cluster.queue.publish((job_id, row.queue, row.priority))  # a duplicate delivery
        assert cluster.wait_outcomes(2) == [(job_id, "complete"), (job_id, "skipped")]
    assert cluster.row(job_id).attempts == 1
    assert cluster.client.get("/v1/credits").json()["spent"] > 0


def test_each_job_waits_in_its_task_queue(cluster: Cluster) -> None:
    music = cluster.submit("slowgen", seconds=0.1)
    audio = cluster.submit("sleepy", seconds=0.1)
    assert waiting_job_ids(cluster.queue.app, ["music"]) == {music}
    assert waiting_job_ids(cluster.queue.app, ["audio"]) == {audio}
    with in_process_worker(cluster.services, ["audio"], "wrk_audio"):
        assert wait_for_job(cluster.client, audio)["status"] == "complete"
        time.sleep(0.3)
        assert cluster.client.get(f"/v1/jobs/{music}").json()["status"] == "queued"
    with in_process_worker(cluster.services, ["music"], "wrk_music"):
        assert wait_for_job(cluster.client, music)["status"] == "complete"
    assert [job_id for job_id, _ in cluster.outcomes] == [audio, music]


def test_higher_priority_is_delivered_first(cluster: Cluster) -> None:
    low = cluster.submit("sleepy", seconds=0, priority=-5)
    normal = cluster.submit("sleepy", seconds=0)
    high = cluster.submit("sleepy", seconds=0, priority=5)
    with in_process_worker(cluster.services, ["audio"], "wrk_prio"):
        outcomes = cluster.wait_outcomes(3)
    assert outcomes == [(high, "complete"), (normal, "complete"), (low, "complete")]


def test_cancelled_queued_job_is_skipped_by_the_worker(cluster: Cluster) -> None:
    job_id = cluster.submit("sleepy", seconds=1)
    assert cluster.client.delete(f"/v1/jobs/{job_id}").json()["status"] == "cancelled"
    with in_process_worker(cluster.services, ["audio"], "wrk_cancel"):
        assert cluster.wait_outcomes(1) == [(job_id, "skipped")]
    credits = cluster.client.get("/v1/credits").json()
    assert credits["spent"] == 0 and credits["reserved"] == 0


def test_sweeper_republishes_jobs_lost_by_a_redis_flush(cluster: Cluster, redis_url: str) -> None:
    kept = cluster.submit("sleepy", seconds=0)
    assert waiting_job_ids(cluster.queue.app, ["audio"]) == {kept}
    redis.Redis.from_url(redis_url).flushdb()  # what a Redis restart without persistence does
    assert waiting_job_ids(cluster.queue.app, ["audio"]) == set()
    sweep_once(cluster.services)  # the API's sweeper: missing, but not yet for the grace period
    assert waiting_job_ids(cluster.queue.app, ["audio"]) == set()
    time.sleep(0.35)
    sweep_once(cluster.services)
    assert waiting_job_ids(cluster.queue.app, ["audio"]) == {kept}
    assert cluster.queue.sweep_orphans() == 0  # its new message is there
    with in_process_worker(cluster.services, ["audio"], "wrk_sweep"):
        assert wait_for_job(cluster.client, kept)["status"] == "complete"


def test_a_dead_workers_job_is_requeued_and_published(cluster: Cluster) -> None:
    job_id = cluster.submit("sleepy", seconds=0)
    redis.Redis.from_url(cluster.services.settings.broker_url or "").flushdb()  # its message was taken
    assert cluster.queue.claim_by_id(job_id, "wrk_dead") is not None
    with in_process_worker(cluster.services, ["audio"], "wrk_alive"):
        time.sleep(cluster.services.settings.lease_seconds + 0.2)
        assert cluster.queue.requeue_expired() == 1
        job = wait_for_job(cluster.client, job_id)
    assert job["status"] == "complete" and job["attempts"] == 2


def test_a_job_accepted_while_redis_is_down_runs_once_it_is_back(
    celery_services: CeleryServicesFactory,
) -> None:
    down = celery_services(broker_url=f"redis://127.0.0.1:{free_port()}/0", run_background=False)
    server = LiveServer(create_app(down.settings, services=down))
    headers = {"Authorization": f"Bearer {new_key(down)}"}
    with server, httpx.Client(base_url=server.url, headers=headers) as client:
        started = time.monotonic()
        accepted = client.post("/v1/sleepy", json={"seconds": 0})
        assert accepted.status_code == 202 and time.monotonic() - started < 5
        # Redis is back: the sweeper of a node that reaches it publishes the waiting row.
        back = celery_services(requeue_grace_seconds=0.2)
        assert isinstance(back.queue, CeleryQueue)
        assert back.queue.sweep_orphans() == 0
        time.sleep(0.25)
        assert back.queue.sweep_orphans() == 1
        with in_process_worker(back, ["audio"], "wrk_back"):
            assert wait_for_job(client, accepted.json()["job_id"])["status"] == "complete"


def test_rabbitmq_as_broker(celery_services: CeleryServicesFactory, amqp_url: str) -> None:
    services = celery_services(broker_url=amqp_url, run_background=False)
    assert isinstance(services.queue, CeleryQueue)
    # The worker's event loop wakes on AMQP heartbeats: a short one lets the test worker stop fast.
    services.queue.app.conf.broker_heartbeat = 1
    server = LiveServer(create_app(services.settings, services=services))
    headers = {"Authorization": f"Bearer {new_key(services)}"}
    with server, httpx.Client(base_url=server.url, headers=headers) as client:
        job_id = client.post("/v1/sleepy", json={"seconds": 0.2}).json()["job_id"]
        assert waiting_job_ids(services.queue.app, ["audio"]) is None  # durable queues: no sweeping
        with in_process_worker(services, ["audio"], "wrk_amqp"):
            job = wait_for_job(client, job_id)
    assert job["status"] == "complete" and job["progress"] == 1.0 and job["attempts"] == 1
