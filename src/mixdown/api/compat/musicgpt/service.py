"""What the MusicGPT routes do, between HTTP and the native services.

Submits go through ``Submitter`` with ``api_shape="musicgpt"``, so validation, SSRF checks,
credits (402), the parallel-generation cap and the conversion rate limit (429), idempotency
and the webhook outbox are the native ones. Reads (``byId``, ``byUser``) see only the caller's
jobs, as every native read does.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select

from mixdown.api.compat.musicgpt.conversions import (
    METADATA_KEY,
    parse_conversion_type,
    split_conversion_id,
)
from mixdown.api.compat.musicgpt.endpoints import Endpoint
from mixdown.api.compat.musicgpt.errors import in_vendor_terms
from mixdown.api.compat.musicgpt.fields import VendorRequest
from mixdown.api.compat.musicgpt.views import conversion_type, conversion_view, submitted
from mixdown.errors import MixdownError, NotFound, ValidationFailed
from mixdown.service.container import Services
from mixdown.service.keys import Caller
from mixdown.service.submit import SubmitRequest, Submitter
from mixdown.service.views import iso
from mixdown.service.voices import voices_view
from mixdown.storage.models import Artifact, Job
from mixdown.storage.outbox import job_results

SHAPE = "musicgpt"
SCAN_ROWS = 500  # jobs read per byUser page before filtering by conversion type


def generation_lookup(services: Services, caller: Caller) -> Callable[[str], str | None]:
    """Result id -> hash of the caller's generation whose mix it is (``None`` otherwise)."""

    def lookup(result_id: str) -> str | None:
        with services.db.read() as session:
            artifact = session.get(Artifact, result_id)
        if artifact is None or artifact.key_id != caller.key_id or artifact.expired:
            return None
        if artifact.role != "result" or artifact.kind != "audio":
            return None
        digest = (artifact.meta or {}).get("hash")
        return str(digest) if digest else None

    return lookup


def submit(
    services: Services, caller: Caller, endpoint: Endpoint, req: VendorRequest, idempotency_key: str | None
) -> dict[str, Any]:
    """Translate, submit natively, answer in MusicGPT's shape (errors name MusicGPT's fields)."""
    task = endpoint.task_in(services.registry)
    try:
        call = endpoint.translate(req)
        kept = {"conversion_type": endpoint.conversion_type.value, "outputs": call.outputs, **call.vendor}
        if call.warnings:
            kept["warnings"] = list(call.warnings)
        native = SubmitRequest(
            task=task,
            fields=call.fields,
            upload=call.upload,
            extra_uploads=call.extra_uploads,
            idempotency_key=idempotency_key,
            api_shape=SHAPE,
            metadata={METADATA_KEY: kept},
        )
        result = Submitter(services).submit(caller, native)
    except MixdownError as exc:
        raise in_vendor_terms(exc, endpoint) from None
    return submitted(result.body, endpoint, call)


def _own_job(services: Services, caller: Caller, job_id: str, field: str) -> tuple[Job, list[Artifact]]:
    with services.db.read() as session:
        job = session.get(Job, job_id)
        if job is None or job.key_id != caller.key_id:
            raise NotFound(f"No conversion for {field} {job_id!r}.", field=field)
        return job, job_results(session, job_id)


def by_id(
    services: Services,
    caller: Caller,
    base_url: str,
    *,
    kind: str | None,
    task_id: str | None,
    conversion_id: str | None,
) -> dict[str, Any]:
    """``GET /byId``: one conversion by ``task_id`` or by ``conversion_id`` (exactly one)."""
    parse_conversion_type(kind, required=True)
    if bool(task_id) == bool(conversion_id):
        raise ValidationFailed("task_id: give task_id or conversion_id (one, not both)", field="task_id")
    if task_id:
        job, results = _own_job(services, caller, task_id.strip(), "task_id")
        return {"success": True, "conversion": conversion_view(job, results, base_url)}
    job_id, index = split_conversion_id(str(conversion_id))
    job, results = _own_job(services, caller, job_id, "conversion_id")
    return {"success": True, "conversion": conversion_view(job, results, base_url, index)}


