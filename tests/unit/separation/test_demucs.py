"""The Demucs engine on a tiny random HTDemucs saved as real weights are: the real load and
``apply_model`` path runs; the output is noise-like, so the checks are about shapes, sums, sources
and availability, not quality."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mixdown.engines.separation import demucs_engine, plan, separate
from mixdown.errors import ValidationFailed
from tests.unit.separation.conftest import save_tiny_demucs


def test_missing_weights_make_demucs_unavailable_with_the_reason(tmp_path: Path) -> None:
    state = demucs_engine.availability(tmp_path)
    assert not state.available and "no Demucs weights" in (state.reason or "")
    (tmp_path / "demucs").mkdir()
    (tmp_path / "demucs" / "htdemucs.yaml").write_text("models: ['955717e8']\n")
    state = demucs_engine.availability(tmp_path)
    assert not state.available and "weights missing for 955717e8" in (state.reason or "")
    with pytest.raises(ValidationFailed) as err:
        plan(["vocals"], "demucs", models_dir=tmp_path)
    assert err.value.field == "engine" and "955717e8" in err.value.message
    assert plan(["vocals"], "auto", models_dir=tmp_path).engine == "embedded"


def test_tiny_model_loads_and_separates(tiny_demucs: Path) -> None:
    rate = 22050
    mix = np.random.default_rng(0).normal(0, 0.1, (3 * rate, 2)).astype(np.float32)
    wanted = ["vocals", "drums", "bass", "instrumental", "other"]
    found = separate(mix, rate, wanted, engine="demucs", models_dir=tiny_demucs)
    assert found.engine == "demucs" and found.model == "htdemucs"
    assert {k: v.shape for k, v in found.stems.items()} == dict.fromkeys(wanted, (3 * rate, 2))
    parts = found.stems["drums"] + found.stems["bass"] + found.stems["other"]
    assert np.allclose(parts, found.stems["instrumental"], atol=1e-5)
    assert found.method["other"] == "demucs htdemucs: its other source"
    assert found.method["instrumental"] == "demucs htdemucs: sum of its bass, drums, other sources"
    assert not np.allclose(found.stems["vocals"], 0.0)


def test_auto_prefers_demucs_when_installed_and_able(tiny_demucs: Path) -> None:
    assert plan(["vocals", "instrumental"], models_dir=tiny_demucs).engine == "demucs"
    # a 4-source model has no piano: auto falls back, demucs refuses
    with pytest.raises(ValidationFailed) as err:
        plan(["guitar"], "demucs", models_dir=tiny_demucs)
    assert err.value.field == "stems" and "no such source" in err.value.message


def test_a_six_source_model_serves_guitar_and_piano(tmp_path: Path) -> None:
    save_tiny_demucs(
        tmp_path, name="htdemucs_6s", sources=("drums", "bass", "other", "vocals", "guitar", "piano")
    )
    chosen = plan(["guitar", "piano", "other"], "demucs", models_dir=tmp_path)
    assert chosen.model == "htdemucs_6s" and chosen.sources["other"] == {"drums", "bass", "other", "vocals"}
    found = separate(np.zeros((8000, 1), np.float32), 16000, ["piano"], engine="demucs", models_dir=tmp_path)
    assert found.stems["piano"].shape == (8000, 1)
