"""Muzaic-style parameters: intensity, tempo, rhythm, tone and variance, each 1-9 or (all but
tempo) keyframes ``[[position_percent, value], ...]`` running from position 0 to 100.

Invalid input raises ``ValueError`` with a message naming the parameter (the API answers 422).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mixdown.engines.music.spec import Curve

PARAM_NAMES = ("intensity", "tempo", "rhythm", "tone", "variance")
CURVE_PARAMS = ("intensity", "rhythm", "tone", "variance")
PARAM_MIN, PARAM_MAX = 1.0, 9.0
DEFAULT_VALUE = 5.0


@dataclass(frozen=True)
class MusicParams:
    """The parameters a request set: curves for the keyframeable ones, a static tempo value."""

    curves: dict[str, Curve] = field(default_factory=dict)
    tempo: float | None = None

    @property
    def given(self) -> frozenset[str]:
        """The names the request set."""
        return frozenset(self.curves) | ({"tempo"} if self.tempo is not None else set())


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"params.{where} must be a number, got {value!r}")
    return float(value)


def _level(value: Any, where: str) -> float:
    level = _number(value, where)
    if not PARAM_MIN <= level <= PARAM_MAX:
        raise ValueError(f"params.{where} must be {PARAM_MIN:g}-{PARAM_MAX:g}, got {level:g}")
    return level


def keyframes_curve(name: str, frames: Any) -> Curve:
    """A curve from Muzaic keyframes; ``ValueError`` unless they run from 0 to 100 with values 1-9."""
    if not isinstance(frames, list | tuple) or len(frames) < 2:
        raise ValueError(f"params.{name}: keyframes need at least two [position, value] pairs (0 and 100)")
    points: list[tuple[float, float]] = []
    for i, frame in enumerate(frames):
        if not isinstance(frame, list | tuple) or len(frame) != 2:
            raise ValueError(f"params.{name}: keyframe {i} must be a [position, value] pair, got {frame!r}")
        position = _number(frame[0], f"{name} keyframe {i} position")
        value = _level(frame[1], f"{name} keyframe {i} value")
        if points and position <= points[-1][0]:
            raise ValueError(
                f"params.{name}: keyframe positions must increase ({position:g} after {points[-1][0]:g})"
            )
        points.append((position, value))
    if points[0][0] != 0:
        raise ValueError(f"params.{name}: keyframes must start at position 0, got {points[0][0]:g}")
    if points[-1][0] != 100:
        raise ValueError(f"params.{name}: keyframes must end at position 100, got {points[-1][0]:g}")
    return Curve(tuple((position / 100.0, value) for position, value in points))


def parse_params(params: Mapping[str, Any] | None) -> MusicParams:
    """Validate Muzaic ``params``; tempo must be static (one value 1-9)."""
    if not params:
        return MusicParams()
    if not isinstance(params, Mapping):
        raise ValueError(f"params must be an object, got {type(params).__name__}")
    unknown = sorted(set(params) - set(PARAM_NAMES))
    if unknown:
        raise ValueError(
            f"params: unknown parameter {', '.join(map(repr, unknown))} (use {', '.join(PARAM_NAMES)})"
        )
    tempo = params.get("tempo")
    if isinstance(tempo, list | tuple):
        raise ValueError("params.tempo is static: give one value 1-9, not keyframes")
    curves = {
        name: keyframes_curve(name, value)
        if isinstance(value, list | tuple)
        else Curve.constant(_level(value, name))
        for name, value in params.items()
        if name in CURVE_PARAMS and value is not None
    }
    return MusicParams(curves=curves, tempo=None if tempo is None else _level(tempo, "tempo"))


def tempo_in_range(value: float, low: float, high: float) -> float:
    """Muzaic tempo 1-9 mapped linearly onto a style's bpm range (5 is the middle), whole bpm."""
    return float(round(low + (value - PARAM_MIN) / (PARAM_MAX - PARAM_MIN) * (high - low)))
