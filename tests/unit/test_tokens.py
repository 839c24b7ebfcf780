"""Short-lived tokens: issue, verify, expiry, tampering, scopes, and the key behind them."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from mixdown.errors import Forbidden, RateLimited, Unauthorized, ValidationFailed
from mixdown.jobs.quotas import TokenLimits
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


def test_limits_travel_signed_in_the_token_and_rate_limit_submits(tmp_path: Path) -> None:
    tokens = TokenService(Settings(data_dir=tmp_path))
    limits = TokenLimits(max_duration_seconds=30, rate_limit="2/minute")
    token, _ = tokens.issue("key_x", now=now(), ttl=600, limits=limits)
    claims = tokens.verify(token)
    assert claims.limits == limits
    tokens.count_submit(claims)
    tokens.count_submit(claims)
    with pytest.raises(RateLimited) as limited:
        tokens.count_submit(claims)
    assert limited.value.details["quota"] == "token.rate_limit" and "Retry-After" in limited.value.headers
    other, _ = tokens.issue("key_x", now=now(), ttl=600, limits=limits)
    tokens.count_submit(tokens.verify(other))  # each token has its own window
    with pytest.raises(ValidationFailed) as refused:
        tokens.issue("key_x", now=now(), ttl=600, limits=TokenLimits(rate_limit="often"))
    assert refused.value.field == "limits.rate_limit"


def test_rs256_tokens_verify_with_the_public_key_only(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (tmp_path / "private.pem").write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (tmp_path / "public.pem").write_bytes(public_pem)
    settings = Settings(
        data_dir=tmp_path,
        jwt_algorithm="RS256",
        jwt_private_key_file=tmp_path / "private.pem",
        jwt_public_key_file=tmp_path / "public.pem",
    )
    tokens = TokenService(settings)
    token, _ = tokens.issue("key_x", now=now(), ttl=600, scopes=["read"])
    assert tokens.verify(token).scopes == frozenset({"read"})
    # A token "signed" with the public key as an HS256 secret (algorithm confusion) is refused
    payload = token.split(".")[1]
    forged_head = _b64(b'{"alg":"HS256","typ":"JWT"}')
    mac = hmac.new(public_pem, f"{forged_head}.{payload}".encode(), hashlib.sha256).digest()
    with pytest.raises(Unauthorized, match="invalid"):
        tokens.verify(f"{forged_head}.{payload}.{_b64(mac)}")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
