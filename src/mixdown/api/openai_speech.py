"""``POST /v1/audio/speech``: OpenAI-compatible text to speech, answered with the audio itself.

Errors carry OpenAI's ``type`` and ``param`` beside our ``code``, ``message`` and ``field``, so
OpenAI SDKs show them as they would OpenAI's own.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from mixdown.api.deps import BaseUrlDep, CallerDep, ServicesDep
from mixdown.errors import MixdownError, ValidationFailed
from mixdown.service.openai_speech import FORMATS, SpeechRequest, speech_bytes, submit_speech, wait_for_speech
from mixdown.service.submit import validation_error

router = APIRouter(prefix="/v1/audio", tags=["openai-compatible"])

OPENAI_TYPES = {401: "authentication_error", 402: "insufficient_quota", 429: "rate_limit_error"}
REQUEST_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": SpeechRequest.model_json_schema()}},
    }
}


def openai_error(exc: MixdownError) -> JSONResponse:
    """Our error body plus OpenAI's ``type`` and ``param``."""
    kind = OPENAI_TYPES.get(
        exc.status_code, "invalid_request_error" if exc.status_code < 500 else "server_error"
    )
    body = {**exc.to_dict(), "type": kind, "param": exc.field}
    return JSONResponse({"error": body}, status_code=exc.status_code, headers=exc.headers or None)


async def read_speech_request(request: Request) -> SpeechRequest:
    """The JSON body as a ``SpeechRequest`` (422 naming the field otherwise)."""
    try:
        raw: Any = json.loads(await request.body() or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValidationFailed("body: must be a JSON object", field="body") from None
    if not isinstance(raw, dict):
        raise ValidationFailed("body: must be a JSON object", field="body")
    try:
        return SpeechRequest.model_validate(raw)
    except ValidationError as exc:
        raise validation_error(exc) from None


@router.post(
    "/speech",
    summary="Text to speech, OpenAI-compatible: answers with the audio",
    response_class=Response,
    openapi_extra=REQUEST_SCHEMA,
    responses={200: {"content": {content_type: {} for _, content_type in FORMATS.values()}}},
)
async def create_speech(
    request: Request, caller: CallerDep, services: ServicesDep, base: BaseUrlDep
) -> Response:
    """Runs a ``tts`` job (credits and limits as ``POST /v1/tts``) and returns its audio."""
    try:
        body = await read_speech_request(request)
        job_id = await run_in_threadpool(submit_speech, services, caller, body)
        job = await wait_for_speech(services, caller, job_id, base)
        data = await run_in_threadpool(speech_bytes, services, caller, job, body.response_format)
    except MixdownError as exc:
        return openai_error(exc)
    return Response(data, media_type=FORMATS[body.response_format][1], headers={"X-Mixdown-Job-Id": job_id})
