"""The MusicAPI routes under ``/api/v1`` (HTTP only: the work is in ``service.py``).

``upload``, ``midi``, ``bpm`` and ``aligned-lyrics`` answer synchronously, as MusicAPI's do: they
wait up to ``SYNC_WAIT_SECONDS`` for their native job, then answer 202 ``not_ready`` with the
``task_id`` to poll at ``sonic/task/{task_id}``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from mixdown.api.body import read_body
from mixdown.api.compat.musicapi import service
from mixdown.api.compat.musicapi.models import ClipRequest, UploadRequest, parse
from mixdown.api.deps import BaseUrlDep, CallerDep, ServicesDep, StatusCallerDep
from mixdown.errors import BadRequest
from mixdown.service.container import Services
from mixdown.service.keys import Caller

PREFIX = "/api/v1"
SYNC_WAIT_SECONDS = 60.0

router = APIRouter(prefix=PREFIX, tags=["MusicAPI compatibility"])


async def _json(request: Request) -> dict[str, Any]:
    body, uploads = await read_body(request)
    if uploads:
        raise BadRequest("Send a JSON body; file parts are not read here.", field="body")
    return body


@router.get("/get-credits", summary="MusicAPI: credit balance")
def get_credits(caller: CallerDep, services: ServicesDep) -> dict[str, Any]:
    """`{credits, extra_credits}` in native credit units."""
    return service.credits(services, caller)


@router.post("/sonic/create", summary="MusicAPI: create, extend, cover or concat music")
async def create(request: Request, caller: CallerDep, services: ServicesDep) -> dict[str, Any]:
    """Queues the native job and answers its `task_id`; two songs per generation."""
    body = await _json(request)
    key = request.headers.get("idempotency-key")
    task_id = await run_in_threadpool(service.create, services, caller, body, key)
    return {"code": 200, "message": "success", "task_id": task_id}


@router.get("/sonic/task/{task_id}", summary="MusicAPI: poll a task")
def get_task(
    task_id: str, caller: StatusCallerDep, services: ServicesDep, base_url: BaseUrlDep
) -> JSONResponse:
    """HTTP 202 `{"type": "not_ready"}` while running; 200 with the songs (or the failure) after."""
    status, body = service.task(services, caller, task_id, base_url)
    return JSONResponse(body, status_code=status)


@router.post("/sonic/batch", summary="MusicAPI: up to ten creates at once")
async def post_batch(request: Request, caller: CallerDep, services: ServicesDep) -> dict[str, Any]:
    """Each item is accepted (`task_id`) or refused (`error`) on its own."""
    body = await _json(request)
    key = request.headers.get("idempotency-key")
    return await run_in_threadpool(service.batch, services, caller, body, key)


@router.get("/sonic/batch", summary="MusicAPI: poll a batch")
def get_batch(
    caller: StatusCallerDep,
    services: ServicesDep,
    base_url: BaseUrlDep,
    batch_id: Annotated[str, Query(description="batch_id returned by POST sonic/batch")],
) -> dict[str, Any]:
    """Every task as `sonic/task` answers it."""
    return service.batch_status(services, caller, batch_id, base_url)


def _derived(tool: str) -> Any:
    async def submit(request: Request, caller: CallerDep, services: ServicesDep) -> dict[str, Any]:
        req = parse(ClipRequest, await _json(request))
        task_id = await run_in_threadpool(service.clip_tool, services, caller, tool, req.clip_id)
        return {"code": 200, "message": "success", "task_id": task_id}

    submit.__name__ = f"musicapi_{tool.replace('-', '_')}"
    return submit


for _path, _tool in (("stems/basic", "stems-basic"), ("stems/full", "stems-full"), ("wav", "wav")):
    router.add_api_route(f"/sonic/{_path}", _derived(_tool), methods=["POST"], summary=f"MusicAPI: {_tool}")


async def _wait(services: Services, caller: Caller, job_id: str, base_url: str) -> JSONResponse:
    """The job's answer once it is final, or 202 not_ready after ``SYNC_WAIT_SECONDS``."""
    deadline, delay = time.monotonic() + SYNC_WAIT_SECONDS, 0.05
    while True:
        status, body = await run_in_threadpool(service.task, services, caller, job_id, base_url)
        if status != 202 or time.monotonic() > deadline:
            return JSONResponse(body, status_code=status)
        await asyncio.sleep(delay)
        delay = min(delay * 1.5, 0.5)


@router.post("/sonic/upload", summary="MusicAPI: upload music from a URL")
async def upload(
    request: Request, caller: CallerDep, services: ServicesDep, base_url: BaseUrlDep
) -> JSONResponse:
    """Fetches, probes and stores the audio; answers its `clip_id`."""
    req = parse(UploadRequest, await _json(request))
    job_id = await run_in_threadpool(service.upload, services, caller, req.url)
    answer = await _wait(services, caller, job_id, base_url)
    body = _body(answer)
    if answer.status_code == 200 and body.get("state") != "failed":
        return JSONResponse({"code": 200, "message": "success", "clip_id": body["data"][0]["clip_id"]})
    if answer.status_code == 200:
        raise BadRequest(f"url: {body['message']}", field="url")
    return answer


def _body(response: JSONResponse) -> dict[str, Any]:
    import json

    parsed: dict[str, Any] = json.loads(bytes(response.body))
    return parsed


@router.post("/sonic/midi", summary="MusicAPI: MIDI of a clip")
async def midi(
    request: Request, caller: CallerDep, services: ServicesDep, base_url: BaseUrlDep
) -> JSONResponse:
    """A clip generated here answers its exact score MIDI; other audio is transcribed."""
    req = parse(ClipRequest, await _json(request))
    exact = await run_in_threadpool(service.score_midi, services, caller, req.clip_id, base_url)
    if exact is not None:
        return JSONResponse(exact)
    return await _tool_job(services, caller, "midi", req.clip_id, base_url)


def _tool_route(tool: str) -> Any:
    async def run(
        request: Request, caller: CallerDep, services: ServicesDep, base_url: BaseUrlDep
    ) -> JSONResponse:
        req = parse(ClipRequest, await _json(request))
        return await _tool_job(services, caller, tool, req.clip_id, base_url)

    run.__name__ = f"musicapi_{tool}"
    return run


async def _tool_job(
    services: Services, caller: Caller, tool: str, clip_id: str, base_url: str
) -> JSONResponse:
    job_id = await run_in_threadpool(service.tool_job, services, caller, tool, clip_id)
    return await _wait(services, caller, job_id, base_url)


router.add_api_route("/sonic/bpm", _tool_route("bpm"), methods=["POST"], summary="MusicAPI: BPM and key")
router.add_api_route(
    "/sonic/aligned-lyrics",
    _tool_route("aligned_lyrics"),
    methods=["POST"],
    summary="MusicAPI: lyrics timeline",
)
