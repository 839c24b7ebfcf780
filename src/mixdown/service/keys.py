"""API keys: created once in plain text, stored as SHA-256, looked up by hash."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select

from mixdown.errors import Forbidden, NotFound, Unauthorized
from mixdown.ids import new_id
from mixdown.jobs.cost import to_milli
from mixdown.service.tokens import TokenClaims, TokenService, looks_like_jwt
from mixdown.storage import credits
from mixdown.storage.db import Database
from mixdown.storage.models import ApiKey

KEY_PREFIX = "mxd_"


def hash_key(plain: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(plain.encode()).hexdigest()


@dataclass(frozen=True)
class Caller:
    """The authenticated key behind a request; ``scopes`` is None for the key itself (all rights)."""

    key_id: str
    name: str
    scopes: frozenset[str] | None = None
    token: TokenClaims | None = None  # the short-lived token that authenticated, with its limits

    def require(self, scope: str) -> None:
        """403 unless the credentials allow ``scope`` (a token without it)."""
        if self.scopes is not None and scope not in self.scopes:
            raise Forbidden(f"This token does not have the {scope!r} scope.", field="authorization")

    @property
    def is_token(self) -> bool:
        """Whether a short-lived token (not the key) authenticated the request."""
        return self.scopes is not None

    @property
    def token_id(self) -> str | None:
        """The token's id (``jti``) when a token authenticated the request."""
        return self.token.token_id if self.token is not None else None


def create_key(db: Database, *, name: str, credits_amount: float, now: datetime) -> tuple[ApiKey, str]:
    """A new key and its plain text (shown once, never stored)."""
    plain = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        id=new_id("key", 8),
        name=name,
        key_hash=hash_key(plain),
        prefix=plain[:10],
        balance_milli=0,
        reserved_milli=0,
        spent_milli=0,
        created_at=now,
    )
    with db.write() as session:
        session.add(key)
        session.flush()
        if credits_amount:
            key.balance_milli = credits.grant(session, key_id=key.id, milli=to_milli(credits_amount), now=now)
    return key, plain


def list_keys(db: Database) -> list[ApiKey]:
    """All keys, oldest first."""
    with db.read() as session:
        return list(session.scalars(select(ApiKey).order_by(ApiKey.created_at)))


def revoke_key(db: Database, key_id: str, now: datetime) -> ApiKey:
    """Revoke a key; requests with it answer 401 from then on."""
    with db.write() as session:
        key = session.get(ApiKey, key_id)
        if key is None:
            raise NotFound(f"No API key {key_id!r}")
        key.revoked_at = key.revoked_at or now
        return key


def credit_key(db: Database, key_id: str, amount: float, now: datetime) -> float:
    """Add credits (negative to remove); returns the new balance in credits."""
    with db.write() as session:
        return (
            credits.grant(
                session, key_id=key_id, milli=to_milli(amount) if amount >= 0 else -to_milli(-amount), now=now
            )
            / 1000
        )


def get_key(db: Database, key_id: str) -> ApiKey:
    """A key by id."""
    with db.read() as session:
        key = session.get(ApiKey, key_id)
        if key is None:
            raise NotFound(f"No API key {key_id!r}")
        return key


class KeyAuthenticator:
    """Resolves a presented key to its caller, caching hits for a moment.

    Status polling is the hottest path; a short cache keeps it off the database
    while a revocation still takes effect within ``ttl`` seconds.
    """

    def __init__(self, db: Database, ttl: float = 2.0, tokens: TokenService | None = None) -> None:
        self.db = db
        self.ttl = ttl
        self.tokens = tokens
        self._cache: dict[str, tuple[float, Caller]] = {}
        self._lock = threading.Lock()

    def authenticate(self, presented: str | None) -> Caller:
        """The caller for a key; 401 if missing, unknown or revoked."""
        if not presented:
            raise Unauthorized("An API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key'.")
        if self.tokens is not None and looks_like_jwt(presented):
            claims = self.tokens.verify(presented)
            caller = self._cached(f"id:{claims.key_id}", lambda: self._lookup_id(claims.key_id))
            return replace(caller, scopes=claims.scopes, token=claims)
        digest = hash_key(presented)
        return self._cached(digest, lambda: self._lookup(digest))

    def _cached(self, cache_key: str, lookup: Callable[[], Caller]) -> Caller:
        with self._lock:
            cached = self._cache.get(cache_key)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        caller = lookup()
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[cache_key] = (time.monotonic() + self.ttl, caller)
        return caller

    def _lookup(self, digest: str) -> Caller:
        with self.db.read() as session:
            key = session.scalar(select(ApiKey).where(ApiKey.key_hash == digest))
        if key is None or key.revoked_at is not None:
            raise Unauthorized("The API key is unknown or revoked.")
        return Caller(key_id=key.id, name=key.name)

    def _lookup_id(self, key_id: str) -> Caller:
        with self.db.read() as session:
            key = session.get(ApiKey, key_id)
        if key is None or key.revoked_at is not None:
            raise Unauthorized("The token's API key is unknown or revoked.")
        return Caller(key_id=key.id, name=key.name)
