"""The exact result cache: a deterministic request seen before is answered from its results.

The key is a content hash of the task, its validated parameters, the SHA-256 of every input file
(not its URL) and the server version. A hit is a new job, complete at once, whose results point
at the same stored files (a file is deleted only when no unexpired result still points at it),
with ``metadata.cache = "hit"`` and ``cached_from``; it costs ``cache_hit_credit_fraction`` of the
price (nothing by default). Hits are per key unless ``cache_shared``.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mixdown import __version__
from mixdown.errors import ValidationFailed
from mixdown.ids import new_id
from mixdown.jobs.states import JobStatus, WebhookEvent
from mixdown.storage import credits
from mixdown.storage.models import Artifact, Job
from mixdown.storage.outbox import enqueue_webhook
from mixdown.tasks.base import TaskSpec

CACHE_FIELD = "cache"


def wants_cache(fields: dict[str, Any]) -> bool:
    """The request's ``cache`` field: true (default) or false; anything else is a 422."""
    value = fields.get(CACHE_FIELD, True)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "exact", "1", "0"):
        return value.strip().lower() in ("true", "exact", "1")
    if isinstance(value, bool):
        return value
    raise ValidationFailed("cache must be true or false", field=CACHE_FIELD)


def cache_key(spec: TaskSpec, params: Any, inputs_raw: dict[str, Any]) -> str | None:
    """The request's content hash, or None when the task or these parameters are not deterministic."""
    if spec.cacheable is None or not spec.cacheable(params):
        return None
    audio = {name: item["sha256"] for name, item in inputs_raw.get("audio", {}).items()}
    described = {"task": spec.name, "version": __version__, "params": params.model_dump(mode="json")}
    blob = json.dumps({**described, "inputs": audio}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def find_hit(session: Session, key: str, key_id: str, *, shared: bool) -> Job | None:
    """The newest completed job with this cache key whose results are all still stored."""
    query = select(Job).where(Job.cache_key == key, Job.status == JobStatus.COMPLETE.value)
    if not shared:
        query = query.where(Job.key_id == key_id)
    for job in session.scalars(query.order_by(Job.finished_at.desc()).limit(5)):
        results = _results(session, job.id)
        if results and not any(a.expired for a in results):
            return job
    return None


def answer_from_cache(
    session: Session, job: Job, hit: Job, *, now: datetime, fraction: float, charge: bool, base_url: str
) -> None:
    """Add ``job`` complete at once with ``hit``'s results, charging ``fraction`` of its price."""
    price = round(job.credit_estimate_milli * fraction)
    job.credit_estimate_milli = job.credit_reserved_milli = job.credit_charged_milli = price
    if charge and price:
        credits.reserve(session, key_id=job.key_id, job_id=job.id, milli=price, now=now)
        credits.settle(session, key_id=job.key_id, job_id=job.id, reserved=price, charged=price, now=now)
    complete_from(session, job, hit, now)
    session.add(job)
    session.flush()
    enqueue_webhook(session, job, WebhookEvent.COMPLETE, now=now, base_url=base_url)


def complete_from(session: Session, job: Job, hit: Job, now: datetime) -> None:
    """Make ``job`` (not yet added) a completed copy of ``hit``'s results."""
    job.status = JobStatus.COMPLETE.value
    job.progress = 1.0
    job.started_at = job.finished_at = now
    job.run_seconds = 0.0
    origin = (hit.job_metadata or {}).get("cached_from", hit.id)
    # The new job's own metadata (a vendor layer's conversion type, title...) stays on top.
    job.job_metadata = {
        **(hit.job_metadata or {}),
        **(job.job_metadata or {}),
        "cache": "hit",
        "cached_from": origin,
    }
    for result in _results(session, hit.id):
        session.add(_copy(result, job, now))


def _results(session: Session, job_id: str) -> list[Artifact]:
    return list(
        session.scalars(
            select(Artifact)
            .where(Artifact.job_id == job_id, Artifact.role == "result")
            .order_by(Artifact.position)
        )
    )


def _copy(result: Artifact, job: Job, now: datetime) -> Artifact:
    return Artifact(
        id=new_id("res"),
        key_id=job.key_id,
        job_id=job.id,
        role="result",
        kind=result.kind,
        format=result.format,
        storage_key=result.storage_key,
        size_bytes=result.size_bytes,
        sha256=result.sha256,
        meta=dict(result.meta or {}),
        position=result.position,
        created_at=now,
        expires_at=result.expires_at,
        expired=False,
    )
