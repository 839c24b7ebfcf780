"""JSON shapes of jobs and results, shared by the API, webhooks and the SDK."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from mixdown.jobs.cost import from_milli


class ArtifactLike(Protocol):
    """The fields of an artifact that views read (an ORM row or a Core row)."""

    id: str
    kind: str
    format: str
    size_bytes: int
    expires_at: datetime | None
    expired: bool
    sha256: str | None
    meta: dict[str, Any]


class JobLike(Protocol):
    """The fields of a job that views read (an ORM row or a Core row)."""

    id: str
    task: str
    status: str
    progress: float
    progress_message: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    attempts: int
    cancel_requested: bool
    params: dict[str, Any]
    credit_estimate_milli: int
    credit_charged_milli: int
    job_metadata: dict[str, Any]
    error_code: str | None
    error_message: str | None


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``."""
    if value is None:
        return None
    return value.isoformat().replace("+00:00", "Z")


def result_view(artifact: ArtifactLike, base_url: str) -> dict[str, Any]:
    """One result as listed in a job."""
    view: dict[str, Any] = {
        "id": artifact.id,
        "url": f"{base_url.rstrip('/')}/v1/audio/{artifact.id}",
        "kind": artifact.kind,
        "format": artifact.format,
        "size_bytes": artifact.size_bytes,
        "sha256": artifact.sha256,
        "expires_at": iso(artifact.expires_at),
        "expired": artifact.expired,
    }
    view.update(artifact.meta or {})
    return view


def error_view(job: JobLike) -> dict[str, Any] | None:
    """The job's error, if it has one."""
    if job.error_code is None:
        return None
    return {"code": job.error_code, "message": job.error_message or ""}


def job_view(job: JobLike, results: list[Any], base_url: str) -> dict[str, Any]:
    """The full job as ``GET /v1/jobs/{job_id}`` answers it."""
    return {
        "job_id": job.id,
        "task": job.task,
        "status": job.status,
        "progress": round(job.progress, 4),
        "progress_message": job.progress_message,
        "created_at": iso(job.created_at),
        "started_at": iso(job.started_at),
        "finished_at": iso(job.finished_at),
        "attempts": job.attempts,
        "cancel_requested": job.cancel_requested,
        "params": job.params,
        "credit_estimate": from_milli(job.credit_estimate_milli),
        "credits_charged": from_milli(job.credit_charged_milli),
        "results": [result_view(a, base_url) for a in results],
        "metadata": job.job_metadata or {},
        "error": error_view(job),
    }


def webhook_payload(job: JobLike, results: list[Any], base_url: str, event: str) -> dict[str, Any]:
    """The body of a webhook delivery."""
    return {
        "event": event,
        "job_id": job.id,
        "task": job.task,
        "status": job.status,
        "progress": round(job.progress, 4),
        "results": [result_view(a, base_url) for a in results],
        "metadata": job.job_metadata or {},
        "error": error_view(job),
        "created_at": iso(job.created_at),
        "finished_at": iso(job.finished_at),
    }
