"""Short-lived tokens: issue, verify, expiry, tampering, scopes, and the key behind them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from mixdown.errors import Forbidden, Unauthorized, ValidationFailed
from mixdown.service.keys import KeyAuthenticator, create_key, revoke_key
from mixdown.service.tokens import TokenService
from mixdown.settings import Settings
from mixdown.storage.db import Database


def now() -> datetime:
    """Real time: PyJWT checks expiry against the clock."""
    return datetime.now(UTC)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database.from_url(f"sqlite:///{tmp_path / 'keys.db'}")
    database.migrate()
    return database


@pytest.fixture
def tokens(tmp_path: Path) -> TokenService:
    return TokenService(Settings(data_dir=tmp_path))


def test_a_token_stands_for_its_key_with_its_scopes(db: Database, tokens: TokenService) -> None:
    issued = now()
    key, _ = create_key(db, name="app", credits_amount=1, now=issued)
    token, claims = tokens.issue(key.id, now=issued, ttl=600, scopes=["read"])
    caller = KeyAuthenticator(db, tokens=tokens).authenticate(token)
    assert caller.key_id == key.id and caller.scopes == frozenset({"read"}) and caller.is_token
    caller.require("read")
    with pytest.raises(Forbidden, match="generate"):
        caller.require("generate")
    assert claims.expires_at == issued + timedelta(seconds=600)


def test_expired_tampered_and_foreign_tokens_are_refused(db: Database, tmp_path: Path) -> None:
    key, _ = create_key(db, name="app", credits_amount=1, now=now())
    tokens = TokenService(Settings(data_dir=tmp_path, jwt_secret=SecretStr("s" * 40)))
    auth = KeyAuthenticator(db, tokens=tokens)
    old, _ = tokens.issue(key.id, now=now() - timedelta(hours=2), ttl=60)
    with pytest.raises(Unauthorized, match="expired"):
        auth.authenticate(old)
    good, _ = tokens.issue(key.id, now=now(), ttl=600)
    head, payload, signature = good.split(".")
    with pytest.raises(Unauthorized, match="invalid"):
        auth.authenticate(f"{head}.{payload}.{signature[::-1]}")
    other = TokenService(Settings(data_dir=tmp_path, jwt_secret=SecretStr("t" * 40)))
    foreign, _ = other.issue(key.id, now=now(), ttl=600)
    with pytest.raises(Unauthorized, match="invalid"):
        auth.authenticate(foreign)
    revoke_key(db, key.id, now())
    with pytest.raises(Unauthorized, match="revoked"):
        KeyAuthenticator(db, tokens=tokens).authenticate(good)


@pytest.mark.parametrize(
    ("ttl", "scopes", "field"),
    [(10, None, "expires_in"), (10**9, None, "expires_in"), (600, [], "scopes"), (600, ["admin"], "scopes")],
)
def test_bad_token_requests_name_the_field(
    tokens: TokenService, ttl: int, scopes: list[str] | None, field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        tokens.issue("key_x", now=now(), ttl=ttl, scopes=scopes)
    assert refused.value.field == field


def test_the_generated_secret_is_kept_and_private(tmp_path: Path) -> None:
    first = TokenService(Settings(data_dir=tmp_path))
    token, _ = first.issue("key_x", now=now(), ttl=600)
    assert TokenService(Settings(data_dir=tmp_path)).verify(token).key_id == "key_x"
    assert (tmp_path / "jwt-secret").stat().st_mode & 0o077 == 0


def test_settings_pass_the_real_secret_to_workers(tmp_path: Path) -> None:
    env = Settings(data_dir=tmp_path, jwt_secret=SecretStr("hunter2hunter2")).to_env()
    assert env["MIXDOWN_JWT_SECRET"] == "hunter2hunter2"
