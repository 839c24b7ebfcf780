"""``GET /v1/audio/{result_id}``: download a result (Range supported), optionally converted."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

from mixdown.api.deps import CallerDep, ServicesDep
from mixdown.audio.codec import transcode
from mixdown.audio.formats import content_type_for, normalize_format
from mixdown.errors import ValidationFailed
from mixdown.service.container import Services
from mixdown.service.jobs import own_artifact
from mixdown.storage.models import Artifact

router = APIRouter(prefix="/v1/audio", tags=["files"])

CONVERTIBLE = ("mp3", "wav", "flac", "ogg", "opus", "m4a", "aiff")
OTHER_TYPES = {
    "json": "application/json",
    "mid": "audio/midi",
    "midi": "audio/midi",
    "txt": "text/plain; charset=utf-8",
    "srt": "application/x-subrip",
    "vtt": "text/vtt",
    "png": "image/png",
}


def media_type(fmt: str) -> str:
    """MIME type of a stored format."""
    if fmt in OTHER_TYPES:
        return OTHER_TYPES[fmt]
    try:
        return content_type_for(fmt)
    except (KeyError, ValueError):
        return "application/octet-stream"


def _converted(services: Services, artifact: Artifact, target: str) -> Path:
    """The artifact in ``target`` format, converted once and cached."""
    cache = services.settings.data_dir / "cache" / f"{artifact.id}.{target}"
    if not cache.exists():
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_suffix(f".{target}.part")
        try:
            transcode(services.store.local_path(artifact.storage_key), partial, format=target)
        except ValueError as exc:  # e.g. 4 channels into mp3
            partial.unlink(missing_ok=True)
            raise ValidationFailed(
                f"format: cannot convert this result to {target}: {exc}", field="format"
            ) from None
        partial.replace(cache)
    return cache


@router.get(
    "/{result_id}",
    summary="Download a result file",
    response_class=FileResponse,
    responses={200: {"content": {"audio/wav": {}, "audio/mpeg": {}, "application/json": {}}}},
)
async def download(
    result_id: str,
    caller: CallerDep,
    services: ServicesDep,
    format: Annotated[
        str | None, Query(description="Convert audio on the fly: mp3, wav, flac, ogg, opus, m4a, aiff")
    ] = None,
) -> FileResponse:
    """Streams the file with Content-Type, Content-Length and HTTP Range support."""
    artifact = await run_in_threadpool(own_artifact, services, caller, result_id)
    fmt = artifact.format
    path = await run_in_threadpool(services.store.local_path, artifact.storage_key)
    if format is not None:
        target = _target_format(format, artifact)
        if target != fmt:
            path = await run_in_threadpool(_converted, services, artifact, target)
            fmt = target
    return FileResponse(path, media_type=media_type(fmt), filename=f"{artifact.id}.{fmt}")


def _target_format(requested: str, artifact: Artifact) -> str:
    try:
        target = normalize_format(requested)
    except (KeyError, ValueError):
        raise ValidationFailed(f"format: must be one of {list(CONVERTIBLE)}", field="format") from None
    if artifact.kind not in ("audio", "stem", "mix") and target != artifact.format:
        raise ValidationFailed(
            f"format: a {artifact.kind} result cannot be converted to audio", field="format"
        )
    return target
