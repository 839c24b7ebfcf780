"""The JobQueue contract, run against every engine.

The memory twin, LocalQueue on SQLite, and CeleryQueue on PostgreSQL with Redis as broker
(skipped when those are not reachable on loopback, failed under CI=true).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from mixdown.clock import FakeClock
from mixdown.jobs.states import JobStatus
from mixdown.queue.base import JobQueue, ResultFile
from mixdown.queue.local import LocalQueue
from mixdown.queue.memory import MemoryJob, MemoryQueue
from mixdown.service.keys import create_key
from mixdown.settings import Settings
from mixdown.storage.db import Database
from mixdown.storage.jobstore import JobStore, JobStoreConfig
from mixdown.storage.models import Job

LEASE = 10.0


@dataclass
class Engine:
    queue: JobQueue
    clock: FakeClock
    add: Callable[..., None]
    status: Callable[[str], str]


def _memory(tmp_path: Path) -> Engine:
    clock = FakeClock()
    queue = MemoryQueue(clock=clock, lease_seconds=LEASE)

    def add(job_id: str, *, priority: int = 0, queue_name: str = "audio") -> None:
        queue.add(MemoryJob(id=job_id, task="convert", params={}, priority=priority, queue=queue_name))
        clock.advance(0.001)

    return Engine(queue, clock, add, lambda job_id: queue.jobs[job_id].status.value)


def _local(tmp_path: Path) -> Engine:
    db = Database.from_url(f"sqlite:///{tmp_path / 'q.db'}")
    db.migrate()
    return _on_table(db, LocalQueue)


def _celery(request: pytest.FixtureRequest) -> Engine:
    from mixdown.queue.celery import CeleryQueue, make_celery_app

    db = Database.from_url(request.getfixturevalue("postgres_url"))
    settings = Settings(queue="celery", broker_url=request.getfixturevalue("redis_url"))
    engine = _on_table(db, lambda store: CeleryQueue(store, make_celery_app(settings)))
    request.addfinalizer(engine.queue.close)
    request.addfinalizer(db.dispose)
    return engine


def _on_table(db: Database, make: Callable[[JobStore], JobQueue]) -> Engine:
    """An engine whose queue keeps jobs in ``db``'s job table; ``add`` also submits."""
    clock = FakeClock()
    key, _ = create_key(db, name="t", credits_amount=0, now=clock.now())
    queue = make(JobStore(db, clock, JobStoreConfig(lease_seconds=LEASE)))

    def add(job_id: str, *, priority: int = 0, queue_name: str = "audio") -> None:
        with db.write() as session:
            session.add(
                Job(
                    id=job_id,
                    key_id=key.id,
                    task="convert",
                    category="conversion",
                    queue=queue_name,
                    params={},
                    inputs={},
                    status="queued",
                    priority=priority,
                    created_at=clock.now(),
                    max_attempts=3,
                    job_metadata={},
                    webhook_events=[],
                )
            )
        queue.submit(job_id)
        clock.advance(0.001)

    def status(job_id: str) -> str:
        with db.read() as session:
            return session.get_one(Job, job_id).status

    return Engine(queue, clock, add, status)


@pytest.fixture(params=["memory", "local", pytest.param("celery", marks=pytest.mark.integration)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Engine:
    if request.param == "celery":
        return _celery(request)
    return {"memory": _memory, "local": _local}[request.param](tmp_path)


def test_claims_by_priority_then_age(engine: Engine) -> None:
    engine.add("job_a")
    engine.add("job_b", priority=5)
    engine.add("job_c")
    order = [engine.queue.claim("w1") for _ in range(3)]
    assert [c.id for c in order if c] == ["job_b", "job_a", "job_c"]
    assert engine.queue.claim("w1") is None


def test_claim_respects_queues(engine: Engine) -> None:
    engine.add("job_music", queue_name="music")
    assert engine.queue.claim("w1", queues=["audio"]) is None
    claimed = engine.queue.claim("w1", queues=["music"])
    assert claimed is not None and claimed.id == "job_music"


def test_one_job_is_claimed_once(engine: Engine) -> None:
    engine.add("job_a")
    first = engine.queue.claim("w1")
    assert first is not None and first.attempt == 1
    assert engine.queue.claim("w2") is None


def test_complete_only_by_the_lease_holder(engine: Engine) -> None:
    engine.add("job_a")
    engine.queue.claim("w1")
    result = ResultFile(
        id="res_1", storage_key="k", kind="audio", format="wav", size_bytes=1, sha256="0" * 64
    )
    assert engine.queue.complete("job_a", "w2", results=[result], metadata={}) is False
    assert engine.queue.complete("job_a", "w1", results=[result], metadata={}) is True
    assert engine.status("job_a") == JobStatus.COMPLETE


def test_expired_lease_requeues_then_fails_after_max_attempts(engine: Engine) -> None:
    engine.add("job_a")
    for attempt in (1, 2, 3):
        claimed = engine.queue.claim(f"w{attempt}")
        assert claimed is not None and claimed.attempt == attempt
        assert engine.queue.heartbeat("job_a", f"w{attempt}", progress=0.5).held
        engine.clock.advance(LEASE + 1)
        assert engine.queue.requeue_expired() == 1
        assert engine.queue.heartbeat("job_a", f"w{attempt}").held is False
    assert engine.status("job_a") == JobStatus.FAILED


def test_heartbeat_keeps_the_lease(engine: Engine) -> None:
    engine.add("job_a")
    engine.queue.claim("w1")
    for _ in range(3):
        engine.clock.advance(LEASE * 0.6)
        assert engine.queue.heartbeat("job_a", "w1").held
        assert engine.queue.requeue_expired() == 0


def test_retryable_failure_requeues_and_final_failure_fails(engine: Engine) -> None:
    engine.add("job_a")
    engine.queue.claim("w1")
    engine.queue.fail("job_a", "w1", code="internal_error", message="boom", retryable=True)
    assert engine.status("job_a") == JobStatus.QUEUED
    engine.queue.claim("w1")
    engine.queue.fail("job_a", "w1", code="audio_decode_error", message="bad", retryable=False)
    assert engine.status("job_a") == JobStatus.FAILED


def test_cancel_queued_and_running(engine: Engine) -> None:
    engine.add("job_a")
    engine.add("job_b")
    engine.queue.cancel("job_a")
    assert engine.status("job_a") == JobStatus.CANCELLED
    claimed = engine.queue.claim("w1")
    assert claimed is not None and claimed.id == "job_b"
    engine.queue.cancel("job_b")
    assert engine.queue.heartbeat("job_b", "w1").cancel_requested
    engine.queue.fail("job_b", "w1", code="cancelled", message="stop", retryable=False)
    assert engine.status("job_b") == JobStatus.CANCELLED


def test_release_does_not_count_the_attempt(engine: Engine) -> None:
    engine.add("job_a")
    engine.queue.claim("w1")
    engine.queue.release("job_a", "w1")
    assert engine.status("job_a") == JobStatus.QUEUED
    claimed = engine.queue.claim("w2")
    assert claimed is not None and claimed.attempt == 1