def _instant(raw: str | None, name: str) -> datetime | None:
    """A ``startDate``/``endDate``: ISO 8601 date or date-time (UTC when no zone is given)."""
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed(f"{name}: not an ISO 8601 date, e.g. 2025-01-31", field=name) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _key_of(job: Job) -> str:
    raw = json.dumps([iso(job.created_at), job.id]).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _after(query: Select[Job], key: str, descending: bool) -> Select[Job]:
    try:
        created, job_id = json.loads(base64.urlsafe_b64decode(key.encode()))
        when = datetime.fromisoformat(str(created).replace("Z", "+00:00"))
    except (ValueError, TypeError):
        message = "LastEvaluatedKey: not a key from this API"
        raise ValidationFailed(message, field="LastEvaluatedKey") from None
    if descending:
        return query.where(or_(Job.created_at < when, and_(Job.created_at == when, Job.id < job_id)))
    return query.where(or_(Job.created_at > when, and_(Job.created_at == when, Job.id > job_id)))


def _user_query(caller: Caller, start: datetime | None, end: datetime | None) -> Select[Job]:
    query = select(Job).where(Job.key_id == caller.key_id, Job.api_shape == SHAPE)
    if start is not None:
        query = query.where(Job.created_at >= start)
    if end is not None:
        query = query.where(Job.created_at <= end)
    return query


def by_user(
    services: Services,
    caller: Caller,
    base_url: str,
    *,
    kind: str | None,
    start: str | None,
    end: str | None,
    sort_order: str,
    limit: int,
    last_key: str | None,
) -> dict[str, Any]:
    """``GET /byUser``: the caller's MusicGPT conversions, paged DynamoDB-style.

    Like a DynamoDB query with a filter, a page may hold fewer than ``limit`` items while
    ``LastEvaluatedKey`` is still set; the last page has none.
    """
    wanted = parse_conversion_type(kind, required=False)
    descending = sort_order.strip().upper() != "ASC"
    query = _user_query(caller, _instant(start, "startDate"), _instant(end, "endDate"))
    if last_key:
        query = _after(query, last_key, descending)
    order = (Job.created_at.desc(), Job.id.desc()) if descending else (Job.created_at, Job.id)
    with services.db.read() as session:
        rows = list(session.scalars(query.order_by(*order).limit(SCAN_ROWS)))
        matching = [j for j in rows if wanted is None or conversion_type(j) == wanted.value]
        page = matching[:limit]
        views = [conversion_view(j, job_results(session, j.id), base_url) for j in page]
    more = len(matching) > limit or len(rows) == SCAN_ROWS
    last = (page[-1] if len(matching) > limit else rows[-1]) if more and rows else None
    return {"success": True, "conversions": views, "LastEvaluatedKey": _key_of(last) if last else None}


def voices_page(base_url: str, *, query: str | None, limit: int, page: int) -> dict[str, Any]:
    """``GET /getAllVoices`` and ``GET /searchVoices``: the installed voices, paged from page 0."""
    found = voices_view(base_url, query=query)["voices"]
    voices = [
        {
            "voice_id": v["id"],
            "voice_name": v["name"],
            "gender": v.get("gender"),
            "language": v.get("language"),
            "engine": v.get("engine"),
            "sample_url": v.get("sample"),
        }
        for v in found
    ]
    chunk = voices[page * limit : (page + 1) * limit]
    return {"success": True, "voices": chunk, "limit": limit, "page": page, "total": len(voices)}


def lyrics_of(job: dict[str, Any]) -> str | None:
    """The lyrics a finished lyrics job made: its metadata's ``lyrics`` (or ``text``)."""
    meta = job.get("metadata") or {}
    value = meta.get("lyrics") or meta.get("text")
    return str(value) if value else None
