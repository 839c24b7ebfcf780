"""Muzaic-style params: values 1-9, keyframes from 0 to 100, tempo static."""

from __future__ import annotations

from typing import Any

import pytest

from mixdown.engines.music.params import parse_params, tempo_in_range
from mixdown.engines.music.spec import Curve


def test_no_params_means_defaults() -> None:
    assert parse_params(None).given == frozenset()
    assert parse_params({}).curves == {}


def test_constant_values_become_flat_curves() -> None:
    parsed = parse_params({"intensity": 3, "tempo": 5, "rhythm": 5, "tone": 9, "variance": 5})
    assert parsed.curves["intensity"] == Curve.constant(3)
    assert parsed.curves["tone"].at(0.7) == 9.0
    assert parsed.tempo == 5.0
    assert parsed.given == {"intensity", "tempo", "rhythm", "tone", "variance"}


def test_keyframes_become_curves_over_the_piece() -> None:
    curve = parse_params({"intensity": [[0, 5], [33, 1], [100, 9]]}).curves["intensity"]
    assert curve.points == ((0.0, 5.0), (0.33, 1.0), (1.0, 9.0))
    assert curve.at(0.0) == 5.0 and curve.at(1.0) == 9.0
    assert curve.at(0.665) == pytest.approx(5.0)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"speed": 5}, "unknown parameter 'speed'"),
        ({"intensity": 0}, r"params\.intensity must be 1-9"),
        ({"tone": 10}, r"params\.tone must be 1-9"),
        ({"rhythm": "5"}, r"params\.rhythm must be a number"),
        ({"variance": True}, r"params\.variance must be a number"),
        ({"tempo": [[0, 1], [100, 9]]}, "tempo is static"),
        ({"tempo": 12}, r"params\.tempo must be 1-9"),
        ({"intensity": [[0, 5]]}, r"params\.intensity: keyframes need at least two"),
        ({"intensity": [[10, 5], [100, 9]]}, r"params\.intensity: keyframes must start at position 0"),
        ({"tone": [[0, 5], [90, 9]]}, r"params\.tone: keyframes must end at position 100"),
        (
            {"rhythm": [[0, 5], [50, 3], [50, 4], [100, 9]]},
            r"params\.rhythm: keyframe positions must increase",
        ),
        ({"variance": [[0, 5], [100, 11]]}, r"params\.variance keyframe 1 value must be 1-9"),
        ({"intensity": [[0, 5], [100]]}, r"params\.intensity: keyframe 1 must be a \[position, value\] pair"),
        ({"intensity": [[0, 5], [float("nan"), 5]]}, "must be a number"),
    ],
)
def test_invalid_params_name_the_parameter(params: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_params(params)


def test_tempo_maps_onto_the_style_range() -> None:
    assert tempo_in_range(1, 120, 128) == 120
    assert tempo_in_range(5, 120, 128) == 124
    assert tempo_in_range(9, 120, 128) == 128
