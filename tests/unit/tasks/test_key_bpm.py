"""The key-bpm task: parameter validation, the JSON result, metadata, cost and registration."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import soundfile as sf
from pydantic import ValidationError

from mixdown.jobs.cost import CostBasis
from mixdown.tasks.key_bpm import TASK, KeyBpmParams
from mixdown.tasks.registry import load_builtin_registry
from mixdown.tasks.testing import MemoryTaskContext, inputs_from_file
from tests.keybpm_audio import RATE, render_groove

SUMMARY_KEYS = {
    "bpm", "bpm_confidence", "bpm_candidates", "key", "scale", "key_name", "key_confidence", "camelot",
    "time_signature", "loudness_lufs", "beat_count", "downbeat_count", "duration", "warnings",
}  # fmt: skip


@lru_cache(maxsize=1)
def groove_file(folder: str) -> Path:
    """A 12 s, 110 bpm groove in B minor as a FLAC file."""
    path = Path(folder) / "groove.flac"
    sf.write(path, render_groove(110.0, tonic=11, scale="minor"), RATE, subtype="PCM_16")
    return path


@pytest.fixture(scope="module")
def groove(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return groove_file(str(tmp_path_factory.mktemp("keybpm")))


def run(tmp_path: Path, audio: Path, **raw: Any) -> MemoryTaskContext:
    inputs = inputs_from_file(audio)
    params = TASK.parse_params(raw)
    TASK.check_params(params, inputs)
    ctx = MemoryTaskContext(work_dir=tmp_path)
    TASK.run(inputs, params, ctx)
    return ctx


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ([90, 80], "min < max"),
        ([10, 100], "30 <= min"),
        ([60, 400], "max <= 300"),
        ([70], r"\[min, max\]"),
        ("fast", r"\[min, max\]"),
        ([70, "x"], "must be numbers"),
        ([70, True], "must be numbers"),
        ([70, float("inf")], "finite"),
        ({"min": 70}, r"\[min, max\]"),
    ],
)
def test_bad_bpm_range_names_the_field(raw: object, rule: str) -> None:
    with pytest.raises(ValidationError, match=rule) as caught:
        TASK.parse_params({"bpm_range": raw})
    assert [error["loc"] for error in caught.value.errors()] == [("bpm_range",)]


@pytest.mark.parametrize(
    "raw", [[70, 140], "70-140", " 70 - 140 ", "70,140", {"min": 70, "max": 140}, ["70", "140"]]
)
def test_bpm_range_spellings(raw: object) -> None:
    params = TASK.parse_params({"bpm_range": raw})
    assert isinstance(params, KeyBpmParams) and params.bpm_range == (70.0, 140.0)


def test_unknown_parameters_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        TASK.parse_params({"tempo": 120})
    assert caught.value.errors()[0]["loc"] == ("tempo",)


def test_run_writes_the_analysis_and_the_metadata(tmp_path: Path, groove: Path) -> None:
    ctx = run(tmp_path, groove)
    [result] = ctx.results
    assert (result["kind"], result["format"], result["path"].name) == ("analysis", "json", "key_bpm.json")
    body = json.loads(result["data"])
    meta = ctx.metadata
    assert set(meta) >= SUMMARY_KEYS | {"engine", "key_profile", "inference_time"}
    assert meta["bpm"] == pytest.approx(110.0, rel=0.01)
    assert (meta["key"], meta["scale"], meta["key_name"], meta["camelot"]) == ("B", "minor", "B minor", "10A")
    assert meta["time_signature"] == "4/4" and meta["engine"] == "essentia"
    assert {key: body[key] for key in SUMMARY_KEYS} == {key: meta[key] for key in SUMMARY_KEYS}
    assert len(body["beats"]) == meta["beat_count"] == result["beats"]
    assert len(body["downbeats"]) == meta["downbeat_count"] == result["downbeats"]
    assert body["beats"] == sorted(body["beats"]) and set(body["downbeats"]) <= set(body["beats"])
    assert -30.0 < meta["loudness_lufs"] < -5.0
    assert ctx.fractions == sorted(ctx.fractions) and ctx.progress_calls[-1] == (1.0, "done")


def test_bpm_range_reaches_the_analysis(tmp_path: Path, groove: Path) -> None:
    meta = run(tmp_path, groove, bpm_range="200-240").metadata
    assert meta["bpm"] == pytest.approx(220.0, rel=0.01)
    assert any("bpm_range" in w for w in meta["warnings"])


def test_cancelled_job_stops(tmp_path: Path, groove: Path) -> None:
    from mixdown.errors import JobCancelled

    inputs = inputs_from_file(groove)
    ctx = MemoryTaskContext(work_dir=tmp_path)
    ctx.cancel()
    with pytest.raises(JobCancelled):
        TASK.run(inputs, TASK.parse_params({}), ctx)
    assert ctx.results == []


def test_cost_is_per_input_second_and_estimate_grows(groove: Path) -> None:
    inputs = inputs_from_file(groove)
    params = TASK.parse_params({})
    assert TASK.cost_rule.basis is CostBasis.INPUT
    assert TASK.credits(params, inputs) == pytest.approx(max(TASK.cost_rule.minimum, 12.0 * 0.002), rel=0.01)
    assert 0.5 < TASK.estimate_seconds(params, inputs) < 2.0


def test_registered_under_its_route_name() -> None:
    registry = load_builtin_registry()
    assert "key-bpm" in registry.names()
    spec = registry.get("key-bpm")
    assert spec.availability().available and spec.takes_audio and spec.warm_up is not None
    assert "bpm_range" in spec.params_model.model_json_schema()["properties"]
