"""Rate limits and key authentication."""

from __future__ import annotations

from pathlib import Path

import pytest

from mixdown.clock import FakeClock
from mixdown.errors import RateLimited, Unauthorized
from mixdown.service.keys import KeyAuthenticator, create_key, hash_key, revoke_key
from mixdown.service.ratelimit import RateLimits
from mixdown.storage.db import Database


def test_rate_limit_counts_per_key_and_says_when_to_retry() -> None:
    limits = RateLimits({"status": "3/minute"})
    states = [limits.hit("status", "key_a") for _ in range(3)]
    assert [s.remaining for s in states if s] == [2, 1, 0]
    with pytest.raises(RateLimited) as caught:
        limits.hit("status", "key_a")
    headers = caught.value.headers
    assert headers["X-RateLimit-Limit"] == "3"
    assert headers["X-RateLimit-Remaining"] == "0"
    assert 1 <= int(headers["Retry-After"]) <= 60
    assert limits.hit("status", "key_b") is not None  # another key has its own window


def test_disabled_rate_limits_never_refuse() -> None:
    limits = RateLimits({"status": "1/minute"}, enabled=False)
    for _ in range(5):
        assert limits.hit("status", "key_a") is None


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database.from_url(f"sqlite:///{tmp_path / 'keys.db'}")
    database.migrate()
    return database


def test_keys_are_stored_hashed_and_authenticate(db: Database) -> None:
    clock = FakeClock()
    key, plain = create_key(db, name="app", credits_amount=5, now=clock.now())
    assert plain.startswith("mxd_")
    assert key.key_hash == hash_key(plain) != plain
    auth = KeyAuthenticator(db, ttl=0)
    assert auth.authenticate(plain).key_id == key.id
    with pytest.raises(Unauthorized):
        auth.authenticate(plain + "x")
    with pytest.raises(Unauthorized):
        auth.authenticate(None)
    revoke_key(db, key.id, clock.now())
    with pytest.raises(Unauthorized):
        auth.authenticate(plain)
