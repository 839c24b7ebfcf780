"""Public links to results, as MusicGPT's ``audio_url`` and ``conversion_path`` are.

MusicGPT answers with storage URLs that need no key, and its clients download them with a plain
GET. The native ``/v1/audio/{id}`` needs the key, so this layer links to
``/api/public/v1/files/{result_id}/{token}.{ext}`` instead: ``token`` is the first 128 bits of
the file's SHA-256, unguessable without the file itself, so the link is a capability for that
one file (like an unlisted storage URL) until the result expires. ``ext`` may name another audio
format than the stored one (``mp3``, ``wav``...): the file is converted once and cached, as
``/v1/audio/{id}?format=`` does.
"""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse

from mixdown.api.audio import CONVERTIBLE, _converted, media_type
from mixdown.api.deps import ServicesDep
from mixdown.errors import Gone, NotFound
from mixdown.service.container import Services
from mixdown.storage.models import Artifact

TOKEN_CHARS = 32  # hex characters of the SHA-256: 128 bits
AUDIO_KINDS = frozenset({"audio", "stem", "mix"})

router = APIRouter(tags=["musicgpt-compatible"])


def file_url(base_url: str, artifact: Any, fmt: str | None = None) -> str | None:
    """The public link to a result, in its own format or converted to ``fmt``."""
    sha = getattr(artifact, "sha256", None)
    if not sha:
        return None
    ext = fmt or artifact.format
    return f"{base_url.rstrip('/')}/api/public/v1/files/{artifact.id}/{sha[:TOKEN_CHARS]}.{ext}"


def audio_links(base_url: str, artifact: Any) -> dict[str, str | None]:
    """``audio_url`` (stored format), ``conversion_path`` (MP3) and ``conversion_path_wav``."""
    if artifact.kind not in AUDIO_KINDS:
        link = file_url(base_url, artifact)
        return {"audio_url": None, "conversion_path": link, "conversion_path_wav": None}
    return {
        "audio_url": file_url(base_url, artifact),
        "conversion_path": file_url(base_url, artifact, "mp3"),
        "conversion_path_wav": file_url(base_url, artifact, "wav"),
    }


def _artifact(services: Services, result_id: str, token: str) -> Artifact:
    with services.db.read() as session:
        artifact = session.get(Artifact, result_id)
    sha = (artifact.sha256 or "") if artifact is not None else ""
    valid = len(token) == TOKEN_CHARS and hmac.compare_digest(sha[:TOKEN_CHARS], token)
    if artifact is None or artifact.role != "result" or not valid:
        raise NotFound("No such file.", field="result_id")
    if artifact.expired:
        raise Gone("This file expired and was deleted under the retention policy.")
    return artifact


def _path_in(services: Services, artifact: Artifact, ext: str) -> Path:
    if ext == artifact.format:
        return services.store.local_path(artifact.storage_key)
    if artifact.kind not in AUDIO_KINDS or ext not in CONVERTIBLE:
        raise NotFound(f"This file is available as .{artifact.format}.", field="result_id")
    return _converted(services, artifact, ext)


@router.get(
    "/v1/files/{result_id}/{name}",
    summary="A result file by its public link (audio_url, conversion_path)",
    response_class=FileResponse,
)
def public_file(result_id: str, name: str, services: ServicesDep) -> FileResponse:
    """No key needed: the link itself is the permission (see the module docstring)."""
    token, _, ext = name.partition(".")
    artifact = _artifact(services, result_id, token)
    target = ext.lower() or artifact.format
    path = _path_in(services, artifact, target)
    return FileResponse(path, media_type=media_type(target), filename=f"{artifact.id}.{target}")
