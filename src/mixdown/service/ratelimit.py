"""Per-key rate limits with the ``limits`` library (moving window, memory storage for now)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from mixdown.errors import RateLimited


@dataclass(frozen=True)
class LimitState:
    """What the X-RateLimit-* headers say."""

    limit: int
    remaining: int
    reset_at: float

    def headers(self) -> dict[str, str]:
        """The X-RateLimit-Limit/Remaining/Reset headers (Reset in epoch seconds)."""
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(self.remaining, 0)),
            "X-RateLimit-Reset": str(math.ceil(self.reset_at)),
        }


class RateLimits:
    """Named per-key limits (``submit``, ``status``)."""

    def __init__(
        self, limits: dict[str, str], *, enabled: bool = True, storage: Storage | None = None
    ) -> None:
        self.enabled = enabled
        self._items: dict[str, RateLimitItem] = {name: parse(text) for name, text in limits.items()}
        self._limiter = MovingWindowRateLimiter(storage or MemoryStorage())

    def state(self, name: str, key_id: str) -> dict[str, object]:
        """Where ``key_id`` stands against limit ``name``, without counting a request."""
        item = self._items[name]
        if not self.enabled:
            return {"limit": str(item), "enabled": False}
        stats = self._limiter.get_window_stats(item, key_id)
        return {
            "limit": str(item),
            "remaining": max(0, stats.remaining),
            "reset_at": math.ceil(stats.reset_time),
            "enabled": True,
        }

    def hit(self, name: str, key_id: str) -> LimitState | None:
        """Count one request; raise 429 with Retry-After when over the limit."""
        if not self.enabled:
            return None
        item = self._items[name]
        allowed = self._limiter.hit(item, key_id)
        stats = self._limiter.get_window_stats(item, key_id)
        state = LimitState(item.amount, stats.remaining, stats.reset_time)
        if not allowed:
            retry_after = max(1, math.ceil(stats.reset_time - time.time()))
            raise RateLimited(
                f"Rate limit of {item} for {name} requests exceeded; retry in {retry_after} s.",
                headers={**state.headers(), "Retry-After": str(retry_after)},
                limit=str(item),
                retry_after=retry_after,
            )
        return state
