"""``POST /v1/tokens``: a short-lived token (JWT) for the calling API key."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from mixdown.api.deps import CallerDep, ServicesDep
from mixdown.errors import Forbidden
from mixdown.jobs.quotas import TokenLimits
from mixdown.service.quotas import token_limits_fit
from mixdown.service.views import iso

router = APIRouter(tags=["tokens"])


class TokenLimitsBody(BaseModel):
    """Limits of the token on top of its key's (a token can only narrow them)."""

    model_config = ConfigDict(extra="forbid")

    max_duration_seconds: float | None = Field(default=None, gt=0, description="Longest output per request.")
    max_concurrent_jobs: int | None = Field(default=None, ge=1, description="This token's jobs in flight.")
    max_credits: float | None = Field(default=None, ge=0, description="Credits the token may spend in all.")
    rate_limit: str | None = Field(default=None, description='Submits per window, e.g. "10/minute".')


class TokenRequest(BaseModel):
    """What the token may do and for how long."""

    model_config = ConfigDict(extra="forbid")

    expires_in: int | None = Field(default=None, description="Seconds; the server's default when omitted.")
    scopes: list[str] | None = Field(
        default=None, description='Subset of ["generate", "read"]; both when omitted.'
    )
    limits: TokenLimitsBody | None = Field(default=None, description="Narrower limits for this token.")


@router.post("/v1/tokens", status_code=201)
def create_token(
    caller: CallerDep, services: ServicesDep, body: TokenRequest | None = None
) -> dict[str, Any]:
    """Issue a signed token standing for this key (with its credits and limits) until it expires.

    Send it as ``Authorization: Bearer <token>``. Only an API key can ask for a token.
    """
    if caller.is_token:
        raise Forbidden("A token cannot issue tokens: use the API key.", field="authorization")
    request = body or TokenRequest()
    limits = TokenLimits(**request.limits.model_dump()) if request.limits else TokenLimits()
    token_limits_fit(services, caller.key_id, limits)
    now = services.clock.now()
    token, claims = services.tokens.issue(
        caller.key_id, now=now, ttl=request.expires_in, scopes=request.scopes, limits=limits
    )
    return {
        "token": token,
        "token_type": "Bearer",
        "expires_at": iso(claims.expires_at),
        "expires_in": int((claims.expires_at - now).total_seconds()),
        "scopes": sorted(claims.scopes),
        "limits": claims.limits.to_dict(),
        "key_id": caller.key_id,
    }
