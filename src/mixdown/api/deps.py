"""Dependencies shared by the routers: services, the caller, base URL, status rate limit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends, Request, Response

from mixdown.service.container import Services
from mixdown.service.keys import Caller


async def get_services(request: Request) -> Services:
    """The application's services."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def presented_key(headers: Mapping[str, str]) -> str | None:
    """The key from ``X-API-Key``, ``Authorization: Bearer <key>`` or ``Authorization: <key>``."""
    key = headers.get("x-api-key")
    if key:
        return key.strip()
    auth = headers.get("authorization", "").strip()
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return auth or None


async def get_caller(request: Request, services: ServicesDep) -> Caller:
    """The authenticated caller (401 otherwise)."""
    # A cache hit costs microseconds; a miss is one indexed SQLite/PostgreSQL read.
    caller = services.auth.authenticate(presented_key(request.headers))
    # A short-lived token reads with "read" and changes things (submit, cancel) with "generate".
    caller.require("read" if request.method in ("GET", "HEAD") else "generate")
    request.state.caller = caller
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]


async def base_url(request: Request, services: ServicesDep) -> str:
    """Base of result URLs: the configured public URL or the request's own."""
    return (services.settings.public_url or str(request.base_url)).rstrip("/")


BaseUrlDep = Annotated[str, Depends(base_url)]


async def status_limited(caller: CallerDep, services: ServicesDep, response: Response) -> Caller:
    """The caller, after counting one status call against its limit."""
    state = services.limits.hit("status", caller.key_id)
    if state is not None:
        response.headers.update(state.headers())
    return caller


StatusCallerDep = Annotated[Caller, Depends(status_limited)]
