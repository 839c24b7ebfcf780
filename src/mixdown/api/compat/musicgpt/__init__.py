"""MusicGPT drop-in compatibility: ``/api/public/v1/...`` (and ``/api/public/v2/MusicAI``).

MusicGPT clients work against this server by changing only the base URL and the key
(``Authorization: <key>``, no "Bearer"). Every endpoint translates its fields to a native task
and back (see ``endpoints.ENDPOINTS``); an endpoint whose native task is not installed answers
501 naming the missing capability. Jobs submitted here carry ``api_shape="musicgpt"``, which
makes their webhooks MusicGPT's payload (``WEBHOOK_FORMAT``), unsigned as MusicGPT documents
(signed the Standard Webhooks way only when the request adds the native ``webhook_secret``).

Modules: ``conversions`` (conversionType, ids, statuses), ``fields`` and ``translate`` (request
translation), ``endpoints`` (the endpoint table), ``views`` (MusicGPT's JSON shapes),
``files`` (public result links), ``service`` (submit, byId, byUser, voices), ``routes``,
``errors`` (MusicGPT's error body).
"""

from __future__ import annotations

from fastapi import FastAPI

from mixdown.api.compat.musicgpt.errors import PREFIX, error_shape
from mixdown.api.compat.musicgpt.files import router as files_router
from mixdown.api.compat.musicgpt.routes import router
from mixdown.api.compat.musicgpt.views import webhook_payload
from mixdown.api.errors import register_error_shape
from mixdown.webhooks.formats import WebhookFormat
from mixdown.webhooks.signing import signature_headers

__all__ = ["WEBHOOK_FORMAT", "install", "router"]


def webhook_headers(secret: str | None, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """MusicGPT documents no signature: plain JSON, unless the native ``webhook_secret`` was given."""
    if secret:
        return signature_headers(secret, msg_id, timestamp, body)
    return {"content-type": "application/json"}


WEBHOOK_FORMAT = WebhookFormat(payload=webhook_payload, headers=webhook_headers)


def install(app: FastAPI) -> None:
    """Mount the MusicGPT routes under ``/api/public`` and answer their errors MusicGPT's way."""
    app.include_router(router, prefix="/api/public")
    app.include_router(files_router, prefix="/api/public")
    register_error_shape(app, PREFIX, error_shape)
