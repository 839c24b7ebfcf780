"""``MemoryQueue``: the in-memory twin of ``JobQueue`` for unit tests."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from mixdown.clock import Clock, SystemClock
from mixdown.jobs.retry import JobRetryPolicy
from mixdown.jobs.states import JobStatus
from mixdown.queue.base import ClaimedJob, Lease, ResultFile


@dataclass(kw_only=True)
class MemoryJob:
    """A job as the memory queue keeps it."""

    id: str
    task: str
    params: dict[str, Any]
    inputs: dict[str, Any] = field(default_factory=dict)
    key_id: str = "key_test"
    queue: str = "audio"
    priority: int = 0
    status: JobStatus = JobStatus.QUEUED
    attempts: int = 0
    max_attempts: int = 3
    worker_id: str | None = None
    lease_expires_at: datetime | None = None
    cancel_requested: bool = False
    progress: float = 0.0
    results: list[ResultFile] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    error: tuple[str, str] | None = None


class MemoryQueue:
    """Same contract as ``LocalQueue``, kept in a dict behind a lock."""

    def __init__(self, *, clock: Clock | None = None, lease_seconds: float = 30.0) -> None:
        self.clock = clock or SystemClock()
        self.lease_seconds = lease_seconds
        self.jobs: dict[str, MemoryJob] = {}
        self._order: list[str] = []
        self._lock = threading.Lock()

    def add(self, job: MemoryJob) -> None:
        """Store a queued job (what the API does before ``submit``)."""
        with self._lock:
            self.jobs[job.id] = job
            self._order.append(job.id)

    def submit(self, job_id: str) -> None:
        """Nothing to do: ``add`` made it runnable."""

    def claim(self, worker_id: str, *, queues: list[str] | None = None) -> ClaimedJob | None:
        """Take the next queued job by priority then age."""
        with self._lock:
            queued = [
                self.jobs[i]
                for i in self._order
                if self.jobs[i].status is JobStatus.QUEUED and (not queues or self.jobs[i].queue in queues)
            ]
            if not queued:
                return None
            job = max(queued, key=lambda j: j.priority)  # max keeps the first (oldest) of equals
            job.status, job.worker_id = JobStatus.PROCESSING, worker_id
            job.attempts += 1
            job.lease_expires_at = self.clock.now() + timedelta(seconds=self.lease_seconds)
            return ClaimedJob(
                id=job.id,
                key_id=job.key_id,
                task=job.task,
                params=dict(job.params),
                inputs=dict(job.inputs),
                attempt=job.attempts,
                lease_expires_at=job.lease_expires_at,
            )

    def _owned(self, job_id: str, worker_id: str) -> MemoryJob | None:
        job = self.jobs.get(job_id)
        if job is None or job.status is not JobStatus.PROCESSING or job.worker_id != worker_id:
            return None
        return job

    def heartbeat(
        self, job_id: str, worker_id: str, *, progress: float | None = None, message: str | None = None
    ) -> Lease:
        """Renew the lease and keep the progress."""
        with self._lock:
            job = self._owned(job_id, worker_id)
            if job is None:
                return Lease(held=False)
            job.lease_expires_at = self.clock.now() + timedelta(seconds=self.lease_seconds)
            if progress is not None:
                job.progress = max(job.progress, min(max(progress, 0.0), 1.0))
            return Lease(held=True, cancel_requested=job.cancel_requested)

    def complete(
        self, job_id: str, worker_id: str, *, results: list[ResultFile], metadata: dict[str, Any]
    ) -> bool:
        """Record results, unless the job was cancelled meanwhile."""
        with self._lock:
            job = self._owned(job_id, worker_id)
            if job is None:
                return False
            if job.cancel_requested:
                self._finish(job, JobStatus.CANCELLED, ("cancelled", "Cancelled by the client."))
                return True
            job.results, job.metadata, job.progress = list(results), dict(metadata), 1.0
            self._finish(job, JobStatus.COMPLETE, None)
            return True

    def fail(self, job_id: str, worker_id: str, *, code: str, message: str, retryable: bool) -> None:
        """Fail or re-queue."""
        with self._lock:
            job = self._owned(job_id, worker_id)
            if job is None:
                return
            if job.cancel_requested or code == "cancelled":
                self._finish(job, JobStatus.CANCELLED, ("cancelled", "Cancelled by the client."))
            elif retryable and JobRetryPolicy(max_attempts=job.max_attempts).should_retry(job.attempts):
                self._requeue(job)
            else:
                self._finish(job, JobStatus.FAILED, (code, message))

    def release(self, job_id: str, worker_id: str) -> None:
        """Give the job back without counting the attempt."""
        with self._lock:
            job = self._owned(job_id, worker_id)
            if job is not None:
                job.attempts -= 1
                self._requeue(job)

    def cancel(self, job_id: str) -> None:
        """Cancel a queued job; flag a running one."""
        with self._lock:
            job = self.jobs.get(job_id)
            if job is None or job.status.is_final:
                return
            job.cancel_requested = True
            if job.status is JobStatus.QUEUED:
                self._finish(job, JobStatus.CANCELLED, ("cancelled", "Cancelled by the client."))

    def requeue_expired(self) -> int:
        """Re-queue or fail jobs with a lapsed lease."""
        now = self.clock.now()
        with self._lock:
            expired = [
                j
                for j in self.jobs.values()
                if j.status is JobStatus.PROCESSING
                and j.lease_expires_at is not None
                and j.lease_expires_at < now
            ]
            for job in expired:
                if JobRetryPolicy(max_attempts=job.max_attempts).should_retry(job.attempts):
                    self._requeue(job)
                else:
                    self._finish(job, JobStatus.FAILED, ("worker_lost", "The worker stopped responding."))
            return len(expired)

    def close(self) -> None:
        """Nothing to release."""

    def _requeue(self, job: MemoryJob) -> None:
        job.status, job.worker_id, job.lease_expires_at, job.progress = JobStatus.QUEUED, None, None, 0.0

    def _finish(self, job: MemoryJob, status: JobStatus, error: tuple[str, str] | None) -> None:
        job.status, job.error, job.lease_expires_at = status, error, None
