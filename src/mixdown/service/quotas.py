"""Quotas as the submit path applies them: the key's plan, what it uses, the check."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from mixdown.errors import NotFound, ValidationFailed
from mixdown.jobs.quotas import (
    Quotas,
    Request,
    TokenLimits,
    TokenUsed,
    Used,
    check,
    check_token,
    month_end,
    month_start,
)
from mixdown.jobs.states import ACTIVE_STATES, JobStatus, TaskCategory
from mixdown.service.container import Services
from mixdown.service.keys import Caller
from mixdown.service.tokens import TokenClaims
from mixdown.storage.db import Database
from mixdown.storage.models import ApiKey, Job
from mixdown.tasks.base import TaskInputs, TaskSpec

COUNTED = (JobStatus.COMPLETE.value, *(s.value for s in ACTIVE_STATES))


def plan_quotas(services: Services, key: ApiKey) -> tuple[str, Quotas]:
    """The key's plan name and its limits (the key's own values over the plan's)."""
    plan = key.plan or services.settings.default_plan
    limits = services.settings.plans.get(plan, {})
    return plan, Quotas().merged(dict(limits)).merged(key.quotas)


def check_quotas(
    services: Services,
    session: Session,
    spec: TaskSpec,
    params: Any,
    inputs: TaskInputs,
    caller: Caller,
    *,
    price_milli: int = 0,
) -> None:
    """Refuse a submit that breaks one of the key's quotas or its token's limits (raises; nothing
    is charged)."""
    generation = spec.category is TaskCategory.GENERATION
    request = Request(
        generation=generation,
        output_seconds=_output_seconds(spec, params, inputs) if generation else 0.0,
        input_bytes=sum(a.size_bytes for a in inputs.audio.values()),
    )
    _check_key(services, session, request, caller.key_id)
    if caller.token is not None:
        _check_token(services, session, request, caller.token, price_milli)


def _check_key(services: Services, session: Session, request: Request, key_id: str) -> None:
    key = session.get_one(ApiKey, key_id)
    _, quotas = plan_quotas(services, key)
    if quotas == Quotas():
        return
    now = services.clock.now()
    used = Used(
        active_jobs=_active_jobs(session, key_id),
        generation_seconds_this_month=(
            _month_seconds(services, session, key_id, now) if quotas.monthly_generation_minutes else 0.0
        ),
    )
    check(quotas, request, used, now)


def _check_token(
    services: Services, session: Session, request: Request, token: TokenClaims, price_milli: int
) -> None:
    if token.limits == TokenLimits():
        return
    active = [s.value for s in ACTIVE_STATES]
    running = case((Job.status.in_(active), 1), else_=0)
    held = case((Job.status.in_(active), Job.credit_reserved_milli), else_=Job.credit_charged_milli)
    jobs, milli = session.execute(
        select(func.sum(running), func.sum(held)).where(Job.token_id == token.token_id)
    ).one()
    check_token(token.limits, request, TokenUsed(int(jobs or 0), int(milli or 0)), price_milli)
    services.tokens.count_submit(token)


def token_limits_fit(services: Services, key_id: str, limits: TokenLimits) -> None:
    """422 naming the limit when a token would allow more than its key's plan does."""
    with services.db.read() as session:
        _, quotas = plan_quotas(services, session.get_one(ApiKey, key_id))
    for name in ("max_duration_seconds", "max_concurrent_jobs"):
        mine, keys = getattr(limits, name), getattr(quotas, name)
        if mine is not None and keys is not None and mine > keys:
            raise ValidationFailed(
                f"limits.{name}: the key allows at most {keys:g}; a token may only narrow it",
                field=f"limits.{name}",
            )


def quota_view(services: Services, key_id: str) -> dict[str, Any]:
    """The key's plan, limits and use this month (for ``GET /v1/usage``)."""
    now = services.clock.now()
    with services.db.read() as session:
        key = session.get_one(ApiKey, key_id)
        plan, quotas = plan_quotas(services, key)
        minutes = _month_seconds(services, session, key_id, now) / 60.0
        active = _active_jobs(session, key_id)
    return {
        "plan": plan,
        "limits": quotas.to_dict(),
        "generation_minutes_this_month": round(minutes, 3),
        "active_jobs": active,
        "resets_at": month_end(now).isoformat().replace("+00:00", "Z"),
    }


def set_key_quotas(
    services: Services, key_id: str, *, plan: str | None, overrides: dict[str, Any]
) -> dict[str, Any]:
    """Give a key a plan and/or its own limits (``None`` values remove an override)."""
    if plan is not None and plan not in services.settings.plans:
        known = ", ".join(sorted(services.settings.plans))
        raise ValidationFailed(f"Unknown plan {plan!r}; plans: {known}", field="plan")
    _write_quotas(services.db, key_id, plan, overrides)
    return quota_view(services, key_id)


def _write_quotas(db: Database, key_id: str, plan: str | None, overrides: dict[str, Any]) -> None:
    with db.write() as session:
        key = session.get(ApiKey, key_id)
        if key is None:
            raise NotFound(f"No API key {key_id!r}")
        if plan is not None:
            key.plan = plan
        merged = {**(key.quotas or {}), **overrides}
        key.quotas = {k: v for k, v in merged.items() if v is not None} or None


def _output_seconds(spec: TaskSpec, params: Any, inputs: TaskInputs) -> float:
    if spec.cost_seconds is not None:
        return float(spec.cost_seconds(params, inputs))
    return float(getattr(params, "duration", 0.0) or 0.0)


def _active_jobs(session: Session, key_id: str) -> int:
    active = [s.value for s in ACTIVE_STATES]
    count = session.scalar(
        select(func.count()).select_from(Job).where(Job.key_id == key_id, Job.status.in_(active))
    )
    return int(count or 0)


def _month_seconds(services: Services, session: Session, key_id: str, now: datetime) -> float:
    """Seconds of generated audio this month (queued, running and completed jobs; cache hits are free)."""
    rows = session.execute(
        select(Job.task, Job.params, Job.job_metadata).where(
            Job.key_id == key_id,
            Job.category == TaskCategory.GENERATION.value,
            Job.status.in_(COUNTED),
            Job.created_at >= month_start(now),
        )
    )
    total = 0.0
    for task, raw, meta in rows:
        if task not in services.registry or (meta or {}).get("cache") in ("hit", "similar"):
            continue
        spec = services.registry.get(task)
        total += _output_seconds(spec, spec.params_model.model_validate(raw), TaskInputs())
    return total
