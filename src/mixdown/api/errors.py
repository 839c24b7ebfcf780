"""The one place where exceptions become HTTP answers ``{"error": {code, message, field}}``."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from mixdown.errors import MixdownError

log = logging.getLogger("mixdown.api")

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    501: "not_implemented",
    503: "service_unavailable",
}


def error_response(
    status: int, body: dict[str, Any], headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """A JSON error answer."""
    return JSONResponse({"error": body}, status_code=status, headers=headers)


async def _mixdown_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MixdownError)
    if exc.status_code >= 500:
        log.error("request failed: %s", exc.message, extra={"path": request.url.path})
    return error_response(exc.status_code, exc.to_dict(), exc.headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "field": ".".join(str(p) for p in e["loc"] if p not in ("body", "query", "path", "header")),
            "message": e["msg"],
        }
        for e in exc.errors()
    ]
    first = errors[0] if errors else {"field": "body", "message": "invalid request"}
    body = {
        "code": "validation_error",
        "message": f"{first['field']}: {first['message']}",
        "field": first["field"],
    }
    return error_response(422, {**body, "errors": errors})


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "error")
    return error_response(exc.status_code, {"code": code, "message": str(exc.detail)}, exc.headers)


async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(500, {"code": "internal_error", "message": "An internal error occurred."})


def install_error_handlers(app: FastAPI) -> None:
    """Register the mapping on ``app``."""
    app.add_exception_handler(MixdownError, _mixdown_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unhandled)
