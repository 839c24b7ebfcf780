"""The ``JobQueue`` interface shared by every queue engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, kw_only=True)
class ClaimedJob:
    """A job handed to a worker, with its lease."""

    id: str
    key_id: str
    task: str
    params: dict[str, Any]
    inputs: dict[str, Any]
    attempt: int
    lease_expires_at: datetime


@dataclass(frozen=True, kw_only=True)
class ResultFile:
    """A result a worker stored in the artifact store, to be recorded on completion."""

    id: str
    storage_key: str
    kind: str
    format: str
    size_bytes: int
    sha256: str
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Lease:
    """A worker's answer from a heartbeat: whether it still holds the job and must stop."""

    held: bool
    cancel_requested: bool = False


class JobQueue(Protocol):
    """Submit and cancel (API side); claim, heartbeat, complete, fail (worker side).

    Job rows stay the source of truth in every engine: a queue moves ids, the
    store decides who owns a job.
    """

    def submit(self, job_id: str) -> None:
        """Make a job that is already stored as ``queued`` runnable."""
        ...

    def claim(self, worker_id: str, *, queues: list[str] | None = None) -> ClaimedJob | None:
        """Take the next runnable job, or None."""
        ...

    def heartbeat(
        self, job_id: str, worker_id: str, *, progress: float | None = None, message: str | None = None
    ) -> Lease:
        """Renew the lease and report progress."""
        ...

    def complete(
        self, job_id: str, worker_id: str, *, results: list[ResultFile], metadata: dict[str, Any]
    ) -> bool:
        """Record success; False if the worker no longer held the job."""
        ...

    def fail(self, job_id: str, worker_id: str, *, code: str, message: str, retryable: bool) -> None:
        """Record a failure; a retryable one re-queues the job while attempts remain."""
        ...

    def release(self, job_id: str, worker_id: str) -> None:
        """Give a job back untouched (worker shutting down); the attempt does not count."""
        ...

    def cancel(self, job_id: str) -> None:
        """Cancel a queued job now, or flag a running one to stop at its next check."""
        ...

    def requeue_expired(self) -> int:
        """Re-queue (or fail) jobs whose worker stopped renewing the lease."""
        ...

    def close(self) -> None:
        """Release connections and sockets."""
        ...
