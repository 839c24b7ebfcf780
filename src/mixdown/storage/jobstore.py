"""Job rows as a state machine: claims, leases, progress, and final states with credits and webhooks."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from mixdown.clock import Clock
from mixdown.jobs.retry import JobRetryPolicy
from mixdown.jobs.states import JobStatus, WebhookEvent, can_transition, event_for_status
from mixdown.queue.base import ClaimedJob, Lease, ResultFile
from mixdown.storage import credits
from mixdown.storage.db import Database
from mixdown.storage.models import Artifact, Job
from mixdown.storage.outbox import enqueue_webhook


@dataclass(frozen=True, kw_only=True)
class JobStoreConfig:
    """Timing and policy of the job store."""

    lease_seconds: float = 30.0
    retention_days: float = 30.0
    base_url: str = "http://127.0.0.1:8000"


def _claimed(job: Job) -> ClaimedJob:
    assert job.lease_expires_at is not None
    return ClaimedJob(
        id=job.id,
        key_id=job.key_id,
        task=job.task,
        params=dict(job.params),
        inputs=dict(job.inputs),
        attempt=job.attempts,
        lease_expires_at=job.lease_expires_at,
    )


class JobStore:
    """All changes of job rows; every method is one transaction."""

    def __init__(self, db: Database, clock: Clock, config: JobStoreConfig) -> None:
        self.db = db
        self.clock = clock
        self.config = config

    def _lease_end(self) -> datetime:
        return self.clock.now() + timedelta(seconds=self.config.lease_seconds)

    # -- worker side -------------------------------------------------------------------------

    def claim_next(self, worker_id: str, queues: list[str] | None = None) -> ClaimedJob | None:
        """Atomically take the oldest queued job of the highest priority."""
        pick = select(Job.id).where(Job.status == JobStatus.QUEUED)
        if queues:
            pick = pick.where(Job.queue.in_(queues))
        pick = pick.order_by(Job.priority.desc(), Job.created_at).limit(1)
        if not self.db.is_sqlite:
            pick = pick.with_for_update(skip_locked=True)
        return self._claim(worker_id, Job.id == pick.scalar_subquery())

    def claim_by_id(self, job_id: str, worker_id: str) -> ClaimedJob | None:
        """Take one named job if it is still queued (for brokers that deliver ids)."""
        return self._claim(worker_id, Job.id == job_id)

    def _claim(self, worker_id: str, which: Any) -> ClaimedJob | None:
        now = self.clock.now()
        with self.db.write() as session:
            job_id = session.scalar(
                update(Job)
                .where(which, Job.status == JobStatus.QUEUED)
                .values(
                    status=JobStatus.PROCESSING,
                    worker_id=worker_id,
                    lease_expires_at=self._lease_end(),
                    attempts=Job.attempts + 1,
                    started_at=func.coalesce(Job.started_at, now),
                )
                .returning(Job.id)
            )
            if job_id is None:
                return None
            job = session.get_one(Job, job_id, populate_existing=True)
            return _claimed(job)

    def heartbeat(
        self, job_id: str, worker_id: str, *, progress: float | None = None, message: str | None = None
    ) -> Lease:
        """Renew the lease; record progress and emit progress webhooks at each tenth."""
        with self.db.write() as session:
            job = self._owned(session, job_id, worker_id)
            if job is None:
                return Lease(held=False)
            job.lease_expires_at = self._lease_end()
            if progress is not None:
                self._record_progress(session, job, progress, message)
            return Lease(held=True, cancel_requested=job.cancel_requested)

    def _record_progress(self, session: Session, job: Job, progress: float, message: str | None) -> None:
        progress = min(max(progress, 0.0), 1.0)
        crossed = math.floor(progress * 10) > math.floor(job.progress * 10)
        job.progress = max(job.progress, progress)
        if message is not None:
            job.progress_message = message
        if crossed:
            enqueue_webhook(
                session, job, WebhookEvent.PROGRESS, now=self.clock.now(), base_url=self.config.base_url
            )

    def complete(
        self, job_id: str, worker_id: str, *, results: list[ResultFile], metadata: dict[str, Any]
    ) -> bool:
        """Record results and settle credits; False if the lease was lost meanwhile."""
        now = self.clock.now()
        with self.db.write() as session:
            job = self._owned(session, job_id, worker_id)
            if job is None:
                return False
            if job.cancel_requested:
                self._finish(
                    session, job, JobStatus.CANCELLED, code="cancelled", message="Cancelled by the client."
                )
                return True
            expires = now + timedelta(days=self.config.retention_days)
            for position, result in enumerate(results):
                session.add(_artifact_row(job, result, position, now, expires))
            job.job_metadata = {**(job.job_metadata or {}), **metadata}
            job.progress, job.progress_message = 1.0, None
            self._finish(session, job, JobStatus.COMPLETE)
            return True

    def fail(self, job_id: str, worker_id: str, *, code: str, message: str, retryable: bool) -> None:
        """Fail the job, or re-queue it when the error is retryable and attempts remain."""
        with self.db.write() as session:
            job = self._owned(session, job_id, worker_id)
            if job is None:
                return
            if job.cancel_requested or code == "cancelled":
                self._finish(
                    session, job, JobStatus.CANCELLED, code="cancelled", message="Cancelled by the client."
                )
            elif retryable and JobRetryPolicy(max_attempts=job.max_attempts).should_retry(job.attempts):
                self._requeue(job, code, message)
            else:
                self._finish(session, job, JobStatus.FAILED, code=code, message=message)

    def release(self, job_id: str, worker_id: str) -> None:
        """Give a job back without counting the attempt (worker shutdown)."""
        with self.db.write() as session:
            job = self._owned(session, job_id, worker_id)
            if job is not None:
                job.attempts = max(job.attempts - 1, 0)
                self._requeue(job, None, None)

    # -- API side ----------------------------------------------------------------------------

    def cancel(self, job_id: str) -> None:
        """Cancel a queued job at once; flag a running one."""
        with self.db.write() as session:
            job = session.get(Job, job_id, with_for_update=True)
            if job is None or JobStatus(job.status).is_final:
                return
            job.cancel_requested = True
            if job.status == JobStatus.QUEUED:
                self._finish(
                    session, job, JobStatus.CANCELLED, code="cancelled", message="Cancelled by the client."
                )

    # -- maintenance -------------------------------------------------------------------------

    def requeue_expired(self) -> int:
        """Re-queue jobs whose lease ran out (their worker died); fail them after max attempts."""
        now = self.clock.now()
        with self.db.write() as session:
            expired = list(
                session.scalars(
                    select(Job).where(Job.status == JobStatus.PROCESSING, Job.lease_expires_at < now)
                )
            )
            for job in expired:
                self._lost(session, job)
            return len(expired)

    def release_worker(self, worker_id: str) -> int:
        """Expire the leases of a worker known to be dead, then re-queue its jobs."""
        with self.db.write() as session:
            session.execute(
                update(Job)
                .where(and_(Job.worker_id == worker_id, Job.status == JobStatus.PROCESSING))
                .values(lease_expires_at=self.clock.now() - timedelta(seconds=1))
            )
        return self.requeue_expired()

    def _lost(self, session: Session, job: Job) -> None:
        message = f"The worker running this job stopped responding (attempt {job.attempts})."
        if job.cancel_requested:
            self._finish(
                session, job, JobStatus.CANCELLED, code="cancelled", message="Cancelled by the client."
            )
        elif JobRetryPolicy(max_attempts=job.max_attempts).should_retry(job.attempts):
            self._requeue(job, "worker_lost", message)
        else:
            self._finish(session, job, JobStatus.FAILED, code="worker_lost", message=message)

    # -- shared ------------------------------------------------------------------------------

    def _owned(self, session: Session, job_id: str, worker_id: str) -> Job | None:
        job = session.get(Job, job_id, with_for_update=True, populate_existing=True)
        if job is None or job.status != JobStatus.PROCESSING or job.worker_id != worker_id:
            return None
        return job

    def _requeue(self, job: Job, code: str | None, message: str | None) -> None:
        job.status = JobStatus.QUEUED
        job.worker_id = None
        job.lease_expires_at = None
        job.progress = 0.0
        if code is not None:
            job.job_metadata = {**(job.job_metadata or {}), "last_error": {"code": code, "message": message}}

    def _finish(
        self,
        session: Session,
        job: Job,
        status: JobStatus,
        *,
        code: str | None = None,
        message: str | None = None,
    ) -> None:
        if not can_transition(JobStatus(job.status), status):
            raise ValueError(f"job {job.id}: {job.status} -> {status} is not allowed")
        now = self.clock.now()
        job.status = status
        job.finished_at = now
        job.lease_expires_at = None
        job.error_code, job.error_message = code, message
        if job.started_at is not None:
            job.run_seconds = (now - job.started_at).total_seconds()
        self._close_credits(session, job, status, now)
        event = event_for_status(status)
        if event is not None:
            enqueue_webhook(session, job, event, now=now, base_url=self.config.base_url)

    def _close_credits(self, session: Session, job: Job, status: JobStatus, now: datetime) -> None:
        reserved = job.credit_reserved_milli
        if status is JobStatus.COMPLETE:
            job.credit_charged_milli = reserved
            credits.settle(
                session, key_id=job.key_id, job_id=job.id, reserved=reserved, charged=reserved, now=now
            )
        else:
            credits.refund(
                session, key_id=job.key_id, job_id=job.id, reserved=reserved, now=now, reason=status.value
            )
        job.credit_reserved_milli = 0


def _artifact_row(job: Job, result: ResultFile, position: int, now: datetime, expires: datetime) -> Artifact:
    return Artifact(
        id=result.id,
        key_id=job.key_id,
        job_id=job.id,
        role="result",
        kind=result.kind,
        format=result.format,
        storage_key=result.storage_key,
        size_bytes=result.size_bytes,
        sha256=result.sha256,
        meta=result.meta,
        position=position,
        created_at=now,
        expires_at=expires,
        expired=False,
    )
