"""``POST /v1/<task>`` (one route per registered task) and ``POST /v1/batch``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from mixdown.api.body import read_body
from mixdown.api.deps import CallerDep, ServicesDep
from mixdown.errors import MixdownError, ValidationFailed
from mixdown.service.submit import SubmitRequest, Submitter
from mixdown.tasks.base import TaskSpec
from mixdown.tasks.registry import TaskRegistry

CONTROL_SCHEMA: dict[str, Any] = {
    "audio_url": {"type": "string", "format": "uri", "description": "http(s) URL of the input audio."},
    "input_audio": {
        "type": "string",
        "description": "Input audio as base64, a data: URL, or an http(s) URL.",
    },
    "webhook_url": {"type": "string", "format": "uri", "description": "Receives job events by POST."},
    "webhook_secret": {"type": "string", "description": "Signs deliveries (Standard Webhooks HMAC-SHA256)."},
    "webhook_events": {
        "type": "array",
        "items": {"type": "string", "enum": ["complete", "failed", "progress", "cancelled"]},
        "description": "Events to deliver; default complete and failed.",
    },
    "priority": {"type": "integer", "minimum": -10, "maximum": 10, "default": 0},
}

ACCEPTED_EXAMPLE = {
    "job_id": "job_3kq0Vx",
    "status": "queued",
    "task": "convert",
    "estimated_time": 1.5,
    "queue_position": 0,
    "credit_estimate": 0.3,
    "created_at": "2026-01-01T00:00:00Z",
}


def _request_schema(spec: TaskSpec) -> dict[str, Any]:
    params = spec.params_model.model_json_schema(ref_template="#/components/schemas/{model}")
    properties = {**params.get("properties", {}), **CONTROL_SCHEMA}
    if not spec.takes_audio:
        for name in ("audio_url", "input_audio"):
            properties.pop(name)
    for field_name, input_name in spec.extra_audio_fields.items():
        properties[field_name] = {
            "type": "string",
            "description": f"The {input_name} audio: base64, a data: URL, an http(s) URL or a result id.",
        }
    json_schema = {"type": "object", "properties": properties, "required": params.get("required", [])}
    binary = {"type": "string", "format": "binary"}
    files = dict.fromkeys(("audio_file", *spec.extra_audio_fields), binary)
    multipart = {"type": "object", "properties": {**properties, **files}}
    content: dict[str, Any] = {"application/json": {"schema": json_schema}}
    if spec.takes_audio:
        content["multipart/form-data"] = {"schema": multipart}
    content["application/x-www-form-urlencoded"] = {"schema": json_schema}
    return {"requestBody": {"required": True, "content": content}}


def _submit_route(spec: TaskSpec) -> Any:
    async def submit(request: Request, caller: CallerDep, services: ServicesDep) -> JSONResponse:
        try:
            fields, uploads = await read_body(request)
            req = SubmitRequest(
                task=spec.name,
                fields=fields,
                upload=uploads.pop("audio_file", None),
                extra_uploads=uploads,
                idempotency_key=request.headers.get("idempotency-key"),
            )
            result = await run_in_threadpool(Submitter(services).submit, caller, req)
        finally:
            form = getattr(request.state, "form", None)
            if form is not None:
                await form.close()
        return JSONResponse(result.body, status_code=result.status_code)

    submit.__name__ = f"submit_{spec.name.replace('-', '_')}"
    return submit


def task_router(registry: TaskRegistry) -> APIRouter:
    """One documented submit route per registered task."""
    router = APIRouter(prefix="/v1", tags=["tasks"])
    for spec in registry:
        router.add_api_route(
            f"/{spec.name}",
            _submit_route(spec),
            methods=["POST"],
            status_code=202,
            summary=spec.summary,
            description=f"{spec.summary}\n\nQueues a `{spec.name}` job and answers 202 at once; "
            "poll `GET /v1/jobs/{job_id}` or pass `webhook_url`. Send JSON, a urlencoded form, "
            "or multipart with `audio_file`.",
            openapi_extra=_request_schema(spec),
            responses={
                202: {
                    "description": "Job accepted",
                    "content": {"application/json": {"example": ACCEPTED_EXAMPLE}},
                }
            },
        )
    return router


class BatchItem(BaseModel):
    """One job of a batch: the task name plus the same fields as its own endpoint."""

    model_config = {"extra": "allow"}
    task: str = Field(description="A registered task name, e.g. 'convert'.")


class BatchRequest(BaseModel):
    """Up to ``batch_max_jobs`` jobs submitted in one call."""

    jobs: list[BatchItem] = Field(min_length=1)


batch_router = APIRouter(prefix="/v1", tags=["jobs"])


@batch_router.post("/batch", summary="Submit many jobs at once")
def submit_batch(
    body: BatchRequest, caller: CallerDep, services: ServicesDep, request: Request
) -> dict[str, Any]:
    """Each entry is accepted with its job or rejected with its own error.

    One bad entry does not fail the rest.
    """
    limit = services.settings.batch_max_jobs
    if len(body.jobs) > limit:
        raise ValidationFailed(f"jobs: at most {limit} jobs per batch", field="jobs")
    submitter = Submitter(services)
    base_key = request.headers.get("idempotency-key")
    entries: list[dict[str, Any]] = []
    for index, item in enumerate(body.jobs):
        fields = item.model_dump(exclude={"task"})
        req = SubmitRequest(task=item.task, fields=fields, idempotency_key=base_key and f"{base_key}:{index}")
        try:
            result = submitter.submit(caller, req)
            entries.append({"index": index, "accepted": True, **result.body})
        except MixdownError as exc:
            entries.append({"index": index, "accepted": False, "task": item.task, "error": exc.to_dict()})
    accepted = sum(1 for e in entries if e["accepted"])
    return {"jobs": entries, "accepted": accepted, "rejected": len(entries) - accepted}
