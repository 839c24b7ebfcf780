"""Celery worker nodes (``mixdown worker`` with ``queue=celery``).

Each Celery worker process builds its own services once, registers itself in the worker
table (so ``/health`` lists it), loads its queues' models in the background, and then runs
one task: claim the job a message names and run it with the same ``run_job`` the embedded
workers use.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from mixdown.queue.celery import TASK_NAME, CeleryQueue
from mixdown.service.container import Services
from mixdown.storage.workers import beat_worker, register_worker, stop_worker
from mixdown.workers.runner import run_job

log = logging.getLogger("mixdown.worker")


@dataclass
class WorkerProcess:
    """What one Celery worker process holds between tasks."""

    services: Services
    worker_id: str
    queues: list[str]
    stopping: threading.Event = field(default_factory=threading.Event)
    current_job: str | None = None

    def beat(self) -> None:
        """Mark this process alive in the worker table until ``stopping`` is set."""
        interval = min(5.0, self.services.settings.lease_seconds / 3)
        while not self.stopping.wait(interval):
            try:
                beat_worker(self.services.db, self.worker_id, self.services.clock.now(), self.current_job)
            except Exception:
                log.warning("worker heartbeat failed", exc_info=True)


_current: WorkerProcess | None = None


def attach(services: Services, worker_id: str, queues: list[str]) -> WorkerProcess:
    """Make this process a worker: register it and start its heartbeat (tests call this too)."""
    global _current
    if not isinstance(services.queue, CeleryQueue):
        raise ValueError("Celery workers need MIXDOWN_QUEUE=celery")
    register_worker(services.db, worker_id, queues, services.clock.now())
    _current = WorkerProcess(services, worker_id, queues)
    threading.Thread(target=_current.beat, daemon=True, name="worker-beat").start()
    return _current


def detach(*, close: bool = True) -> None:
    """Mark this process's worker stopped and (unless ``close`` is False) release its connections."""
    global _current
    if _current is None:
        return
    process, _current = _current, None
    process.stopping.set()
    stop_worker(process.services.db, process.worker_id, process.services.clock.now())
    if close:
        process.services.close()


def run_message(job_id: str) -> str:
    """The Celery task: claim ``job_id`` and run it; a job no longer queued is skipped."""
    process = _current
    if process is None:
        raise RuntimeError("this process is not attached as a mixdown worker")
    s = process.services
    assert isinstance(s.queue, CeleryQueue)
    claimed = s.queue.claim_by_id(job_id, process.worker_id)
    if claimed is None:  # a duplicate or late delivery: another worker ran it, or it was cancelled
        return "skipped"
    process.current_job = job_id
    beat_worker(s.db, process.worker_id, s.clock.now(), job_id)
    try:
        return run_job(
            claimed,
            queue=s.queue,
            registry=s.registry,
            store=s.store,
            worker_id=process.worker_id,
            lease_seconds=s.settings.lease_seconds,
            stopping=process.stopping,
            work_root=s.tmp_dir,
            records=s.records,
            streams=s.streams,
        )
    except BaseException:
        # A dying node SIGTERMs its processes (celery_node), which unwinds the job as SystemExit:
        # hand the job back now rather than when its lease runs out.
        s.queue.release(job_id, process.worker_id)
        raise
    finally:
        process.current_job = None


def register_task(app: Any) -> Any:
    """Register the job task on ``app`` (the broker-side options are the app's defaults)."""
    return app.task(name=TASK_NAME, acks_late=True, reject_on_worker_lost=True, ignore_result=True)(
        run_message
    )


def warm_up(process: WorkerProcess) -> threading.Thread:
    """Load the models of this process's queues now, in the background."""

    def load() -> None:
        for spec in process.services.registry:
            if spec.warm_up is not None and spec.queue in process.queues:
                try:
                    spec.warm_up()
                except Exception:
                    log.warning("warm-up of %s failed", spec.name, exc_info=True)

    thread = threading.Thread(target=load, daemon=True, name="worker-warm-up")
    thread.start()
    return thread
