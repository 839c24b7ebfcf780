"""Errors under ``/api/public/`` in MusicGPT's shape, with the statuses its docs list.

MusicGPT's error page lists 400, 402 (insufficient funds), 403 (key or permission problems),
404, 409, 422, 429 and 500, and answers ``{"success": false, ...}``. The body here carries
``message`` (and ``detail``, which FastAPI-style clients read), the native ``code``, and the
MusicGPT ``field`` at fault; a missing or unknown key is a 403 as MusicGPT documents it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi.responses import JSONResponse, Response

from mixdown.api.compat.musicgpt.endpoints import Endpoint
from mixdown.errors import MixdownError

PREFIX = "/api/public/"
# The status MusicGPT documents instead of ours.
STATUS_MAP = {401: 403}


def error_body(status: int, native: dict[str, Any]) -> dict[str, Any]:
    """``{success: false, message, detail, code, field, ...}`` from the native error body."""
    message = str(native.get("message") or "Request failed")
    body: dict[str, Any] = {"success": False, "message": message, "detail": message}
    body.update({k: v for k, v in native.items() if k != "message"})
    body.setdefault("code", "error")
    return body


def error_shape(status: int, native: dict[str, Any], headers: Mapping[str, str] | None) -> Response:
    """The ``ErrorShape`` registered for ``/api/public/`` (see ``api.errors.register_error_shape``)."""
    shown = STATUS_MAP.get(status, status)
    kept = {k: v for k, v in (headers or {}).items() if k.lower() != "www-authenticate" or shown == 401}
    return JSONResponse(error_body(shown, native), status_code=shown, headers=kept or None)


def in_vendor_terms(exc: MixdownError, endpoint: Endpoint) -> MixdownError:
    """The same error naming the MusicGPT field (``output_extension``, not ``output_format``)."""
    native = exc.field
    vendor = endpoint.vendor_field(native)
    if native is None or vendor is None or vendor == native:
        return exc
    exc.field = vendor
    if exc.message.startswith(f"{native}:"):
        exc.message = vendor + exc.message[len(native) :]
    errors = exc.details.get("errors")
    if isinstance(errors, list):
        for item in errors:
            if isinstance(item, dict) and item.get("field") == native:
                item["field"] = vendor
    return exc
