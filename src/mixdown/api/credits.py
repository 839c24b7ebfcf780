"""``GET /v1/credits``: the caller's balance."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from mixdown.api.deps import CallerDep, ServicesDep
from mixdown.service.jobs import credits_view

router = APIRouter(prefix="/v1", tags=["credits"])


@router.get("/credits", summary="Credit balance, reserved and spent")
def get_credits(caller: CallerDep, services: ServicesDep) -> dict[str, Any]:
    """`credits` is what can be spent now; `reserved` is held by queued and running jobs."""
    return credits_view(services, caller)
