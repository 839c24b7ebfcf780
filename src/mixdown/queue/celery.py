"""``CeleryQueue``: job ids on Celery (Redis or RabbitMQ); the job table still decides who runs what.

A message carries only a job id. The worker's task claims that row by id, so a duplicate or
late delivery finds it no longer queued and does nothing. Status, progress, cancel flags,
credits and webhooks stay on the row exactly as with ``LocalQueue``; the broker only wakes
the right worker. Settings follow docs/scale-out.md (late ack, reject on worker lost,
prefetch 1, a visibility timeout above the longest job, max tasks per child).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from mixdown.jobs.states import JobStatus
from mixdown.queue.base import ClaimedJob, Lease, ResultFile
from mixdown.queue.orphans import OrphanSweep, waiting_job_ids
from mixdown.settings import Settings
from mixdown.storage.jobstore import JobStore
from mixdown.storage.models import Job

log = logging.getLogger("mixdown.queue")

TASK_NAME = "mixdown.run_job"
SWEEP_LIMIT = 1000  # queued rows checked against the broker per sweep, oldest first

Route = tuple[str, str, int]  # job id, queue, priority


def celery_config(settings: Settings) -> dict[str, Any]:
    """Celery settings for long jobs whose state lives in the job table."""
    return {
        # Acknowledge after the job, give the message back when a worker process dies, and
        # reserve one message per process so a long job does not hold others hostage.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "worker_max_tasks_per_child": settings.worker_max_tasks_per_child,
        "broker_transport_options": {
            "visibility_timeout": settings.broker_visibility_timeout_seconds,
            "socket_connect_timeout": 5,
            "socket_timeout": 10,
        },
        # An unreachable broker must not hold an API request long: the sweeper publishes later.
        "task_publish_retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.5},
        "task_ignore_result": True,  # results are artifacts on the job row
        "task_default_queue": "audio",
        "task_serializer": "json",
        "accept_content": ["json"],
        # mixdown sets up its own logging; Celery's stdout proxy would loop our stderr handler back.
        "worker_hijack_root_logger": False,
        "worker_redirect_stdouts": False,
        "broker_connection_retry_on_startup": True,
        # Worker processes build services (task imports) before they report ready.
        "worker_proc_alive_timeout": 120.0,
        "worker_send_task_events": False,
    }


def make_celery_app(settings: Settings) -> Any:
    """A Celery app for ``settings.broker_url`` (not set as Celery's current app)."""
    from celery import Celery

    if not settings.broker_url:
        raise ValueError("MIXDOWN_QUEUE=celery needs MIXDOWN_BROKER_URL (redis://... or amqp://...)")
    app = Celery("mixdown", broker=settings.broker_url, set_as_current=False)
    app.conf.update(celery_config(settings))
    return app


def redis_priority(priority: int) -> int:
    """Kombu's Redis transport serves step 0 first (steps 0, 3, 6, 9); job priorities run -10..10."""
    if priority >= 5:
        return 0
    if priority > 0:
        return 3
    return 6 if priority == 0 else 9


class CeleryQueue:
    """``JobQueue`` that publishes job ids to Celery and keeps every state change on the row."""

    def __init__(self, store: JobStore, app: Any, *, grace_seconds: float = 30.0) -> None:
        self.store = store
        self.app = app
        self.is_redis = str(app.conf.broker_url or "").startswith(("redis://", "rediss://"))
        self.orphans = OrphanSweep(grace_seconds)

    # -- API side ----------------------------------------------------------------------------

    def submit(self, job_id: str) -> None:
        """Publish the id of a stored ``queued`` job to its task's queue."""
        for route in self._queued([job_id]):
            self.publish(route)

    def publish(self, route: Route) -> bool:
        """Send one message; a broker that is down leaves the row for the sweeper to publish."""
        job_id, queue, priority = route
        options: dict[str, Any] = {"queue": queue, "task_id": f"{job_id}.{secrets.token_hex(4)}"}
        if self.is_redis:
            options["priority"] = redis_priority(priority)
        try:
            self.app.send_task(TASK_NAME, args=[job_id], **options)
        except Exception as exc:  # kombu/redis/amqp errors alike: the row stays queued
            log.warning("could not publish %s (%s); the sweeper will retry", job_id, exc)
            return False
        return True

    def cancel(self, job_id: str) -> None:
        """Cancel or flag the row; a message still in the broker then finds nothing to run."""
        self.store.cancel(job_id)

    # -- worker side -------------------------------------------------------------------------

    def claim(self, worker_id: str, *, queues: list[str] | None = None) -> ClaimedJob | None:
        """Pull the next queued row directly (Celery workers claim by id instead)."""
        return self.store.claim_next(worker_id, queues)

    def claim_by_id(self, job_id: str, worker_id: str) -> ClaimedJob | None:
        """Take the job a message named, if it is still queued."""
        return self.store.claim_by_id(job_id, worker_id)

    def heartbeat(
        self, job_id: str, worker_id: str, *, progress: float | None = None, message: str | None = None
    ) -> Lease:
        """Renew the lease and report progress."""
        return self.store.heartbeat(job_id, worker_id, progress=progress, message=message)

    def complete(
        self, job_id: str, worker_id: str, *, results: list[ResultFile], metadata: dict[str, Any]
    ) -> bool:
        """Record success."""
        return self.store.complete(job_id, worker_id, results=results, metadata=metadata)

    def fail(self, job_id: str, worker_id: str, *, code: str, message: str, retryable: bool) -> None:
        """Record a failure; a re-queued job gets a new message."""
        self.store.fail(job_id, worker_id, code=code, message=message, retryable=retryable)
        self.submit(job_id)

    def release(self, job_id: str, worker_id: str) -> None:
        """Give a job back untouched and publish it again."""
        self.store.release(job_id, worker_id)
        self.submit(job_id)

    # -- maintenance -------------------------------------------------------------------------

    def requeue_expired(self) -> int:
        """Re-queue jobs of dead workers and publish them; re-publish messages the broker lost."""
        with self.store.db.read() as session:
            expired = list(
                session.scalars(
                    select(Job.id).where(
                        Job.status == JobStatus.PROCESSING, Job.lease_expires_at < self.store.clock.now()
                    )
                )
            )
        count = self.store.requeue_expired()
        for route in self._queued(expired):
            self.publish(route)
        self.sweep_orphans()
        return count

    def sweep_orphans(self) -> int:
        """Publish queued jobs whose message has been missing from Redis for the grace period."""
        queued = self._oldest_queued()
        waiting = waiting_job_ids(self.app, {queue for _, queue, _ in queued}) if queued else set()
        if waiting is None:  # not Redis: RabbitMQ keeps durable messages through restarts
            return 0
        due = set(self.orphans.due([job_id for job_id, _, _ in queued], waiting))
        published = [route for route in queued if route[0] in due and self.publish(route)]
        if published:
            log.warning("re-published %d queued job(s) missing from the broker", len(published))
        return len(published)

    def close(self) -> None:
        """Release broker connections."""
        self.app.close()

    def _queued(self, ids: Iterable[str]) -> list[Route]:
        wanted = list(ids)
        if not wanted:
            return []
        with self.store.db.read() as session:
            rows = session.execute(
                select(Job.id, Job.queue, Job.priority).where(
                    Job.id.in_(wanted), Job.status == JobStatus.QUEUED
                )
            )
            return [(row.id, row.queue, row.priority) for row in rows]

    def _oldest_queued(self) -> list[Route]:
        with self.store.db.read() as session:
            rows = session.execute(
                select(Job.id, Job.queue, Job.priority)
                .where(Job.status == JobStatus.QUEUED)
                .order_by(Job.created_at)
                .limit(SWEEP_LIMIT)
            )
            return [(row.id, row.queue, row.priority) for row in rows]
