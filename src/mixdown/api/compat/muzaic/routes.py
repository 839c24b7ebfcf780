"""The Muzaic routes, their key header and their error body (see the package docstring)."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel

from mixdown.api.compat.muzaic.models import (
    TARGET_LUFS,
    HashBody,
    SingleFileBody,
    SoundtrackBody,
    generate_fields,
    json_object,
    parse_body,
    region_request,
)
from mixdown.api.deps import BaseUrlDep, ServicesDep, presented_key
from mixdown.api.errors import register_error_shape
from mixdown.engines.music.tags import get_tags
from mixdown.errors import NotFound, Unauthorized
from mixdown.service.container import Services
from mixdown.service.jobs import credits_view, own_artifact
from mixdown.service.keys import Caller
from mixdown.service.soundtrack import (
    Soundtrack,
    build,
    find_result_by_hash,
    mix_of,
    shaped_result,
    source_info,
)
from mixdown.service.submit import SubmitRequest
from mixdown.service.waiting import submit_all, wait_for_jobs, wait_seconds
from mixdown.storage.models import Artifact

SHAPE = "muzaic"
API_VERSION = "1.2.0"
KEY_HEADER = "MuzaicAPI-Secret-Key"
PATHS = ("/singleFile", "/soundtrack", "/audioFromHash", "/getTags", "/accountDetails", "/result/")
UNLIMITED_TOKENS = 2**31 - 1  # what accountDetails shows when credits are switched off

router = APIRouter(tags=["muzaic-compatible"])


def _body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI for a route that reads its JSON body itself (to answer Muzaic's errors)."""
    schema = model.model_json_schema(by_alias=True)
    return {"requestBody": {"required": False, "content": {"application/json": {"schema": schema}}}}


async def muzaic_caller(request: Request, services: ServicesDep) -> Caller:
    """The caller of the key in ``MuzaicAPI-Secret-Key`` (native headers work too); 401 otherwise."""
    key = request.headers.get(KEY_HEADER) or presented_key(request.headers)
    if not key:
        raise Unauthorized("No MuzaicAPI Secret Key", field=KEY_HEADER)
    try:
        caller = services.auth.authenticate(key.strip())
    except Unauthorized:
        raise Unauthorized("Wrong MuzaicAPI Secret Key", field=KEY_HEADER) from None
    caller.require("read" if request.method in ("GET", "HEAD") else "generate")
    request.state.caller = caller
    return caller


CallerDep = Annotated[Caller, Depends(muzaic_caller)]


def muzaic_error(status: int, error: dict[str, Any], headers: Mapping[str, str] | None) -> Response:
    """Muzaic's error body; a rejected field (our 422) is its 400 "Wrong request JSON Object"."""
    message = str(error.get("message") or "")
    if status == 422:
        status, message = 400, f"Wrong request JSON Object: {message}"
    elif status == 402:
        message = f"Not enough tokens: {message}"
    body: dict[str, Any] = {"Error": message}
    if error.get("field"):
        body["field"] = error["field"]
    if error.get("job_id"):
        body["jobId"] = error["job_id"]  # a failed generation: its native job, for the logs
    return JSONResponse(body, status_code=status, headers=dict(headers) if headers else None)


def install(app: FastAPI) -> None:
    """Mount the routes and answer their errors in Muzaic's shape."""
    app.include_router(router)
    for path in PATHS:
        register_error_shape(app, path, muzaic_error)


def result_url(base_url: str, artifact_id: str, created_at: str) -> str:
    """Where a Muzaic client downloads a result (its creation date, ISO 8601, names the folder)."""
    return f"{base_url}/result/{created_at[:10]}/{artifact_id}.mp3"


def tokens(services: Services, credits: float) -> int:
    """Credits as Muzaic tokens: 1 token = 1 second of generated music at the generate task's price."""
    return round(credits / _per_second(services))


def _answer(started: float, **fields: Any) -> dict[str, Any]:
    return {"apiVersion": API_VERSION, **fields, "executionTime": round(time.monotonic() - started, 4)}


async def _generate(services: Services, caller: Caller, fields: dict[str, Any], base: str) -> dict[str, Any]:
    """One native ``generate`` job with ``fields``, run to completion (an MP3 mix, no stems)."""
    request = SubmitRequest(
        task="generate", fields={**fields, "output_format": "mp3", "stems": False}, api_shape=SHAPE
    )
    submitted = await run_in_threadpool(submit_all, services, caller, [request])
    job_id = str(submitted[0].body["job_id"])
    jobs = await wait_for_jobs(services, caller, [job_id], base, timeout=wait_seconds(submitted))
    return jobs[0]


async def _file_answer(
    services: Services, caller: Caller, job: dict[str, Any], base: str, status: list[str], started: float
) -> dict[str, Any]:
    mix = mix_of(job)
    stored = await run_in_threadpool(own_artifact, services, caller, str(mix["id"]))
    return _answer(
        started,
        mp3=result_url(base, stored.id, stored.created_at.isoformat()),
        hash=mix["hash"],
        motiveId=mix.get("seed"),
        status=" | ".join(status),
        tokensUsed=tokens(services, float(job["credit_estimate"])),
        audioDuration=mix["duration"],
    )


@router.post(
    "/singleFile",
    summary="Muzaic: generate one MP3 and answer when it is ready",
    openapi_extra=_body_schema(SingleFileBody),
)
async def single_file(
    request: Request, caller: CallerDep, services: ServicesDep, base: BaseUrlDep
) -> dict[str, Any]:
    """Body ``{duration, tags, params}``, all optional (60 s; params 1-9 or keyframes)."""
    started = time.monotonic()
    body = parse_body(SingleFileBody, json_object(await request.body()))
    fields, warnings = generate_fields(body.tags, body.params)
    job = await _generate(services, caller, {**fields, "duration": body.duration}, base)
    return await _file_answer(services, caller, job, base, warnings or ["action: generate"], started)


