"""Extend, inpaint and remix by hash through the generate task: what stays sample-identical."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from mixdown.engines.music.compose import build_context
from mixdown.engines.music.compose.derive import remixed
from mixdown.errors import NotFound, ValidationFailed
from mixdown.tasks.base import TaskInputs
from mixdown.tasks.generate import TASK, GenerateParams
from mixdown.tasks.testing import MemoryTaskContext
from tests.unit.music_building.pieces import RATE, make_spec

# Params only, no prompt: no sentence-embedding model to load (the style comes from the seed).
ORIGINAL = {"params": {"intensity": 6, "tempo": 5}, "duration": 24, "sample_rate": RATE, "seed": 11}


@dataclass
class Job:
    ctx: MemoryTaskContext

    def result(self, kind: str = "audio") -> dict[str, Any]:
        return next(r for r in self.ctx.results if r["kind"] == kind)

    def audio(self, kind: str = "audio") -> np.ndarray:
        data, _ = sf.read(io.BytesIO(self.result(kind)["data"]), dtype="int16")
        return np.asarray(data)


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], dict[str, Any]]:
    return {}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, records: dict[tuple[str, str], dict[str, Any]]) -> Any:
    def run(**raw: Any) -> Job:
        ctx = MemoryTaskContext(work_dir=Path(tmp_path_factory.mktemp("job")), records=records)
        params = GenerateParams.model_validate(raw)
        TASK.check_params(params, TaskInputs())
        TASK.run(TaskInputs(), params, ctx)
        return Job(ctx)

    return run


@pytest.fixture(scope="module")
def original(run: Any) -> Job:
    return run(**ORIGINAL)


def _differ(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.flatnonzero(np.any(a != b, axis=1))


def test_inpaint_keeps_everything_outside_the_replaced_sections(original: Job, run: Any) -> None:
    # Given a generation and a span inside its second section
    sections = original.ctx.metadata["sections"]
    assert len(sections) >= 3
    middle = sections[1]
    before = original.audio()
    # When that span is inpainted
    job = run(
        from_hash=original.result()["hash"],
        operation="inpaint",
        replace_start=middle["start"] + 1.0,
        replace_end=middle["start"] + 2.0,
        seed=5,
        sample_rate=RATE,
    )
    after, kept = job.audio(), job.result()["kept"]
    # Then the output is as long, identical up to the section start and after the crossfade back
    assert after.shape == before.shape
    assert kept["changed_from"] == pytest.approx(middle["start"], abs=1e-3)
    assert kept["identical_until"] >= middle["start"] - 0.01
    a, b = round(kept["identical_until"] * RATE), round(kept["identical_from"] * RATE)
    assert np.array_equal(after[:a], before[:a]) and np.array_equal(after[b:], before[b:])
    # And the replaced section really changed
    changed = _differ(after, before)
    assert changed[0] >= a and changed[-1] < b and changed.size > 0.5 * (b - a)
    assert {r["kind"] for r in job.ctx.results} == {"audio", "stem", "midi"}
    # And the same request again gives the same bytes; its hash rebuilds it too
    again = run(
        from_hash=original.result()["hash"],
        operation="inpaint",
        replace_start=middle["start"] + 1.0,
        replace_end=middle["start"] + 2.0,
        seed=5,
        sample_rate=RATE,
    )
    assert again.result()["data"] == job.result()["data"]
    rebuilt = run(from_hash=job.result()["hash"], sample_rate=RATE)
    assert rebuilt.result()["data"] == job.result()["data"]


def test_extend_keeps_the_original_up_to_its_ending(original: Job, run: Any) -> None:
    before = original.audio()
    job = run(from_hash=original.result()["hash"], operation="extend", extend_seconds=8, sample_rate=RATE)
    after, kept = job.audio(), job.result()["kept"]
    assert after.shape[0] == before.shape[0] + 8 * RATE
    assert kept["identical_until"] >= kept["changed_from"] - 0.01
    a = round(kept["identical_until"] * RATE)
    assert np.array_equal(after[:a], before[:a])
    assert not np.array_equal(after[a : before.shape[0]], before[a:])
    stems = [r for r in job.ctx.results if r["kind"] == "stem"]
    assert stems and all(r["duration"] == pytest.approx(32.0) for r in stems)
    assert job.ctx.metadata["sections"][-1]["end"] > original.ctx.metadata["sections"][-1]["end"]
    # An inpaint of the extension keeps the extension outside its span
    inpaint = run(
        from_hash=job.result()["hash"],
        operation="inpaint",
        replace_start=1.0,
        replace_end=2.0,
        seed=9,
        sample_rate=RATE,
    )
    b = round(inpaint.result()["kept"]["identical_from"] * RATE)
    assert np.array_equal(inpaint.audio()[b:], after[b:])


def test_remix_keeps_form_harmony_and_melody() -> None:
    base_spec = make_spec("pop", bpm=110.0, duration=30.0)
    base = build_context(base_spec, 4)
    new = remixed(base, make_spec("techno", bpm=128.0, tonic=2, mode="major", duration=12.0), material_seed=4)
    original = build_context(base_spec, 4)
    from mixdown.engines.music.compose import score_of

    before = score_of(original)
    assert (new.bpm, new.key_tonic, new.mode, new.duration) == (
        before.bpm,
        before.key_tonic,
        before.mode,
        before.duration,
    )
    assert [(s.name, s.start) for s in new.sections] == [(s.name, s.start) for s in before.sections]
    assert [(c.symbol, c.start) for c in new.chords] == [(c.symbol, c.start) for c in before.chords]
    step = before.beat_seconds / 4
    lead_before = {(round(n.start / step), n.pitch % 12) for n in before.part("lead").notes}
    lead_after = {(round(n.start / step), n.pitch % 12) for n in new.part("lead").notes}
    assert len(lead_before & lead_after) >= 0.9 * len(lead_before)
    programs = lambda s: {p.name: p.program for p in s.parts}  # noqa: E731
    assert programs(new) != programs(before)


def test_remix_through_the_task(original: Job, run: Any) -> None:
    job = run(
        from_hash=original.result()["hash"],
        operation="remix",
        params={"intensity": 3},
        seed=2,
        sample_rate=RATE,
    )
    assert job.audio().shape == original.audio().shape
    assert job.result()["operation"] == "remix" and job.result()["base_hash"] == original.result()["hash"]
    assert job.ctx.metadata["bpm"] == original.ctx.metadata["bpm"]


def test_errors_name_their_field(original: Job, run: Any) -> None:
    with pytest.raises(NotFound) as missing:
        run(from_hash="0" * 32, operation="extend", extend_seconds=5)
    assert missing.value.field == "from_hash"
    with pytest.raises(ValidationFailed) as late:
        run(from_hash=original.result()["hash"], operation="inpaint", replace_start=500, replace_end=501)
    assert late.value.field == "replace_start"
