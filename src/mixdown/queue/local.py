"""``LocalQueue``: the embedded queue, on the service's own job table."""

from __future__ import annotations

from typing import Any

from mixdown.queue.base import ClaimedJob, Lease, ResultFile
from mixdown.queue.wakeup import Wakeup
from mixdown.storage.jobstore import JobStore


class LocalQueue:
    """Claims with one atomic UPDATE on the job table; wakes idle workers on submit."""

    def __init__(self, store: JobStore, wakeup: Wakeup | None = None) -> None:
        self.store = store
        self.wakeup = wakeup

    def submit(self, job_id: str) -> None:
        """The row is already queued; only wake the workers."""
        if self.wakeup is not None:
            self.wakeup.notify()

    def claim(self, worker_id: str, *, queues: list[str] | None = None) -> ClaimedJob | None:
        """Take the next runnable job, or None."""
        return self.store.claim_next(worker_id, queues)

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
        """Record a failure (or re-queue a retryable one)."""
        self.store.fail(job_id, worker_id, code=code, message=message, retryable=retryable)

    def release(self, job_id: str, worker_id: str) -> None:
        """Give a job back untouched."""
        self.store.release(job_id, worker_id)

    def cancel(self, job_id: str) -> None:
        """Cancel or flag a job."""
        self.store.cancel(job_id)

    def requeue_expired(self) -> int:
        """Re-queue jobs of dead workers."""
        return self.store.requeue_expired()

    def close(self) -> None:
        """Release the wake-up socket."""
        if self.wakeup is not None:
            self.wakeup.close()
