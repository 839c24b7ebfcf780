"""The MusicGPT routes under ``/api/public``: submit endpoints and the helper GETs.

Routers only: bodies are read with the native reader (JSON, urlencoded or multipart), the work
happens in ``service`` (in the thread pool: submits fetch and probe audio), and errors are
raised as native exceptions that ``errors.error_shape`` renders MusicGPT's way.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from mixdown.api.body import read_body
from mixdown.api.compat.musicgpt import service
from mixdown.api.compat.musicgpt.endpoints import ALIASES, BY_PATH, ENDPOINTS, LYRICS, Endpoint
from mixdown.api.compat.musicgpt.fields import VendorRequest
from mixdown.api.deps import BaseUrlDep, CallerDep, ServicesDep, StatusCallerDep
from mixdown.errors import ServiceUnavailable
from mixdown.jobs.states import JobStatus
from mixdown.service.jobs import cancel_job, get_job
from mixdown.service.submit import SubmitRequest, Submitter

TAG = "musicgpt-compatible"
LYRICS_WAIT_SECONDS = 120.0

router = APIRouter(tags=[TAG])

SUBMIT_EXAMPLE = {
    "success": True,
    "message": "Message published to queue",
    "task_id": "job_3kq0Vx",
    "conversion_id": "job_3kq0Vx-1",
    "eta": 2,
    "credit_estimate": 0.3,
}


def _submit_route(endpoint: Endpoint) -> Any:
    async def submit(request: Request, caller: CallerDep, services: ServicesDep) -> dict[str, Any]:
        try:
            fields, uploads = await read_body(request)
            req = VendorRequest(
                fields=fields, uploads=uploads, generation=service.generation_lookup(services, caller)
            )
            key = request.headers.get("idempotency-key")
            return await run_in_threadpool(service.submit, services, caller, endpoint, req, key)
        finally:
            form = getattr(request.state, "form", None)
            if form is not None:
                await form.close()

    submit.__name__ = f"musicgpt_{endpoint.path.lower()}"
    return submit


def _add_submit_routes() -> None:
    paths = [(f"/v1/{e.path}", e) for e in ENDPOINTS]
    paths += [("/v2/MusicAI", BY_PATH["MusicAI"])]
    paths += [(f"/v1/{alias}", BY_PATH[name]) for alias, name in ALIASES.items()]
    for path, endpoint in paths:
        router.add_api_route(
            path,
            _submit_route(endpoint),
            methods=["POST"],
            summary=f"MusicGPT {endpoint.path} ({endpoint.capability})",
            description=f"MusicGPT-compatible `{endpoint.path}`: runs the native task "
            f"{' / '.join(endpoint.tasks)} (501 when none is installed). JSON, urlencoded or "
            "multipart with `audio_file`.",
            responses={200: {"content": {"application/json": {"example": SUBMIT_EXAMPLE}}}},
        )


_add_submit_routes()


@router.get("/v1/byId", summary="MusicGPT: a conversion by task_id or conversion_id")
def by_id(
    caller: StatusCallerDep,
    services: ServicesDep,
    base_url: BaseUrlDep,
    conversion_type: Annotated[str | None, Query(alias="conversionType")] = None,
    task_id: str | None = None,
    conversion_id: str | None = None,
) -> dict[str, Any]:
    """Counts against the status rate limit (MusicGPT: GetConversionById 200/min)."""
    return service.by_id(
        services,
        caller,
        base_url,
        kind=conversion_type,
        task_id=task_id,
        conversion_id=conversion_id,
    )


@router.get("/v1/byUser", summary="MusicGPT: your conversions, newest first")
def by_user(
    caller: StatusCallerDep,
    services: ServicesDep,
    base_url: BaseUrlDep,
    conversion_type: Annotated[str | None, Query(alias="conversionType")] = None,
    start_date: Annotated[str | None, Query(alias="startDate")] = None,
    end_date: Annotated[str | None, Query(alias="endDate")] = None,
    sort_order: Annotated[str, Query(alias="sortOrder", pattern="(?i)^(asc|desc)$")] = "DESC",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    last_key: Annotated[str | None, Query(alias="LastEvaluatedKey")] = None,
) -> dict[str, Any]:
    """Conversions submitted through this MusicGPT layer; ``LastEvaluatedKey`` pages on."""
    return service.by_user(
        services,
        caller,
        base_url,
        kind=conversion_type,
        start=start_date,
        end=end_date,
        sort_order=sort_order,
        limit=limit,
        last_key=last_key,
    )


@router.get("/v1/getAllVoices", summary="MusicGPT: the voices installed here")
async def get_all_voices(
    caller: CallerDep,
    base_url: BaseUrlDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
    page: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Text-to-speech voices (``voice_id`` works in ``TextToSpeech``)."""
    return await run_in_threadpool(service.voices_page, base_url, query=None, limit=limit, page=page)


@router.get("/v1/searchVoices", summary="MusicGPT: search the voices installed here")
async def search_voices(
    caller: CallerDep,
    base_url: BaseUrlDep,
    query: Annotated[str, Query(min_length=1, max_length=100)],
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
    page: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Voices whose name, language, gender or engine match ``query``."""
    return await run_in_threadpool(service.voices_page, base_url, query=query, limit=limit, page=page)


@router.get("/v1/prompt_to_lyrics", summary="MusicGPT: lyrics from a prompt (synchronous)")
async def prompt_to_lyrics(
    caller: CallerDep,
    services: ServicesDep,
    base_url: BaseUrlDep,
    response: Response,
    prompt: Annotated[str, Query(min_length=1, max_length=3000)],
) -> dict[str, Any]:
    """Runs the native lyrics task and waits for it (501 while none is installed)."""
    task = LYRICS.task_in(services.registry)
    req = SubmitRequest(task=task, fields={"prompt": prompt}, api_shape=service.SHAPE)
    accepted = await run_in_threadpool(Submitter(services).submit, caller, req)
    job_id = str(accepted.body["job_id"])
    job = await _wait(services, caller, job_id, base_url)
    if job["status"] != JobStatus.COMPLETE:
        error = job.get("error") or {}
        raise ServiceUnavailable(f"The lyrics job failed: {error.get('message', 'unknown error')}")
    response.headers["X-Mixdown-Job-Id"] = job_id
    return {"success": True, "lyrics": service.lyrics_of(job)}


async def _wait(services: Any, caller: Any, job_id: str, base_url: str) -> dict[str, Any]:
    deadline = time.monotonic() + LYRICS_WAIT_SECONDS
    while True:
        job: dict[str, Any] = await asyncio.to_thread(get_job, services, caller, job_id, base_url)
        if JobStatus(job["status"]).is_final:
            return job
        if time.monotonic() > deadline:
            await asyncio.to_thread(cancel_job, services, caller, job_id, base_url)
            raise ServiceUnavailable(f"The lyrics job {job_id} did not finish in time; cancelled.")
        await asyncio.sleep(0.05)
