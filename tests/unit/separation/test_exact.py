"""Exact stems of the server's own generations, by hash: rendered again, not estimated."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from mixdown.engines.music.rebuild import Builder
from mixdown.engines.separation.exact import exact_stems, select
from mixdown.engines.separation.metrics import sdr
from mixdown.errors import NotFound, ValidationFailed
from mixdown.tasks import extract, generate
from mixdown.tasks.base import TaskInputs
from mixdown.tasks.testing import MemoryTaskContext


@dataclass
class Generated:
    ctx: MemoryTaskContext
    digest: str
    stems: dict[str, np.ndarray]  # as delivered (16-bit WAV)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    """A 10 s song with a vocal line, generated with its stems (no prompt: no embedding model)."""
    ctx = MemoryTaskContext(work_dir=tmp_path_factory.mktemp("generate"))
    fields = {
        "params": {"intensity": 6},
        "sample_rate": 22050,
        "duration": 10,
        "seed": 4,
        "instrumental": False,
    }
    generate.TASK.run(TaskInputs(), generate.TASK.parse_params(fields), ctx)
    stems = {
        r["stem"]: sf.read(io.BytesIO(r["data"]), dtype="int16")[0]
        for r in ctx.results
        if r["kind"] == "stem"
    }
    return Generated(ctx, ctx.metadata["hashes"][0], stems)


def _extract(generated: Generated, tmp_path: Path, **fields: object) -> MemoryTaskContext:
    ctx = MemoryTaskContext(work_dir=tmp_path, records=generated.ctx.records)
    params = extract.TASK.parse_params({"from_hash": generated.digest, **fields})
    extract.TASK.check_params(params, TaskInputs())
    extract.TASK.run(TaskInputs(), params, ctx)
    return ctx


def test_group_stems_equal_the_delivered_ones(generated: Generated, tmp_path: Path) -> None:
    ctx = _extract(generated, tmp_path, stems=["drums", "bass", "vocals", "lead_vocal", "back_vocal"])
    out = {r["stem"]: sf.read(io.BytesIO(r["data"]), dtype="int16")[0] for r in ctx.results}
    for name in ("drums", "bass", "vocals"):
        assert np.array_equal(out[name], generated.stems[name]), name
    assert np.array_equal(out["lead_vocal"], generated.stems["vocals"])  # a vocal line, not a texture
    assert not out["back_vocal"].any()
    assert ctx.metadata["engine"] == "exact" and ctx.metadata["hash"] == generated.digest
    assert all(r["kind"] == "stem" and r["method"].startswith("exact:") for r in ctx.results)
    assert "silent" in ctx.metadata["stems"]["back_vocal"]


def test_part_selections_add_up_to_the_piece(generated: Generated, tmp_path: Path) -> None:
    # Given the piece rebuilt from its record (float stems, pre-master)
    record = generated.ctx.recall("music", generated.digest)
    assert record is not None
    piece = Builder(generated.ctx, tmp_path / "base").rebuild(record)
    premaster = sum(sf.read(p, dtype="float32")[0] for p in piece.stems.values())
    # When finer names split the piece into parts and drum notes
    names = ["keys", "guitar", "strings", "winds", "kick_drum", "snare_drum", "hi_hat", "other"]
    files = exact_stems(generated.ctx, generated.digest, names, tmp_path / "out")
    parts = {name: sf.read(path, dtype="float32")[0] for name, path in files.paths.items()}
    # Then they add up to the pre-master mix (the kit compressor hears split drums alone)
    assert sdr(premaster, sum(parts.values())) > 25.0
    assert all(p.shape == premaster.shape for p in parts.values())
    kick = select(["kick_drum"], piece.score, vocal_line=True)["kick_drum"]
    assert kick.atoms and kick.groups is None
    assert "kick drum notes" in files.method["kick_drum"]


def test_unservable_names_and_unknown_hashes(generated: Generated, tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as err:
        _extract(generated, tmp_path, stems=["male_vocal"])
    assert err.value.field == "stems" and "gender" in err.value.message
    ctx = MemoryTaskContext(work_dir=tmp_path, records=generated.ctx.records)
    params = extract.TASK.parse_params({"from_hash": "0" * 32, "stems": ["drums"]})
    with pytest.raises(NotFound) as missing:
        extract.TASK.run(TaskInputs(), params, ctx)
    assert missing.value.field == "from_hash"
