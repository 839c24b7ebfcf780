"""The melody model: interval and rhythm statistics learned from the music21 corpus.

``scripts/build_melody_model.py`` counts public-domain folk tunes and Bach chorale melodies into
``data/melody_model.json``; this module loads it (add-one smoothed) and answers two questions:
how likely each next diatonic interval is (given the previous interval, the metric strength and
the scale degree) and which one-bar rhythms a meter uses and how often. If the file is missing a
small principled fallback is used: steps favoured over leaps, leaps recovered in the other
direction, rhythms of quarters and eighths.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

INTERVALS = tuple(range(-8, 9))


@dataclass(frozen=True)
class MelodyModel:
    """Smoothed probabilities for melody generation."""

    by_prev: dict[str, tuple[float, ...]]
    by_degree: dict[str, tuple[float, ...]]
    rhythms: dict[str, tuple[tuple[str, float], ...]]
    source: str

    def interval_weights(self, prev: int | None, strong: bool, degree: int, minor: bool) -> list[float]:
        """Weights of the next interval (``INTERVALS``), two experts pooled geometrically."""
        beat = "S" if strong else "W"
        ctx = "start" if prev is None else str(max(-5, min(5, prev)))
        first = self.by_prev.get(f"{beat}|{ctx}") or _fallback_intervals(prev)
        second = self.by_degree.get(f"{'minor' if minor else 'major'}|{beat}|{degree % 7}")
        if second is None:
            return list(first)
        return [math.sqrt(a * b) for a, b in zip(first, second, strict=True)]

    def rhythms_for(self, meter: tuple[int, int], steps: int) -> tuple[tuple[str, float], ...]:
        """One-bar onset patterns (``x`` onset, ``-`` held, ``.`` rest) of ``steps`` sixteenths."""
        found = self.rhythms.get(f"{meter[0]}/{meter[1]}", ())
        found = tuple(p for p in found if len(p[0]) == steps)
        return found or _synthetic_rhythms(steps)


def _normalise(counts: list[int] | list[float]) -> tuple[float, ...]:
    total = sum(counts) + len(counts)
    return tuple((c + 1) / total for c in counts)


def _fallback_intervals(prev: int | None) -> tuple[float, ...]:
    """Steps likelier than leaps; after a leap, a step back."""
    weights = []
    for step in INTERVALS:
        w = math.exp(-0.7 * abs(step)) * (1.6 if abs(step) == 1 else 1.0)
        if prev is not None and abs(prev) >= 3 and step * prev < 0 and abs(step) <= 2:
            w *= 3.0
        weights.append(w)
    return _normalise([w * 1000 for w in weights])


def _synthetic_rhythms(steps: int) -> tuple[tuple[str, float], ...]:
    """Quarter and eighth patterns for meters the corpus lacks."""
    quarters = ("x---" * (steps // 4 + 1))[:steps]
    eighths = ("x-" * (steps // 2 + 1))[:steps]
    mixed = (quarters[: steps // 2] + eighths[steps // 2 :])[:steps]
    long = ("x" + "-" * (steps - 1))[:steps]
    return ((quarters, 4.0), (eighths, 3.0), (mixed, 3.0), (long, 1.0))


def parse_model(data: dict[str, Any], source: str) -> MelodyModel:
    """A model from the JSON written by the build script."""
    values = tuple(data["intervals"]["values"])
    if values != INTERVALS:
        raise ValueError(f"{source}: intervals must be {INTERVALS[0]}..{INTERVALS[-1]}")
    return MelodyModel(
        by_prev={k: _normalise(v) for k, v in data["intervals"]["by_prev"].items()},
        by_degree={k: _normalise(v) for k, v in data["intervals"]["by_degree"].items()},
        rhythms={m: tuple((p, float(n)) for p, n in pats) for m, pats in data["rhythms"].items()},
        source=source,
    )


@lru_cache(maxsize=1)
def load_model() -> MelodyModel:
    """The bundled model (or the fallback when the data file is not installed)."""
    path = resources.files("mixdown.engines.music") / "data" / "melody_model.json"
    try:
        return parse_model(json.loads(path.read_text()), "music21 corpus")
    except FileNotFoundError:
        return MelodyModel(by_prev={}, by_degree={}, rhythms={}, source="fallback")
