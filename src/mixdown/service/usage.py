"""Usage of one key over a period: jobs, audio produced, credits, cache hits, limits now.

``requests`` counts submitted jobs (whatever became of them); rejected submits (4xx) are not
recorded per key, so they are not counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from mixdown.errors import ValidationFailed
from mixdown.jobs.cost import from_milli
from mixdown.service.container import Services
from mixdown.service.jobs import credits_view
from mixdown.service.keys import Caller
from mixdown.service.quotas import quota_view
from mixdown.service.views import iso
from mixdown.storage.models import Artifact, CreditEntry, Job

GROUPS = ("task", "day")
DEFAULT_DAYS = 30


def usage_view(
    services: Services,
    caller: Caller,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    group_by: str | None = None,
) -> dict[str, Any]:
    """``GET /v1/usage``: totals for ``[start, end)`` (default: the last 30 days), optionally grouped."""
    if group_by is not None and group_by not in GROUPS:
        raise ValidationFailed(f"group_by must be one of {', '.join(GROUPS)}", field="group_by")
    end = end or services.clock.now()
    start = start or end - timedelta(days=DEFAULT_DAYS)
    if start >= end:
        raise ValidationFailed("from must be earlier than to", field="from")
    jobs, seconds, ledger = _read(services, caller.key_id, start, end)
    view: dict[str, Any] = {"from": iso(start), "to": iso(end), **_totals(jobs, seconds, ledger)}
    if group_by is not None:
        view["group_by"] = group_by
        view["groups"] = _grouped(jobs, seconds, ledger, _group_key(group_by))
    view["limits"] = {name: services.limits.state(name, caller.key_id) for name in ("submit", "status")}
    view["credits"] = credits_view(services, caller)
    view["quotas"] = quota_view(services, caller.key_id)
    return view


Row = tuple[str, str, datetime, str, int, dict[str, Any]]  # id, task, created, status, charged, meta


def _read(
    services: Services, key_id: str, start: datetime, end: datetime
) -> tuple[list[Row], dict[str, float], list[tuple[str | None, str, int, datetime]]]:
    with services.db.read() as session:
        jobs = [
            (j.id, j.task, j.created_at, j.status, j.credit_charged_milli, j.job_metadata or {})
            for j in session.scalars(
                select(Job).where(Job.key_id == key_id, Job.created_at >= start, Job.created_at < end)
            )
        ]
        seconds: dict[str, float] = defaultdict(float)
        for job_id, meta in session.execute(
            select(Artifact.job_id, Artifact.meta).where(
                Artifact.job_id.in_([j[0] for j in jobs]), Artifact.role == "result", Artifact.kind == "audio"
            )
        ):
            seconds[str(job_id)] += float((meta or {}).get("duration") or 0.0)
        ledger = [
            (e.job_id, e.kind, e.amount_milli, e.created_at)
            for e in session.scalars(
                select(CreditEntry).where(
                    CreditEntry.key_id == key_id,
                    CreditEntry.created_at >= start,
                    CreditEntry.created_at < end,
                    CreditEntry.kind.in_(("charge", "refund")),
                )
            )
        ]
    return jobs, seconds, ledger


def _totals(
    jobs: list[Row], seconds: dict[str, float], ledger: list[tuple[str | None, str, int, datetime]]
) -> dict[str, Any]:
    statuses: dict[str, int] = defaultdict(int)
    for job in jobs:
        statuses[job[3]] += 1
    return {
        "requests": len(jobs),
        "jobs": dict(sorted(statuses.items())),
        "audio_seconds": round(sum(seconds[j[0]] for j in jobs), 3),
        "credits_spent": from_milli(sum(-amount for _, kind, amount, _ in ledger if kind == "charge")),
        "credits_refunded": from_milli(sum(amount for _, kind, amount, _ in ledger if kind == "refund")),
        "cache_hits": sum(1 for j in jobs if j[5].get("cache") in ("hit", "similar")),
    }


def _group_key(group_by: str) -> Callable[[str, datetime], str]:
    if group_by == "task":
        return lambda task, _created: task
    return lambda _task, created: created.date().isoformat()


def _grouped(
    jobs: list[Row],
    seconds: dict[str, float],
    ledger: list[tuple[str | None, str, int, datetime]],
    key: Callable[[str, datetime], str],
) -> dict[str, Any]:
    task_of = {j[0]: j[1] for j in jobs}
    groups: dict[str, list[Row]] = defaultdict(list)
    for job in jobs:
        groups[key(job[1], job[2])].append(job)
    entries: dict[str, list[tuple[str | None, str, int, datetime]]] = defaultdict(list)
    for entry in ledger:
        entries[key(task_of.get(entry[0] or "", "other"), entry[3])].append(entry)
    names = sorted(set(groups) | set(entries))
    return {name: _totals(groups[name], seconds, entries[name]) for name in names}
