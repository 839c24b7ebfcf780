"""``GET /v1/models`` (engines and whether they run here) and ``GET /v1/tags`` (the tag catalogue)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from mixdown.api.deps import ServicesDep
from mixdown.engines.music.tags import tag_catalogue
from mixdown.engines.registry import engines_view

router = APIRouter(prefix="/v1", tags=["catalogue"])


@router.get("/models", summary="Engines (models) with their availability and reason")
def list_models(
    services: ServicesDep,
    kind: Annotated[str | None, Query(description="Only engines of this kind, e.g. music")] = None,
) -> dict[str, Any]:
    """Public. An unavailable engine says why (e.g. its weights are not in the models folder)."""
    return {"models": engines_view(services.engines, kind=kind)}


@router.get("/tags", summary="Tags for generation: genres, moods, instruments, energy")
def list_tags() -> dict[str, Any]:
    """Public. Each tag lists the ids it cannot be combined with (Muzaic-style tag relations)."""
    return tag_catalogue()