@router.post(
    "/audioFromHash",
    summary="Muzaic: the MP3 of an earlier generation by its hash",
    openapi_extra=_body_schema(HashBody),
)
async def audio_from_hash(
    request: Request, caller: CallerDep, services: ServicesDep, base: BaseUrlDep
) -> dict[str, Any]:
    """A stored MP3 of that hash is returned as it is (no tokens); otherwise it is regenerated exactly."""
    started = time.monotonic()
    digest = parse_body(HashBody, json_object(await request.body())).hash
    stored = await run_in_threadpool(
        find_result_by_hash, services, caller, digest, fmt="mp3", api_shape=SHAPE
    )
    if stored is not None:
        return _stored_answer(stored, base, started)
    seconds, _ = await run_in_threadpool(source_info, services, caller, digest, field="hash")
    job = await _generate(services, caller, {"from_hash": digest, "duration": seconds}, base)
    return await _file_answer(services, caller, job, base, ["action: regenerate"], started)


def _stored_answer(stored: Artifact, base: str, started: float) -> dict[str, Any]:
    meta = stored.meta or {}
    return _answer(
        started,
        mp3=result_url(base, stored.id, stored.created_at.isoformat()),
        hash=meta.get("hash"),
        motiveId=meta.get("seed"),
        status="action: retrieve",
        tokensUsed=0,
        audioDuration=meta.get("duration"),
    )


@router.post(
    "/soundtrack",
    summary="Muzaic: regions of music assembled into one MP3",
    openapi_extra=_body_schema(SoundtrackBody),
)
async def soundtrack(
    request: Request, caller: CallerDep, services: ServicesDep, base: BaseUrlDep
) -> dict[str, Any]:
    """Body ``{regions: [{time, duration, tags, params, sourceHash, action, method}], normalize}``."""
    started = time.monotonic()
    body = parse_body(SoundtrackBody, json_object(await request.body()))
    regions = [region_request(region) for region in body.regions]
    made = await build(
        services, caller, regions, base_url=base, target_lufs=TARGET_LUFS[body.normalize], api_shape=SHAPE
    )
    return _answer(
        started,
        mp3=result_url(base, made.result.id, made.result.created_at.isoformat()),
        regions=[
            {"number": n, "hash": mix_of(job)["hash"] if job else None} for n, job in enumerate(made.jobs)
        ],
        status=" | ".join([*_region_notes(body, made), f"soundtrack normalized: {body.normalize}"]),
        tokensUsed=tokens(services, sum(float(job["credit_estimate"]) for job in made.jobs if job)),
        audioDuration=made.duration,
    )


def _region_notes(body: SoundtrackBody, made: Soundtrack) -> list[str]:
    """Muzaic-style status parts: what each region did, and any time adjustment."""
    notes = []
    for number, (asked, planned) in enumerate(zip(body.regions, made.regions, strict=True)):
        if planned.action == "generate" and asked.params is None:
            notes.append(f"region {number} no params object")
        else:
            notes.append(f"region {number} action: {planned.action}")
        span = planned.span
        if abs(span.start - asked.time) > 1e-3 or abs(span.end - (asked.time + asked.duration)) > 1e-3:
            notes.append(f"region {number} {asked.method}: {span.start:.3f}-{span.end:.3f} s")
    return notes


@router.get("/getTags", summary="Muzaic: the tag catalogue with incompatible pairs")
def get_tags_route(caller: CallerDep) -> dict[str, Any]:
    """``tags`` (id, name, description, category) and ``tagRelations`` (``value`` -1: incompatible)."""
    return {"apiVersion": API_VERSION, **get_tags()}


@router.get("/accountDetails", summary="Muzaic: token balance and usage (free to call)")
def account_details(request: Request, caller: CallerDep, services: ServicesDep) -> dict[str, Any]:
    """Credits as tokens at the generate price (1 token = 1 second of music)."""
    view = credits_view(services, caller)
    available = UNLIMITED_TOKENS if view["unlimited"] else math.floor(view["credits"] / _per_second(services))
    key = request.headers.get(KEY_HEADER) or presented_key(request.headers) or ""
    return {
        "apiVersion": API_VERSION,
        "secretKey": key[:8] + "X" * max(len(key) - 8, 0),
        "freeTokensAvailable": available,
        "totalUsedTokens": tokens(services, view["spent"]),
        "currentBalance": available,
        "reservedTokens": tokens(services, view["reserved"]),
    }


def _per_second(services: Services) -> float:
    return float(services.registry.get("generate").cost_rule.per_second)


@router.get("/result/{day}/{name}", summary="Muzaic: download a result MP3 (no key: the URL is the secret)")
async def download(day: str, name: str, services: ServicesDep) -> FileResponse:
    """Serves only results made through the Muzaic shape, under the date they were made."""
    result_id = name.removesuffix(".mp3")
    artifact = await run_in_threadpool(shaped_result, services, result_id, api_shape=SHAPE)
    if artifact.created_at.date().isoformat() != day or artifact.format != "mp3":
        raise NotFound(f"No file {name!r}.", field="result_id")
    path = await run_in_threadpool(services.store.local_path, artifact.storage_key)
    return FileResponse(path, media_type="audio/mpeg", filename=f"{artifact.id}.mp3")
