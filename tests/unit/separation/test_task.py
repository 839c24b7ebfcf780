"""The ``extract`` task: its parameters, its checks against the inputs, and its results."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from pydantic import ValidationError

from mixdown.errors import InputError, ValidationFailed
from mixdown.tasks import extract
from mixdown.tasks.base import TaskInputs
from mixdown.tasks.registry import load_builtin_registry
from mixdown.tasks.testing import MemoryTaskContext, inputs_from_file

SR = 22050


@pytest.fixture
def song(tmp_path: Path) -> Path:
    """4 s: noise bursts on every beat over a two-note bass line, 16-bit stereo WAV."""
    t = np.arange(4 * SR) / SR
    bass = 0.3 * np.sin(2 * np.pi * np.where(t % 2 < 1, 55.0, 73.4) * t)
    drums = np.zeros_like(t)
    burst = np.random.default_rng(1).normal(0, 0.4, 1500) * np.exp(-np.arange(1500) / 250)
    for start in range(0, len(t) - 1500, SR // 2):
        drums[start : start + 1500] += burst
    path = tmp_path / "song.wav"
    sf.write(path, np.stack([bass + drums] * 2, 1), SR, subtype="PCM_16")
    return path


def _params(**fields: Any) -> extract.ExtractParams:
    params = extract.TASK.parse_params(fields)
    assert isinstance(params, extract.ExtractParams)
    return params


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"stems": ["kazoo"]}, "stems"),
        ({"stems": []}, "stems"),
        ({"engine": "spleeter"}, "engine"),
        ({"preprocessing_options": ["Denoise", "polish"]}, "preprocessing_options"),
        ({"output_format": "wma"}, "output_format"),
    ],
)
def test_bad_fields_fail_validation_naming_them(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as err:
        _params(**fields)
    assert err.value.errors()[0]["loc"][0] == field


def test_engine_and_hash_must_agree() -> None:
    with pytest.raises(ValidationFailed, match="give from_hash") as exact:
        extract.TASK.check_params(_params(engine="exact"), TaskInputs())
    with pytest.raises(ValidationFailed, match="use engine 'exact'") as other:
        extract.TASK.check_params(_params(engine="embedded", from_hash="abc"), TaskInputs())
    assert exact.value.field == other.value.field == "engine"
    assert _params(preprocessing_options=["Dereverb", "denoise"]).preprocessing_options == [
        "denoise",
        "dereverb",
    ]
    assert _params(stems=["Vocal", "hi-hat"]).stems == ["vocals", "hi_hat"]


def test_checks_against_the_inputs(song: Path) -> None:
    inputs = inputs_from_file(song)
    with pytest.raises(InputError) as missing:
        extract.TASK.check_params(_params(), TaskInputs())
    assert missing.value.field == "audio_url"
    with pytest.raises(ValidationFailed) as both:
        extract.TASK.check_params(_params(from_hash="abc"), inputs)
    assert both.value.field == "from_hash"
    with pytest.raises(ValidationFailed) as unservable:
        extract.TASK.check_params(_params(stems=["piano"], engine="embedded"), inputs)
    assert unservable.value.field == "stems"
    with pytest.raises(ValidationFailed) as cleaned:
        extract.TASK.check_params(_params(from_hash="abc", preprocessing_options=["denoise"]), TaskInputs())
    assert cleaned.value.field == "preprocessing_options"


def test_run_stores_one_result_per_stem(song: Path, tmp_path: Path) -> None:
    ctx = MemoryTaskContext(work_dir=tmp_path / "work")
    ctx.work_dir.mkdir()
    params = _params(stems=["drums", "bass", "other"], engine="embedded", output_format="flac")
    extract.TASK.run(inputs_from_file(song), params, ctx)
    assert [r["stem"] for r in ctx.results] == ["drums", "bass", "other"]
    audio = {r["stem"]: sf.read(io.BytesIO(r["data"]), dtype="float32")[0] for r in ctx.results}
    assert all(r["kind"] == "stem" and r["format"] == "flac" and r["sample_rate"] == SR for r in ctx.results)
    assert all(a.shape == (4 * SR, 2) for a in audio.values())
    mix = sf.read(song, dtype="float32")[0]
    assert np.abs(sum(audio.values()) - mix).max() < 2e-3
    assert np.std(audio["bass"]) > 3 * np.std(audio["other"])
    assert ctx.metadata["engine"] == "embedded" and set(ctx.metadata["stems"]) == {"drums", "bass", "other"}
    assert ctx.fractions[-1] == 1.0 and ctx.fractions == sorted(ctx.fractions)


def test_preprocessing_runs_first_and_is_reported(song: Path, tmp_path: Path) -> None:
    ctx = MemoryTaskContext(work_dir=tmp_path)
    extract.TASK.run(inputs_from_file(song), _params(stems=["drums"], preprocessing_options=["deecho"]), ctx)
    assert ctx.metadata["preprocessing"] == ["deecho"] and len(ctx.results) == 1


def test_registered_with_its_cost_and_cache_rule() -> None:
    spec = load_builtin_registry().get("extract")
    assert spec.cacheable is not None
    assert spec.cacheable(_params()) and not spec.cacheable(_params(from_hash="abc"))
    assert spec.credits(_params(), TaskInputs()) == pytest.approx(0.2)
