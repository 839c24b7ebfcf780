"""The ``sfx`` task end to end with the in-memory context: parameters, results, formats, metadata, cost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from mixdown.audio.codec import decode
from mixdown.audio.pcm import to_float32
from mixdown.errors import JobCancelled
from mixdown.jobs.cost import CostBasis
from mixdown.jobs.states import TaskCategory
from mixdown.tasks.base import TaskInputs
from mixdown.tasks.sfx import MAX_SEED, TASK, SfxParams
from mixdown.tasks.testing import MemoryTaskContext

NO_INPUTS = TaskInputs()


def run(tmp_path: Path, **raw: Any) -> MemoryTaskContext:
    params = TASK.parse_params(raw)
    TASK.check_params(params, NO_INPUTS)
    work = tmp_path / "work"
    work.mkdir(parents=True, exist_ok=True)
    ctx = MemoryTaskContext(work_dir=work)
    TASK.run(NO_INPUTS, params, ctx)
    return ctx


def decoded(tmp_path: Path, result: dict[str, Any]) -> np.ndarray:
    path = tmp_path / f"{result['id']}.{result['format']}"
    path.write_bytes(result["data"])
    audio = decode(path)
    return np.asarray(to_float32(audio.samples))


def test_the_task_is_registered_as_a_generation_without_audio_input() -> None:
    assert (TASK.name, TASK.engine, TASK.queue) == ("sfx", "procedural-sfx", "audio")
    assert TASK.category is TaskCategory.GENERATION
    assert TASK.takes_audio is False
    assert TASK.cost_rule.basis is CostBasis.OUTPUT


def test_defaults() -> None:
    params = TASK.parse_params({"prompt": "rain"})
    assert isinstance(params, SfxParams)
    assert (
        params.duration,
        params.num_variations,
        params.seed,
        params.sample_rate,
        params.output_format,
    ) == (
        5.0,
        1,
        None,
        44100,
        "wav",
    )


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"prompt": "x" * 301}, "prompt"),
        ({"prompt": ""}, "prompt"),
        ({"prompt": "   "}, "prompt"),
        ({"prompt": "rain", "duration": 30.5}, "duration"),
        ({"prompt": "rain", "duration": 0.05}, "duration"),
        ({"prompt": "rain", "num_variations": 9}, "num_variations"),
        ({"prompt": "rain", "num_variations": 0}, "num_variations"),
        ({"prompt": "rain", "seed": -1}, "seed"),
        ({"prompt": "rain", "sample_rate": 16000}, "sample_rate"),
        ({"prompt": "rain", "output_format": "opus"}, "output_format"),
        ({"prompt": "rain", "loudness": 3}, "loudness"),
        ({"duration": 3}, "prompt"),
    ],
)
def test_invalid_parameters_name_their_field(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TASK.parse_params(raw)
    assert caught.value.errors()[0]["loc"] == (field,)


def test_a_prompt_of_exactly_300_characters_is_accepted() -> None:
    params = SfxParams.model_validate({"prompt": "rain " * 60})
    assert len(params.prompt) <= 300


def test_format_aliases_are_accepted() -> None:
    assert SfxParams.model_validate({"prompt": "rain", "output_format": "Vorbis"}).output_format == "ogg"


def test_each_variation_is_one_result_with_its_own_seed(tmp_path: Path) -> None:
    # Given three variations of a prompt with a seed
    ctx = run(tmp_path, prompt="distant thunder", duration=1.5, num_variations=3, seed=7, sample_rate=22050)
    # Then there are three WAV results, seeds 7, 8, 9, each exactly 1.5 s of stereo
    assert [r["seed"] for r in ctx.results] == [7, 8, 9]
    for result in ctx.results:
        assert (result["kind"], result["format"], result["sample_rate"], result["channels"]) == (
            "audio",
            "wav",
            22050,
            2,
        )
        assert result["recipe"] == "thunder"
        assert result["traits"]["distance"] > 0.8
        assert result["duration"] == pytest.approx(1.5)
        assert decoded(tmp_path, result).shape == (33075, 2)
    # And the takes differ
    first, second = (decoded(tmp_path, r).mean(axis=1) for r in ctx.results[:2])
    assert abs(np.corrcoef(first, second)[0, 1]) < 0.9


def test_metadata_names_engine_recipe_prompt_and_seeds(tmp_path: Path) -> None:
    ctx = run(tmp_path, prompt="  coin pickup ", duration=0.5, num_variations=2, seed=100, sample_rate=22050)
    meta = ctx.metadata
    assert (meta["engine"], meta["recipe"], meta["prompt"]) == ("procedural-sfx", "coin", "coin pickup")
    assert (meta["seed"], meta["seeds"], meta["recipes"]) == (100, [100, 101], ["coin", "coin"])
    assert meta["match_method"] == "keyword"
    assert meta["inference_time"] >= 0


def test_progress_is_reported_per_variation_and_ends_at_one(tmp_path: Path) -> None:
    ctx = run(tmp_path, prompt="click", duration=0.2, num_variations=4, seed=1, sample_rate=22050)
    assert ctx.fractions == sorted(ctx.fractions)
    assert ctx.progress_calls[-1] == (1.0, "done")
    assert sum("rendering variation" in (message or "") for _, message in ctx.progress_calls) == 4


def test_without_a_seed_one_is_drawn_and_reported(tmp_path: Path) -> None:
    ctx = run(tmp_path, prompt="laser", duration=0.3, num_variations=2, sample_rate=22050)
    seed = ctx.metadata["seed"]
    assert isinstance(seed, int) and 0 <= seed <= MAX_SEED
    assert [r["seed"] for r in ctx.results] == [seed, seed + 1]


def test_the_same_seed_renders_the_same_file(tmp_path: Path) -> None:
    one = run(
        tmp_path / "a", prompt="footsteps", duration=1.0, seed=5, sample_rate=22050, output_format="flac"
    )
    two = run(
        tmp_path / "b", prompt="footsteps", duration=1.0, seed=5, sample_rate=22050, output_format="flac"
    )
    assert one.results[0]["data"] == two.results[0]["data"]


@pytest.mark.parametrize(("fmt", "rate"), [("mp3", 44100), ("flac", 48000), ("ogg", 32000), ("wav", 48000)])
def test_every_output_format_decodes_to_the_asked_length(tmp_path: Path, fmt: str, rate: int) -> None:
    ctx = run(tmp_path, prompt="ui click", duration=1.0, seed=3, sample_rate=rate, output_format=fmt)
    [result] = ctx.results
    assert result["format"] == fmt
    assert result["data"]
    audio = decoded(tmp_path, result)
    assert audio.shape == (rate, 2)
    assert 0.05 < np.abs(audio).max() <= 1.0


@pytest.mark.parametrize(
    ("duration", "variations", "credits"), [(5.0, 1, 0.25), (1.0, 1, 0.25), (10.0, 3, 1.5), (30.0, 8, 12.0)]
)
def test_cost_is_per_second_of_output_with_a_minimum(
    duration: float, variations: int, credits: float
) -> None:
    params = TASK.parse_params({"prompt": "rain", "duration": duration, "num_variations": variations})
    assert TASK.credits(params, NO_INPUTS) == pytest.approx(credits)
    assert TASK.estimate_seconds(params, NO_INPUTS) > 0


def test_a_cancelled_job_stops_before_rendering(tmp_path: Path) -> None:
    ctx = MemoryTaskContext(work_dir=tmp_path)
    ctx.cancel()
    with pytest.raises(JobCancelled):
        TASK.run(NO_INPUTS, TASK.parse_params({"prompt": "rain"}), ctx)
    assert ctx.results == []
