"""Quota rules: each limit's boundary, the error it raises and what it names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mixdown.errors import MixdownError, PayloadTooLarge, QuotaExceeded, RateLimited
from mixdown.jobs.quotas import Quotas, Request, TokenLimits, TokenUsed, Used, check, check_token, month_end

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
PLAN = Quotas(
    monthly_generation_minutes=10, max_duration_seconds=60, max_concurrent_jobs=2, max_input_bytes=1000
)
IDLE = Used(active_jobs=0, generation_seconds_this_month=0.0)


def generation(seconds: float, input_bytes: int = 0) -> Request:
    return Request(generation=True, output_seconds=seconds, input_bytes=input_bytes)


@pytest.mark.parametrize(
    ("request_", "used", "error", "quota"),
    [
        (generation(10, input_bytes=1001), IDLE, PayloadTooLarge, "max_input_bytes"),
        (generation(60.5), IDLE, QuotaExceeded, "max_duration_seconds"),
        (generation(10), Used(2, 0.0), RateLimited, "max_concurrent_jobs"),
        (generation(31), Used(0, 570.0), QuotaExceeded, "monthly_generation_minutes"),
    ],
)
def test_each_quota_refuses_just_over_its_limit(
    request_: Request, used: Used, error: type[MixdownError], quota: str
) -> None:
    with pytest.raises(error) as refused:
        check(PLAN, request_, used, NOW)
    assert refused.value.details["quota"] == quota and quota in refused.value.message


def test_requests_at_the_limits_pass() -> None:
    check(PLAN, generation(60, input_bytes=1000), Used(1, 540.0), NOW)
    check(PLAN, Request(generation=False, output_seconds=0, input_bytes=10), Used(1, 10_000.0), NOW)
    check(Quotas(), generation(10**6, input_bytes=10**12), Used(10**6, 10**9), NOW)


def test_monthly_refusal_says_when_it_resets() -> None:
    with pytest.raises(QuotaExceeded) as refused:
        check(PLAN, generation(30), Used(0, 590.0), NOW)
    assert refused.value.details["resets_at"] == "2026-12-01T00:00:00Z"
    assert month_end(datetime(2026, 12, 31, 23, tzinfo=UTC)) == datetime(2027, 1, 1, tzinfo=UTC)


def test_key_overrides_sit_on_top_of_the_plan() -> None:
    merged = PLAN.merged({"max_duration_seconds": 300, "unknown": 1})
    assert merged.max_duration_seconds == 300 and merged.max_concurrent_jobs == 2


TOKEN = TokenLimits(max_duration_seconds=10, max_concurrent_jobs=1, max_credits=2.0)


@pytest.mark.parametrize(
    ("request_", "used", "price", "error", "quota"),
    [
        (generation(10.5), TokenUsed(0, 0), 0, QuotaExceeded, "token.max_duration_seconds"),
        (generation(10), TokenUsed(1, 0), 0, RateLimited, "token.max_concurrent_jobs"),
        (generation(10), TokenUsed(0, 1500), 501, QuotaExceeded, "token.max_credits"),
    ],
)
def test_each_token_limit_refuses_just_over_it(
    request_: Request, used: TokenUsed, price: int, error: type[MixdownError], quota: str
) -> None:
    with pytest.raises(error) as refused:
        check_token(TOKEN, request_, used, price)
    assert refused.value.details["quota"] == quota


def test_token_limits_pass_at_the_boundary_and_round_trip_as_a_claim() -> None:
    check_token(TOKEN, generation(10), TokenUsed(0, 1500), 500)
    check_token(TokenLimits(), generation(10**6), TokenUsed(10**6, 10**12), 10**9)
    claim = TokenLimits(max_credits=2.0, rate_limit="5/minute").to_dict()
    assert claim == {"max_credits": 2.0, "rate_limit": "5/minute"}
    assert TokenLimits.from_dict({**claim, "future": 1}) == TokenLimits(
        max_credits=2.0, rate_limit="5/minute"
    )
    assert TokenLimits.from_dict(None) == TokenLimits()
