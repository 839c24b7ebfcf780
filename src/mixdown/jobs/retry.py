"""Retry policies for jobs and webhook deliveries (pure)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class JobRetryPolicy:
    """A job that lost its worker or failed retryably runs again until ``max_attempts``."""

    max_attempts: int = 3

    def should_retry(self, attempts: int) -> bool:
        """Whether a job that has run ``attempts`` times may run again."""
        return attempts < self.max_attempts


@dataclass(frozen=True, kw_only=True)
class BackoffPolicy:
    """Exponential backoff bounded by a total age, for webhook deliveries.

    Examples
    --------
    >>> p = BackoffPolicy(base_seconds=5, factor=2, max_delay_seconds=600, max_age_seconds=3600)
    >>> [p.delay(n) for n in (1, 2, 3)]
    [5.0, 10.0, 20.0]
    """

    base_seconds: float = 5.0
    factor: float = 2.0
    max_delay_seconds: float = 600.0
    max_age_seconds: float = 3600.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after the ``attempt``-th failed attempt (1-based)."""
        raw = self.base_seconds * self.factor ** max(attempt - 1, 0)
        return float(min(raw, self.max_delay_seconds))

    def next_delay(self, attempt: int, age_seconds: float) -> float | None:
        """Delay before the next attempt, or None once the delivery is too old to retry."""
        delay = self.delay(attempt)
        if age_seconds + delay > self.max_age_seconds:
            return None
        return delay
