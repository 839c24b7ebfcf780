"""The result cache: a request seen before is answered from its results.

The exact cache's key is a content hash of the task, its validated parameters, the SHA-256 of
every input file (not its URL) and the server version. A hit is a new job, complete at once,
whose results point at the same stored files (a file is deleted only when no unexpired result
still points at it), with ``metadata.cache = "hit"`` and ``cached_from``; it costs
``cache_hit_credit_fraction`` of the price (nothing by default). Hits are per key unless
``cache_shared``. The similar-prompt cache (``service/similar_cache.py``) answers the same way,
with ``metadata.cache = "similar"`` and the ``similarity``, when the request asks for it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mixdown import __version__
from mixdown.errors import ValidationFailed
from mixdown.ids import new_id
from mixdown.jobs.states import JobStatus, WebhookEvent
from mixdown.service.similar_cache import SimilarRequest, candidates, rank
from mixdown.settings import Settings
from mixdown.storage import credits
from mixdown.storage.models import Artifact, Job
from mixdown.storage.outbox import enqueue_webhook
from mixdown.tasks.base import TaskSpec

CACHE_FIELD = "cache"


class CacheMode(StrEnum):
    """What the request's ``cache`` field asks for."""

    OFF = "off"
    EXACT = "exact"
    SIMILAR = "similar"  # the exact cache first, then the similar-prompt cache


_MODES = {"false": CacheMode.OFF, "0": CacheMode.OFF, "exact": CacheMode.EXACT, "similar": CacheMode.SIMILAR}


def cache_mode(fields: dict[str, Any], settings: Settings) -> CacheMode:
    """The request's ``cache`` field: true (default), false, "exact" or "similar"; else a 422."""
    value = fields.get(CACHE_FIELD, True)
    default = CacheMode.SIMILAR if settings.cache_similar_default else CacheMode.EXACT
    if isinstance(value, bool):
        mode = default if value else CacheMode.OFF
    elif isinstance(value, str) and value.strip().lower() in (*_MODES, "true", "1"):
        mode = _MODES.get(value.strip().lower(), default)
    else:
        raise ValidationFailed('cache must be true, false, "exact" or "similar"', field=CACHE_FIELD)
    return mode if settings.cache_enabled else CacheMode.OFF


@dataclass(frozen=True)
class Hit:
    """The job whose results answer a request, how it was found, and how close its prompt is."""

    job: Job
    kind: str  # "hit" (exact) or "similar"
    similarity: float | None = None


def lookup(
    session: Session, job: Job, similar: SimilarRequest | None, *, settings: Settings, now: datetime
) -> Hit | None:
    """An exact hit for ``job``, else (when ``similar`` is given) the most similar prompt's job."""
    shared = settings.cache_shared
    if job.cache_key is not None:
        exact = find_hit(session, job.cache_key, job.key_id, shared=shared)
        if exact is not None:
            return Hit(exact, "hit")
    if similar is None:
        return None
    since = now - timedelta(days=settings.retention_days)
    rows = session.execute(candidates(similar, job.key_id, shared=shared, since=since)).all()
    for job_id, similarity in rank(similar, rows, settings.cache_similar_threshold):
        found = session.get_one(Job, job_id)
        if _intact(session, found):
            return Hit(found, "similar", round(min(similarity, 1.0), 4))
    return None


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
        if _intact(session, job):
            return job
    return None


def _intact(session: Session, job: Job) -> bool:
    """Whether the job has results and none has expired."""
    results = _results(session, job.id)
    return bool(results) and not any(a.expired for a in results)


def answer_from_cache(
    session: Session, job: Job, hit: Hit, *, now: datetime, fraction: float, charge: bool, base_url: str
) -> None:
    """Add ``job`` complete at once with ``hit``'s results, charging ``fraction`` of its price."""
    if hit.kind == "similar":
        job.cache_key = None  # its results are another prompt's: never an exact answer for its own
    price = round(job.credit_estimate_milli * fraction)
    job.credit_estimate_milli = job.credit_reserved_milli = job.credit_charged_milli = price
    if charge and price:
        credits.reserve(session, key_id=job.key_id, job_id=job.id, milli=price, now=now)
        credits.settle(session, key_id=job.key_id, job_id=job.id, reserved=price, charged=price, now=now)
    complete_from(session, job, hit, now)
    session.add(job)
    session.flush()
    enqueue_webhook(session, job, WebhookEvent.COMPLETE, now=now, base_url=base_url)


def complete_from(session: Session, job: Job, hit: Hit, now: datetime) -> None:
    """Make ``job`` (not yet added) a completed copy of ``hit``'s results."""
    job.status = JobStatus.COMPLETE.value
    job.progress = 1.0
    job.started_at = job.finished_at = now
    job.run_seconds = 0.0
    source = hit.job.job_metadata or {}
    # The new job's own metadata (a vendor layer's conversion type, title...) stays on top.
    job.job_metadata = {
        **{k: v for k, v in source.items() if k != "similarity"},
        **(job.job_metadata or {}),
        "cache": hit.kind,
        "cached_from": source.get("cached_from", hit.job.id),
    }
    if hit.similarity is not None:
        job.job_metadata["similarity"] = hit.similarity
    for result in _results(session, hit.job.id):
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
