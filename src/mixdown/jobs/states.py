"""Job states and the transitions allowed between them."""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    """Where a job is in its life."""

    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETE = "complete"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        """True once the job can no longer change."""
        return self in FINAL_STATES


FINAL_STATES = frozenset({JobStatus.COMPLETE, JobStatus.FAILED, JobStatus.CANCELLED})
ACTIVE_STATES = frozenset({JobStatus.QUEUED, JobStatus.PROCESSING})

_ALLOWED: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.QUEUED: frozenset({JobStatus.PROCESSING, JobStatus.CANCELLED, JobStatus.FAILED}),
    # processing -> queued is a retry after a lost lease or a retryable failure.
    JobStatus.PROCESSING: frozenset(
        {JobStatus.QUEUED, JobStatus.COMPLETE, JobStatus.FAILED, JobStatus.CANCELLED}
    ),
}


def can_transition(current: JobStatus, target: JobStatus) -> bool:
    """Whether a job may move from ``current`` to ``target``."""
    return target in _ALLOWED.get(current, frozenset())


class TaskCategory(StrEnum):
    """What kind of work a task does; decides which rate limit applies."""

    GENERATION = "generation"
    CONVERSION = "conversion"


class WebhookEvent(StrEnum):
    """Events a webhook receiver can subscribe to."""

    COMPLETE = "complete"
    FAILED = "failed"
    PROGRESS = "progress"
    CANCELLED = "cancelled"


DEFAULT_WEBHOOK_EVENTS = (WebhookEvent.COMPLETE, WebhookEvent.FAILED)


def event_for_status(status: JobStatus) -> WebhookEvent | None:
    """The webhook event a final status raises, if any."""
    return {
        JobStatus.COMPLETE: WebhookEvent.COMPLETE,
        JobStatus.FAILED: WebhookEvent.FAILED,
        JobStatus.CANCELLED: WebhookEvent.CANCELLED,
    }.get(status)
