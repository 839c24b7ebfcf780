"""GenerateParams: the request shape of POST /v1/generate and its validation rules."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from mixdown.tasks.base import TaskInputs
from mixdown.tasks.generate import TASK, GenerateParams


def parse(**raw: Any) -> GenerateParams:
    return GenerateParams.model_validate(raw)


def test_defaults_follow_the_common_pattern() -> None:
    params = parse(prompt="Melodic techno, 126 BPM")
    assert (params.duration, params.sample_rate, params.num_variations) == (30.0, 44100, 1)
    assert params.model == "mixdown-composer" and params.output_format == "wav" and params.stems


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"prompt": "x", "duration": 0}, "duration"),
        ({"prompt": "x", "duration": 1201}, "duration"),
        ({"prompt": "x", "sample_rate": 16000}, "sample_rate"),
        ({"prompt": "x", "num_variations": 9}, "num_variations"),
        ({"prompt": "x", "temperature": 0}, "temperature"),
        ({"prompt": "x", "top_p": 1.5}, "top_p"),
        ({"prompt": "x", "model": "suno-v9"}, "model"),
        ({"prompt": "x", "params": {"loudness": 3}}, "params"),
        ({"prompt": "x", "params": {"intensity": 10}}, "params"),
        ({"prompt": "x", "params": {"tempo": [[0, 1], [100, 9]]}}, "params"),
        ({"prompt": "x", "params": {"intensity": [[10, 1], [100, 9]]}}, "params"),
        ({"prompt": "x", "params": {"intensity": [[0, 1], [50, 12], [100, 9]]}}, "params"),
        ({"prompt": "x", "params": {"intensity": [[0, 1], [60, 3], [40, 4], [100, 9]]}}, "params"),
        ({"prompt": "x", "surprise": True}, "surprise"),
    ],
)
def test_invalid_values_name_their_field(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse(**raw)
    assert caught.value.errors()[0]["loc"][0] == field


def test_something_to_generate_is_required() -> None:
    with pytest.raises(ValidationError, match="give a prompt"):
        parse()
    assert parse(tags=[1]).tags == [1]
    assert parse(params={"intensity": [[0, 1], [100, 9]], "tempo": 5}).params is not None


def test_model_aliases() -> None:
    assert parse(prompt="x", model="default").model == "mixdown-composer"
    assert parse(prompt="x", model="MusicGen").model == "musicgen"


def test_cost_counts_every_variation() -> None:
    params = parse(prompt="x", duration=60, num_variations=4)
    assert TASK.credits(params, TaskInputs()) == pytest.approx(0.05 * 240)
    assert TASK.credits(parse(prompt="x", duration=2), TaskInputs()) == 0.5
