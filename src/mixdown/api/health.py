"""``GET /health`` and ``GET /metrics``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from sqlalchemy import func, select, text

from mixdown import __version__
from mixdown.api.deps import ServicesDep
from mixdown.jobs.states import JobStatus
from mixdown.service.container import Services
from mixdown.service.views import iso
from mixdown.storage.models import Job
from mixdown.storage.workers import live_workers

router = APIRouter(tags=["operations"])


def _check(fn: Any) -> str:
    try:
        fn()
    except Exception as exc:  # the answer must say what is broken, not fail
        return f"error: {type(exc).__name__}: {exc}"
    return "ok"


def _ping(services: Services) -> None:
    with services.db.read() as session:
        session.execute(text("SELECT 1"))


def _depth(services: Services) -> dict[str, int]:
    with services.db.read() as session:
        rows = session.execute(
            select(Job.queue, func.count()).where(Job.status == JobStatus.QUEUED.value).group_by(Job.queue)
        )
        return {queue: int(count) for queue, count in rows}


def health_report(services: Services) -> dict[str, Any]:
    """Database, artifact store, live workers, queue depth."""
    database = _check(lambda: _ping(services))
    store = _check(services.store.check)
    stale = max(services.settings.lease_seconds, 15.0)
    workers = live_workers(services.db, services.clock.now(), stale) if database == "ok" else []
    healthy = database == "ok" and store == "ok"
    return {
        "status": "ok" if healthy else "error",
        "version": __version__,
        "database": database,
        "artifact_store": store,
        "queue": services.settings.queue,
        "queue_depth": _depth(services) if database == "ok" else {},
        "live_workers": len(workers),
        "workers": [
            {
                "id": w.id,
                "pid": w.pid,
                "hostname": w.hostname,
                "queues": w.queues,
                "current_job_id": w.current_job_id,
                "heartbeat_at": iso(w.heartbeat_at),
            }
            for w in workers
        ],
    }


@router.get("/health", summary="Health of the database, artifact store and workers")
def health(services: ServicesDep) -> JSONResponse:
    """503 when the database or artifact store fails."""
    report = health_report(services)
    return JSONResponse(report, status_code=200 if report["status"] == "ok" else 503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(request: Request) -> Response:
    """Jobs by task and state, durations, queue depth, webhook deliveries, HTTP requests."""
    registry: CollectorRegistry = request.app.state.metrics_registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
