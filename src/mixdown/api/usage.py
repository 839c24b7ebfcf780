"""``GET /v1/usage``: what the calling key used over a period."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from mixdown.api.deps import ServicesDep, StatusCallerDep
from mixdown.service.usage import usage_view

router = APIRouter(prefix="/v1", tags=["usage"])


@router.get("/usage", summary="Usage of this key: jobs, audio seconds, credits, cache hits, limits")
def get_usage(
    caller: StatusCallerDep,
    services: ServicesDep,
    start: Annotated[
        datetime | None, Query(alias="from", description="ISO 8601; default 30 days ago")
    ] = None,
    end: Annotated[datetime | None, Query(alias="to", description="ISO 8601; default now")] = None,
    group_by: Annotated[str | None, Query(description="task or day")] = None,
) -> dict[str, Any]:
    """Totals for ``[from, to)``: `requests` (jobs submitted), `jobs` by status, `audio_seconds`
    produced, `credits_spent`, `credits_refunded`, `cache_hits`; with `group_by` the same per task
    or per day; plus the current rate-limit state and balance."""
    return usage_view(services, caller, start=_aware(start), end=_aware(end), group_by=group_by)


def _aware(value: datetime | None) -> datetime | None:
    """Times without a zone are UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
