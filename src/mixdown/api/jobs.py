"""``/v1/jobs``: status, listing, cancellation, webhook deliveries."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from mixdown.api.deps import BaseUrlDep, CallerDep, ServicesDep, StatusCallerDep
from mixdown.service import jobs as job_service

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])

JOB_EXAMPLE = {
    "job_id": "job_3kq0Vx",
    "task": "convert",
    "status": "complete",
    "progress": 1.0,
    "created_at": "2026-01-01T00:00:00Z",
    "started_at": "2026-01-01T00:00:00.01Z",
    "finished_at": "2026-01-01T00:00:00.2Z",
    "results": [
        {
            "id": "res_9f2",
            "url": "http://127.0.0.1:8000/v1/audio/res_9f2",
            "kind": "audio",
            "format": "flac",
            "duration": 2.0,
            "sample_rate": 44100,
            "channels": 2,
            "size_bytes": 22735,
        }
    ],
    "metadata": {"engine": "soundfile", "inference_time": 0.012},
    "error": None,
}


@router.get("", summary="List your jobs, or poll several by id")
def list_jobs(
    caller: StatusCallerDep,
    services: ServicesDep,
    base_url: BaseUrlDep,
    status: Annotated[
        str | None, Query(description="queued, processing, complete, failed or cancelled")
    ] = None,
    task: Annotated[str | None, Query(description="Only jobs of this task")] = None,
    ids: Annotated[str | None, Query(description="Comma-separated job ids to poll at once")] = None,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """Newest first; `next_cursor` is null on the last page."""
    id_list = [i.strip() for i in ids.split(",") if i.strip()] if ids else None
    return job_service.list_jobs(
        services, caller, base_url, status=status, task=task, ids=id_list, cursor=cursor, limit=limit
    )


@router.get(
    "/{job_id}",
    summary="A job's status, progress, results and error",
    responses={200: {"content": {"application/json": {"example": JOB_EXAMPLE}}}},
)
async def get_job(
    job_id: str, caller: StatusCallerDep, services: ServicesDep, base_url: BaseUrlDep
) -> dict[str, Any]:
    """Status is one of queued, processing, complete, failed, cancelled."""
    if services.db.is_sqlite:
        # A local SQLite read takes tens of microseconds: cheaper inline than a thread hop.
        return job_service.get_job(services, caller, job_id, base_url)
    return await run_in_threadpool(job_service.get_job, services, caller, job_id, base_url)


@router.delete("/{job_id}", summary="Cancel a job")
def cancel_job(job_id: str, caller: CallerDep, services: ServicesDep, base_url: BaseUrlDep) -> dict[str, Any]:
    """A queued job is cancelled at once; a running one stops at its next progress check.

    The credits reserved for the job are refunded either way.
    """
    return job_service.cancel_job(services, caller, job_id, base_url)


@router.get("/{job_id}/webhooks", summary="Webhook deliveries of a job and every attempt")
def job_webhooks(job_id: str, caller: CallerDep, services: ServicesDep) -> dict[str, Any]:
    """Each delivery has its webhook-id, status (pending, delivered, failed) and attempts."""
    return job_service.job_webhooks(services, caller, job_id)
