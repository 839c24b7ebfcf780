"""``WebSocket /v1/stream``: generate and hear the music while it is being rendered.

Framing: the client sends one JSON text message with the same fields as
``POST /v1/generate`` (plus ``api_key`` if it cannot send headers). The server answers

1. ``{"type": "accepted", "job_id", ...}`` — the job was queued (credits reserved);
2. ``{"type": "header", "sample_rate", "channels", "encoding": "pcm_s16le", "frames", ...}``;
3. binary messages: little-endian 16-bit PCM, interleaved stereo, in order;
4. ``{"type": "restart"}`` if the job had to re-run (drop what you got and start over);
5. ``{"type": "done", "job": {...}}`` with the finished job (results link the stored file,
   whose samples are exactly the concatenated chunks), or ``{"type": "error", "error": {...}}``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool

from mixdown.api.deps import presented_key
from mixdown.errors import MixdownError, Unauthorized, ValidationFailed
from mixdown.jobs.states import JobStatus
from mixdown.service.container import Services
from mixdown.service.jobs import get_job
from mixdown.service.keys import Caller
from mixdown.service.submit import SubmitRequest, Submitter

router = APIRouter(tags=["streaming"])

CLOSE_POLICY = 1008
CLOSE_ERROR = 1011


async def _authenticate(ws: WebSocket, services: Services, request: dict[str, Any]) -> Caller:
    key = presented_key(ws.headers) or ws.query_params.get("api_key") or request.pop("api_key", None)
    caller = services.auth.authenticate(key)
    caller.require("generate")
    return caller


async def _receive_request(ws: WebSocket) -> dict[str, Any]:
    message = await ws.receive_json()
    if not isinstance(message, dict):
        raise ValidationFailed(
            "The first message must be a JSON object with the generate fields.", field="body"
        )
    return message


def _base_url(ws: WebSocket, services: Services) -> str:
    scheme = "https" if ws.url.scheme == "wss" else "http"
    return services.settings.public_url or f"{scheme}://{ws.headers.get('host', 'localhost')}"


@router.websocket("/v1/stream")
async def stream(ws: WebSocket) -> None:
    """Submit a streamed generation and forward its audio as it is rendered."""
    services: Services = ws.app.state.services
    await ws.accept()
    try:
        request = await _receive_request(ws)
        caller = await _authenticate(ws, services, request)
        submitted = await run_in_threadpool(
            Submitter(services).submit,
            caller,
            SubmitRequest(task="generate", fields={**request, "stream": True}),
        )
        job_id = submitted.body["job_id"]
        await ws.send_json({"type": "accepted", **submitted.body})
        await _forward(ws, services, caller, job_id)
    except WebSocketDisconnect:
        return
    except MixdownError as exc:
        await ws.send_json({"type": "error", "error": exc.to_dict()})
        await ws.close(CLOSE_POLICY if isinstance(exc, Unauthorized) else CLOSE_ERROR)


async def _forward(ws: WebSocket, services: Services, caller: Caller, job_id: str) -> None:
    base = _base_url(ws, services)

    async def finished() -> bool:
        job = await run_in_threadpool(get_job, services, caller, job_id, base)
        return JobStatus(job["status"]).is_final

    async for event in services.streams.follow(job_id, finished=finished):
        if event.kind == "header":
            await ws.send_json({"type": "header", **(event.header or {})})
        elif event.kind == "data":
            await ws.send_bytes(event.data)
        elif event.kind == "restart":
            await ws.send_json({"type": "restart"})
    job = await _final_job(services, caller, job_id, base)
    if job["status"] == JobStatus.COMPLETE:
        await ws.send_json({"type": "done", "job": job})
        await ws.close()
    else:
        await ws.send_json(
            {"type": "error", "job_id": job_id, "error": job["error"] or {"code": job["status"]}}
        )
        await ws.close(CLOSE_ERROR)


async def _final_job(services: Services, caller: Caller, job_id: str, base: str) -> dict[str, Any]:
    """The job once it is final (the stream ends a moment before the job row does)."""
    import asyncio

    while True:
        job = await run_in_threadpool(get_job, services, caller, job_id, base)
        if JobStatus(job["status"]).is_final:
            return job
        await asyncio.sleep(0.02)
