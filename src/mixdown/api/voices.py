"""``GET /v1/voices`` (list and search), ``GET /v1/voices/{id}`` and its sample clip."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

from mixdown.api.deps import BaseUrlDep, CallerDep, ServicesDep
from mixdown.service.voices import get_voice, sample_file, sample_url, voices_view

router = APIRouter(prefix="/v1/voices", tags=["voices"])

VOICES_EXAMPLE = {
    "voices": [
        {
            "id": "festival-cmu_us_slt_arctic_hts",
            "name": "SLT (Festival HTS, American English)",
            "language": "en-us",
            "gender": "female",
            "engine": "festival",
            "sample": "http://localhost:8000/v1/voices/festival-cmu_us_slt_arctic_hts/sample",
        }
    ],
    "count": 1,
    "engines": [{"engine": "festival", "available": True, "reason": None, "voices": 2}],
}


@router.get(
    "",
    summary="Text-to-speech voices, with search",
    responses={200: {"content": {"application/json": {"example": VOICES_EXAMPLE}}}},
)
async def list_voices(
    caller: CallerDep,
    base: BaseUrlDep,
    query: Annotated[
        str | None, Query(max_length=100, description="Words matching name, language, gender or engine")
    ] = None,
    language: Annotated[
        str | None, Query(max_length=35, description="Voices speaking this language (en, en-gb, de...)")
    ] = None,
    gender: Annotated[Literal["female", "male", "unknown"] | None, Query()] = None,
    engine: Annotated[str | None, Query(max_length=20, description="festival, flite or espeak-ng")] = None,
) -> dict[str, Any]:
    """Voices of the engines installed here; a missing engine is listed with its reason."""
    return await run_in_threadpool(
        voices_view, base, query=query, language=language, gender=gender, engine=engine
    )


@router.get("/{voice_id}", summary="One voice")
async def voice_detail(voice_id: str, caller: CallerDep, base: BaseUrlDep) -> dict[str, Any]:
    """The voice, as listed."""
    voice = await run_in_threadpool(get_voice, voice_id)
    return voice.view(sample_url(base, voice))


@router.get(
    "/{voice_id}/sample",
    summary="A short sample clip of the voice (MP3)",
    response_class=FileResponse,
    responses={200: {"content": {"audio/mpeg": {}}}},
)
async def voice_sample(voice_id: str, caller: CallerDep, services: ServicesDep) -> FileResponse:
    """Made on the first request (up to a second or two), then served from the cache."""
    voice = await run_in_threadpool(get_voice, voice_id)
    path = await run_in_threadpool(sample_file, services, voice)
    return FileResponse(path, media_type="audio/mpeg", filename=f"{voice.id}.mp3")
