"""MusicAPI.ai drop-in compatibility: ``/api/v1/get-credits`` and ``/api/v1/sonic/...`` on native tasks.

A client written for ``https://api.musicapi.ai/api/v1`` works against ``<mixdown>/api/v1`` with a
mixdown key as its bearer token. See ``docs/compat-musicapi.md`` for the mapping and what differs.

- ``models.py``: request bodies, limits, ``mv`` names; ``translate.py``: bodies -> native submits
- ``clips.py``: clip ids are mix result ids; ``views.py``, ``tools.py``: response bodies
- ``service.py``: the operations; ``routes.py``: the HTTP routes; ``webhook.py``: signed deliveries

Errors under these paths answer ``{"code": <status>, "message", "field", "error"}``: a validation
error is 400 (as MusicAPI documents) and a content-policy refusal 403; everything else keeps the
native status (401, 402 for credits as in the MusicAPI quickstart, 404, 409, 429 with Retry-After,
501 for what mixdown cannot do).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response

from mixdown.api.compat.musicapi.routes import PREFIX, router
from mixdown.api.compat.musicapi.webhook import WEBHOOK_FORMAT
from mixdown.api.errors import register_error_shape

__all__ = ["WEBHOOK_FORMAT", "error_shape", "install", "router"]

# (native status, native code) or native status -> the status MusicAPI documents.
_STATUS: dict[Any, int] = {422: 400, (400, "content_policy_violation"): 403}


def error_shape(status: int, error: dict[str, Any], headers: Mapping[str, str] | None) -> Response:
    """A native error as MusicAPI shapes it."""
    code = str(error.get("code", "error"))
    vendor_status = _STATUS.get((status, code), _STATUS.get(status, status))
    body: dict[str, Any] = {"code": vendor_status, "message": error.get("message", ""), "error": code}
    if error.get("field"):
        body["field"] = error["field"]
    if error.get("errors"):
        body["errors"] = error["errors"]
    return JSONResponse(body, status_code=vendor_status, headers=dict(headers or {}))


def install(app: FastAPI) -> None:
    """Mount the routes and answer errors under them in MusicAPI's shape."""
    app.include_router(router)
    register_error_shape(app, f"{PREFIX}/sonic/", error_shape)
    register_error_shape(app, f"{PREFIX}/get-credits", error_shape)
