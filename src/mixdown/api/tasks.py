"""``GET /v1/tasks``: what this server can do, with parameter schemas and prices."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from mixdown.api.deps import ServicesDep
from mixdown.tasks.base import TaskSpec

router = APIRouter(prefix="/v1", tags=["tasks"])


def task_view(spec: TaskSpec) -> dict[str, Any]:
    """A task as listed."""
    availability = spec.availability()
    return {
        "name": spec.name,
        "summary": spec.summary,
        "endpoint": f"/v1/{spec.name}",
        "category": spec.category.value,
        "queue": spec.queue,
        "engine": spec.engine,
        "takes_audio": spec.takes_audio,
        "parameters": spec.params_model.model_json_schema(),
        "cost": spec.cost_rule.describe(),
        "available": availability.available,
        "unavailable_reason": availability.reason,
    }


@router.get("/tasks", summary="Registered tasks with parameter schemas, cost rules and availability")
def list_tasks(services: ServicesDep) -> dict[str, Any]:
    """Public: no key needed."""
    return {"tasks": [task_view(spec) for spec in services.registry]}
