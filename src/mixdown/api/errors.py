"""The one place where exceptions become HTTP answers ``{"error": {code, message, field}}``."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
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


# A vendor's error body, from the status and the native error body: (status, error) -> response.
ErrorShape = Callable[[int, dict[str, Any], Mapping[str, str] | None], Response]


def error_response(
    status: int, body: dict[str, Any], headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """A JSON error answer."""
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def register_error_shape(app: FastAPI, prefix: str, shape: ErrorShape) -> None:
    """Answer errors under ``prefix`` (a path like ``/api/public/v1/``) in a vendor's shape.

    Vendor compatibility routers call this when they are mounted; the mapping from exceptions to
    status codes stays here, only the body's shape changes.
    """
    shapes: list[tuple[str, ErrorShape]] = getattr(app.state, "error_shapes", [])
    shapes.append((prefix, shape))
    shapes.sort(key=lambda item: -len(item[0]))  # the longest prefix wins
    app.state.error_shapes = shapes


def _answer(
    request: Request, status: int, body: dict[str, Any], headers: Mapping[str, str] | None
) -> Response:
    path = request.url.path
    shapes: list[tuple[str, ErrorShape]] = getattr(request.app.state, "error_shapes", [])
    for prefix, shape in shapes:
        if path.startswith(prefix):
            return shape(status, body, headers)
    return error_response(status, body, headers)


async def _mixdown_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, MixdownError)
    if exc.status_code >= 500:
        log.error("request failed: %s", exc.message, extra={"path": request.url.path})
    return _answer(request, exc.status_code, exc.to_dict(), exc.headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
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
    return _answer(request, 422, {**body, "errors": errors}, None)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "error")
    return _answer(request, exc.status_code, {"code": code, "message": str(exc.detail)}, exc.headers)


async def _unhandled(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    body = {"code": "internal_error", "message": "An internal error occurred."}
    return _answer(request, 500, body, None)


def install_error_handlers(app: FastAPI) -> None:
    """Register the mapping on ``app``."""
    app.add_exception_handler(MixdownError, _mixdown_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unhandled)
