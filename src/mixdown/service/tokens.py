"""Short-lived tokens: signed JWTs that stand for an API key with fewer rights and an expiry.

A browser or a playground holds a token instead of the key. ``POST /v1/tokens`` (with a key)
issues one; every route accepts it as ``Authorization: Bearer <jwt>`` with the key's isolation,
limits and credits, narrowed to the token's scopes and to the limits it carries (``lim`` claim:
see ``jobs.quotas.TokenLimits``; checked on top of the key's, so a token can never do more).
"""

from __future__ import annotations

import math
import os
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from mixdown.errors import RateLimited, Unauthorized, ValidationFailed
from mixdown.jobs.quotas import TokenLimits
from mixdown.settings import Settings

ISSUER = "mixdown"
SCOPES = frozenset({"generate", "read"})  # submit jobs; read jobs, results and usage


@dataclass(frozen=True)
class TokenClaims:
    """What a verified token says."""

    key_id: str
    scopes: frozenset[str]
    expires_at: datetime
    token_id: str
    limits: TokenLimits = field(default_factory=TokenLimits)


def looks_like_jwt(presented: str) -> bool:
    """A compact JWS (three dot-separated parts, a JSON header) rather than an API key."""
    return presented.count(".") == 2 and presented.startswith("eyJ")


class TokenService:
    """Issues and verifies tokens with the configured algorithm and keys."""

    def __init__(self, settings: Settings) -> None:
        self.algorithm = settings.jwt_algorithm
        self.default_ttl = settings.token_default_ttl_seconds
        self.max_ttl = settings.token_max_ttl_seconds
        self._signing, self._verifying = _keys(settings)
        # Per-token submit windows, in this process (like the keys' limits in service/ratelimit.py).
        self._rates = MovingWindowRateLimiter(MemoryStorage())

    def issue(
        self,
        key_id: str,
        *,
        now: datetime,
        ttl: int | None = None,
        scopes: list[str] | None = None,
        limits: TokenLimits | None = None,
    ) -> tuple[str, TokenClaims]:
        """A token for ``key_id`` valid for ``ttl`` seconds with ``scopes`` (default: all) and ``limits``."""
        seconds = self.default_ttl if ttl is None else ttl
        if not 60 <= seconds <= self.max_ttl:
            raise ValidationFailed(f"expires_in must be 60-{self.max_ttl} seconds", field="expires_in")
        wanted = frozenset(SCOPES if scopes is None else scopes)
        if not wanted or not wanted <= SCOPES:
            raise ValidationFailed(f"scopes must be a non-empty subset of {sorted(SCOPES)}", field="scopes")
        limits = limits or TokenLimits()
        _check_rate(limits.rate_limit)
        expires = now + timedelta(seconds=seconds)
        claims = TokenClaims(key_id, wanted, expires, secrets.token_hex(8), limits)
        payload: dict[str, Any] = {
            "iss": ISSUER,
            "sub": key_id,
            "scope": " ".join(sorted(wanted)),
            "iat": int(now.timestamp()),
            "exp": int(claims.expires_at.timestamp()),
            "jti": claims.token_id,
        }
        if limits.to_dict():
            payload["lim"] = limits.to_dict()
        return jwt.encode(payload, self._signing, algorithm=self.algorithm), claims

    def verify(self, token: str) -> TokenClaims:
        """The claims of a valid token; 401 saying why otherwise (expired, bad signature...)."""
        try:
            payload: dict[str, Any] = jwt.decode(
                token,
                self._verifying,
                algorithms=[self.algorithm],
                issuer=ISSUER,
                options={"require": ["exp", "sub", "iss"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("The token has expired: ask for a new one with POST /v1/tokens.") from None
        except jwt.InvalidTokenError as exc:
            raise Unauthorized(f"The token is invalid: {exc}.") from None
        scopes = frozenset(str(payload.get("scope", "")).split()) & SCOPES
        expires = datetime.fromtimestamp(int(payload["exp"])).astimezone()
        limits = TokenLimits.from_dict(payload.get("lim"))
        return TokenClaims(str(payload["sub"]), scopes, expires, str(payload.get("jti", "")), limits)

    def count_submit(self, claims: TokenClaims) -> None:
        """Count one submit against the token's ``rate_limit``; 429 with Retry-After when over it."""
        if claims.limits.rate_limit is None:
            return
        item = parse(claims.limits.rate_limit)
        if not self._rates.hit(item, "token", claims.token_id):
            reset = self._rates.get_window_stats(item, "token", claims.token_id).reset_time
            retry_after = max(1, math.ceil(reset - time.time()))
            raise RateLimited(
                f"Token limit rate_limit: {item} submits; retry in {retry_after} s.",
                headers={"Retry-After": str(retry_after)},
                quota="token.rate_limit",
                retry_after=retry_after,
            )


def _check_rate(text: str | None) -> None:
    if text is None:
        return
    try:
        parse(text)
    except ValueError:
        raise ValidationFailed(
            f"limits.rate_limit: {text!r} is not a rate such as '10/minute'", field="limits.rate_limit"
        ) from None


def _keys(settings: Settings) -> tuple[Any, Any]:
    """(signing key, verifying key) for the configured algorithm."""
    if settings.jwt_algorithm == "RS256":
        if settings.jwt_private_key_file is None or settings.jwt_public_key_file is None:
            raise ValueError("RS256 tokens need MIXDOWN_JWT_PRIVATE_KEY_FILE and MIXDOWN_JWT_PUBLIC_KEY_FILE")
        return settings.jwt_private_key_file.read_bytes(), settings.jwt_public_key_file.read_bytes()
    secret = (
        settings.jwt_secret.get_secret_value() if settings.jwt_secret else _stored_secret(settings.data_dir)
    )
    return secret, secret


def _stored_secret(data_dir: Path) -> str:
    """A random HS256 secret kept in ``data_dir`` (created once, readable by the owner only)."""
    path = data_dir / "jwt-secret"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(secrets.token_urlsafe(48))
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)  # atomic and never overwrites: the first process's secret wins
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()
