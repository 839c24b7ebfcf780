"""Reading and cancelling a caller's jobs; a key sees only its own (others answer 404)."""

from __future__ import annotations

import base64
import json
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from mixdown.errors import Gone, NotFound, ValidationFailed
from mixdown.jobs.cost import from_milli
from mixdown.jobs.states import JobStatus
from mixdown.service.container import Services
from mixdown.service.keys import Caller
from mixdown.service.views import iso, job_view
from mixdown.storage.models import ApiKey, Artifact, Job, WebhookAttempt, WebhookDelivery
from mixdown.storage.status_reader import read_job

MAX_PAGE = 100


def _own_job(session: Session, caller: Caller, job_id: str) -> Job:
    job = session.get(Job, job_id)
    if job is None or job.key_id != caller.key_id:
        raise NotFound(f"No job {job_id!r}.", field="job_id")
    return job


def _results_by_job(session: Session, job_ids: list[str]) -> dict[str, list[Artifact]]:
    grouped: dict[str, list[Artifact]] = defaultdict(list)
    if not job_ids:
        return grouped
    rows = session.scalars(
        select(Artifact)
        .where(Artifact.job_id.in_(job_ids), Artifact.role == "result")
        .order_by(Artifact.position)
    )
    for artifact in rows:
        grouped[artifact.job_id or ""].append(artifact)
    return grouped


def get_job(services: Services, caller: Caller, job_id: str, base_url: str) -> dict[str, Any]:
    """One job as JSON (the hottest read: see ``storage.status_reader``)."""
    row, results = read_job(services.db, job_id)
    if row is None or row["key_id"] != caller.key_id:
        raise NotFound(f"No job {job_id!r}.", field="job_id")
    job = SimpleNamespace(**row, job_metadata=row["metadata"])
    return job_view(job, [SimpleNamespace(**r) for r in results], base_url)


def _decode_cursor(cursor: str) -> tuple[str, str]:
    try:
        created, job_id = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
        return str(created), str(job_id)
    except (ValueError, TypeError) as exc:
        raise ValidationFailed("cursor: not a cursor returned by this API", field="cursor") from exc


def _encode_cursor(job: Job) -> str:
    return base64.urlsafe_b64encode(json.dumps([iso(job.created_at), job.id]).encode()).decode()


def list_jobs(
    services: Services,
    caller: Caller,
    base_url: str,
    *,
    status: str | None = None,
    task: str | None = None,
    ids: list[str] | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> dict[str, Any]:
    """The caller's jobs, newest first, with a cursor for the next page."""
    if status is not None and status not in {s.value for s in JobStatus}:
        raise ValidationFailed(f"status: must be one of {[s.value for s in JobStatus]}", field="status")
    query = select(Job).where(Job.key_id == caller.key_id)
    if ids:
        query = query.where(Job.id.in_(ids[:MAX_PAGE]))
    if status:
        query = query.where(Job.status == status)
    if task:
        query = query.where(Job.task == task)
    if cursor:
        created, last_id = _decode_cursor(cursor)
        from datetime import datetime

        when = datetime.fromisoformat(created.replace("Z", "+00:00"))
        query = query.where(or_(Job.created_at < when, and_(Job.created_at == when, Job.id < last_id)))
    query = query.order_by(Job.created_at.desc(), Job.id.desc()).limit(limit + 1)
    with services.db.read() as session:
        jobs = list(session.scalars(query))
        page, more = jobs[:limit], len(jobs) > limit
        results = _results_by_job(session, [j.id for j in page])
        items = [job_view(j, results[j.id], base_url) for j in page]
    return {"jobs": items, "next_cursor": _encode_cursor(page[-1]) if more and page else None}


def cancel_job(services: Services, caller: Caller, job_id: str, base_url: str) -> dict[str, Any]:
    """Cancel a queued job or ask a running one to stop; final jobs are left as they are."""
    with services.db.read() as session:
        job = _own_job(session, caller, job_id)
    if not JobStatus(job.status).is_final:
        services.queue.cancel(job_id)
    return get_job(services, caller, job_id, base_url)


def job_webhooks(services: Services, caller: Caller, job_id: str) -> dict[str, Any]:
    """Every delivery of the job's webhooks and every attempt of each."""
    with services.db.read() as session:
        _own_job(session, caller, job_id)
        deliveries = list(
            session.scalars(
                select(WebhookDelivery)
                .where(WebhookDelivery.job_id == job_id)
                .order_by(WebhookDelivery.created_at)
            )
        )
        attempts: dict[str, list[WebhookAttempt]] = defaultdict(list)
        ids = [d.id for d in deliveries]
        if ids:
            for attempt in session.scalars(
                select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(ids)).order_by(WebhookAttempt.id)
            ):
                attempts[attempt.delivery_id].append(attempt)
    return {"deliveries": [_delivery_view(d, attempts[d.id]) for d in deliveries]}


def _delivery_view(delivery: WebhookDelivery, attempts: list[WebhookAttempt]) -> dict[str, Any]:
    return {
        "webhook_id": delivery.id,
        "event": delivery.event,
        "url": delivery.url,
        "status": delivery.status,
        "attempts": [
            {
                "attempted_at": iso(a.attempted_at),
                "status_code": a.status_code,
                "error": a.error,
                "duration_ms": round(a.duration_ms, 2),
            }
            for a in attempts
        ],
        "next_attempt_at": iso(delivery.next_attempt_at) if delivery.status == "pending" else None,
        "created_at": iso(delivery.created_at),
        "delivered_at": iso(delivery.delivered_at),
    }


def own_artifact(services: Services, caller: Caller, artifact_id: str) -> Artifact:
    """An artifact of the caller's; 404 for others', 410 once expired."""
    with services.db.read() as session:
        artifact = session.get(Artifact, artifact_id)
    if artifact is None or artifact.key_id != caller.key_id:
        raise NotFound(f"No file {artifact_id!r}.", field="result_id")
    if artifact.expired:
        raise Gone(f"File {artifact_id!r} expired and was deleted under the retention policy.")
    return artifact


def credits_view(services: Services, caller: Caller) -> dict[str, Any]:
    """Balance, reservations and spending of the caller's key."""
    with services.db.read() as session:
        key = session.get_one(ApiKey, caller.key_id)
        return {
            "credits": from_milli(key.balance_milli),
            "reserved": from_milli(key.reserved_milli),
            "spent": from_milli(key.spent_milli),
            "unlimited": not services.settings.credits_enabled,
        }
