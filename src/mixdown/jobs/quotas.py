"""Quotas per key beyond rate limits: a plan's limits, checked before a job is accepted.

Pure rules: the caller supplies what the key (or token) has used; ``check`` and ``check_token``
say which limit a request would break. ``None`` means no limit. A short-lived token may carry
limits of its own, which only narrow its key's: both are checked.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any

from mixdown.errors import PayloadTooLarge, QuotaExceeded, RateLimited


@dataclass(frozen=True)
class Quotas:
    """The limits of a plan (or of one key, after its overrides)."""

    monthly_generation_minutes: float | None = None
    max_duration_seconds: float | None = None
    max_concurrent_jobs: int | None = None
    max_input_bytes: int | None = None

    def merged(self, overrides: dict[str, Any] | None) -> Quotas:
        """These limits with a key's own values on top (unknown names are ignored)."""
        names = {f.name for f in fields(self)}
        return replace(self, **{k: v for k, v in (overrides or {}).items() if k in names})

    def to_dict(self) -> dict[str, Any]:
        """The limits as JSON."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class TokenLimits:
    """Limits a short-lived token carries on top of its key's."""

    max_duration_seconds: float | None = None
    max_concurrent_jobs: int | None = None
    max_credits: float | None = None  # credits the token may spend over its life
    rate_limit: str | None = None  # submits that compute, e.g. "10/minute" (``limits`` notation)

    def to_dict(self) -> dict[str, Any]:
        """The limits that are set, as JSON."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> TokenLimits:
        """Limits from a token's claim (unknown names are ignored)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (raw or {}).items() if k in names})


@dataclass(frozen=True)
class TokenUsed:
    """What a token's jobs hold: those queued or running, and credits spent or reserved."""

    active_jobs: int
    credits_milli: int


@dataclass(frozen=True)
class Request:
    """What a submit asks for, as the quotas see it."""

    generation: bool
    output_seconds: float
    input_bytes: int


@dataclass(frozen=True)
class Used:
    """What the key has in use or used this month."""

    active_jobs: int
    generation_seconds_this_month: float


def month_end(now: datetime) -> datetime:
    """When the monthly quota resets: the first instant of next month, UTC.

    Examples
    --------
    >>> month_end(datetime(2026, 12, 31, 23, 0, tzinfo=UTC)).isoformat()
    '2027-01-01T00:00:00+00:00'
    """
    now = now.astimezone(UTC)
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    return datetime(year, month, 1, tzinfo=UTC)


def month_start(now: datetime) -> datetime:
    """The first instant of this month, UTC."""
    now = now.astimezone(UTC)
    return datetime(now.year, now.month, 1, tzinfo=UTC)


def check(quotas: Quotas, request: Request, used: Used, now: datetime) -> None:
    """Raise the error of the first quota the request breaks (413, 402 or 429), naming it."""
    if quotas.max_input_bytes is not None and request.input_bytes > quotas.max_input_bytes:
        raise PayloadTooLarge(
            f"Quota max_input_bytes: inputs of {request.input_bytes} bytes exceed this key's "
            f"{quotas.max_input_bytes}.",
            quota="max_input_bytes",
        )
    if quotas.max_duration_seconds is not None and request.output_seconds > quotas.max_duration_seconds:
        raise QuotaExceeded(
            f"Quota max_duration_seconds: {request.output_seconds:g} s asked, this key allows "
            f"{quotas.max_duration_seconds:g} s per request.",
            field="duration",
            quota="max_duration_seconds",
        )
    if quotas.max_concurrent_jobs is not None and used.active_jobs >= quotas.max_concurrent_jobs:
        raise RateLimited(
            f"Quota max_concurrent_jobs: {quotas.max_concurrent_jobs} jobs are already queued or "
            "running for this key; retry when one finishes.",
            headers={"Retry-After": "5"},
            quota="max_concurrent_jobs",
        )
    _check_monthly(quotas, request, used, now)


def _check_monthly(quotas: Quotas, request: Request, used: Used, now: datetime) -> None:
    limit = quotas.monthly_generation_minutes
    if limit is None or not request.generation:
        return
    after = (used.generation_seconds_this_month + request.output_seconds) / 60.0
    if after > limit:
        resets = month_end(now)
        raise QuotaExceeded(
            f"Quota monthly_generation_minutes: {limit:g} minutes a month; "
            f"{used.generation_seconds_this_month / 60:.2f} used, this request needs "
            f"{request.output_seconds / 60:.2f}. It resets at {resets.isoformat()}.",
            quota="monthly_generation_minutes",
            resets_at=resets.isoformat().replace("+00:00", "Z"),
        )


def check_token(limits: TokenLimits, request: Request, used: TokenUsed, price_milli: int) -> None:
    """Raise the error of the first token limit the request breaks (402 or 429), naming it."""
    if limits.max_duration_seconds is not None and request.output_seconds > limits.max_duration_seconds:
        raise QuotaExceeded(
            f"Token limit max_duration_seconds: {request.output_seconds:g} s asked, this token allows "
            f"{limits.max_duration_seconds:g} s per request.",
            field="duration",
            quota="token.max_duration_seconds",
        )
    if limits.max_concurrent_jobs is not None and used.active_jobs >= limits.max_concurrent_jobs:
        raise RateLimited(
            f"Token limit max_concurrent_jobs: {limits.max_concurrent_jobs} jobs of this token are "
            "already queued or running; retry when one finishes.",
            headers={"Retry-After": "5"},
            quota="token.max_concurrent_jobs",
        )
    cap = limits.max_credits
    if cap is not None and used.credits_milli + price_milli > round(cap * 1000):
        raise QuotaExceeded(
            f"Token limit max_credits: this token may spend {cap:g} credits; {used.credits_milli / 1000:g} "
            f"are spent or reserved and this request costs {price_milli / 1000:g}.",
            quota="token.max_credits",
        )
