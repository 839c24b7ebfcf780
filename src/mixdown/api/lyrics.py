"""``GET /v1/lyrics?prompt=``: lyrics answered at once (``POST /v1/lyrics`` is the usual job)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.concurrency import run_in_threadpool

from mixdown.api.deps import BaseUrlDep, CallerDep, ServicesDep
from mixdown.service.lyrics import lyrics_body, submit_lyrics, wait_for_lyrics

router = APIRouter(prefix="/v1", tags=["lyrics"])


@router.get("/lyrics", summary="Lyrics from a prompt, answered with the lyrics JSON")
async def get_lyrics(
    caller: CallerDep,
    services: ServicesDep,
    base: BaseUrlDep,
    response: Response,
    prompt: Annotated[str | None, Query(description="What the song is about (required)")] = None,
    structure: Annotated[
        str | None, Query(description="e.g. verse-chorus-verse-chorus-bridge-chorus")
    ] = None,
    rhyme_scheme: Annotated[str | None, Query(description="e.g. AABB, ABAB, ABCB, AAAA")] = None,
    syllables: Annotated[str | None, Query(description="Target syllables per line, 4-16")] = None,
    lines_per_section: Annotated[str | None, Query(description="A multiple of the scheme's length")] = None,
    engine: Annotated[str | None, Query(description="embedded or chat")] = None,
    language: Annotated[str | None, Query(description="en; other languages with engine=chat")] = None,
    seed: Annotated[str | None, Query(description="Same seed, same lyrics (embedded engine)")] = None,
) -> dict[str, Any]:
    """Runs a ``lyrics`` job (credits, limits and parameters as ``POST /v1/lyrics``) and returns its result.

    Parameters are validated by the task, so a bad one answers 422 naming it, as the POST does.
    """
    caller.require("generate")
    given = {
        "prompt": prompt,
        "structure": structure,
        "rhyme_scheme": rhyme_scheme,
        "syllables": syllables,
        "lines_per_section": lines_per_section,
        "engine": engine,
        "language": language,
        "seed": seed,
    }
    fields = {name: value for name, value in given.items() if value is not None}
    job_id = await run_in_threadpool(submit_lyrics, services, caller, fields)
    job = await wait_for_lyrics(services, caller, job_id, base)
    response.headers["X-Mixdown-Job-Id"] = job_id
    return await run_in_threadpool(lyrics_body, services, caller, job)
