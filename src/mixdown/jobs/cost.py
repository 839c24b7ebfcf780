"""Cost rules: how many credits a task costs, and the integer unit they are kept in."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

# Credits are kept as integer milli-credits so sums and refunds are exact.
MILLI = 1000


def to_milli(credits: float) -> int:
    """Credits as integer milli-credits, rounded up so estimates never undercharge."""
    return math.ceil(round(credits * MILLI, 6))


def from_milli(milli: int) -> float:
    """Integer milli-credits as credits."""
    return milli / MILLI


class CostBasis(StrEnum):
    """Which audio a cost rule counts."""

    INPUT = "input"
    OUTPUT = "output"


@dataclass(frozen=True, kw_only=True)
class CostRule:
    """A per-second price with a minimum charge per job.

    Examples
    --------
    >>> CostRule(per_second=0.1, minimum=1.0).credits(30.0)
    3.0
    >>> CostRule(per_second=0.1, minimum=1.0).credits(2.0)
    1.0
    """

    per_second: float
    minimum: float
    basis: CostBasis = CostBasis.INPUT

    def credits(self, seconds: float) -> float:
        """Credits for ``seconds`` of counted audio."""
        return round(max(self.minimum, self.per_second * max(seconds, 0.0)), 3)

    def describe(self) -> dict[str, object]:
        """JSON-friendly description for ``GET /v1/tasks``."""
        return {"per_second": self.per_second, "minimum": self.minimum, "basis": self.basis.value}
