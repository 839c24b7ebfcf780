"""POST /v1/extract through a live server: embedded stems of known parts, exact stems of a
generation by hash, Demucs on a tiny random model, and refusals naming their field."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from mixdown.engines.separation.metrics import sdr
from tests.harness import wait_for_job
from tests.integration.conftest import Stack, StackFactory
from tests.separation_audio import RATE, parts, wav_base64, wav_bytes
from tests.unit.separation.conftest import save_tiny_demucs

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


def _done(stack: Stack, response: Any, timeout: float = 120) -> dict[str, Any]:
    assert response.status_code == 202, response.text
    job: dict[str, Any] = wait_for_job(stack.client, response.json()["job_id"], timeout=timeout)
    assert job["status"] == "complete", job["error"]
    return job


def _audio(stack: Stack, result: dict[str, Any], dtype: str = "float32") -> np.ndarray:
    data, _ = sf.read(io.BytesIO(stack.client.get(result["url"]).content), dtype=dtype, always_2d=True)
    return np.asarray(data)


def test_embedded_stems_of_known_parts(stack: Stack) -> None:
    # Given a song of noise-burst drums over a sine bass, sent as base64
    known = parts()
    body = {"input_audio": wav_base64(known["drums"] + known["bass"]), "stems": ["drums", "bass"]}
    # When its drums and bass are extracted
    job = _done(stack, stack.client.post("/v1/extract", json={**body, "output_format": "flac"}))
    # Then there is one FLAC stem per name, each close to its part
    results = {r["stem"]: r for r in job["results"]}
    assert set(results) == {"drums", "bass"} and all(r["kind"] == "stem" for r in job["results"])
    assert all(r["format"] == "flac" and r["duration"] == pytest.approx(4.0) for r in job["results"])
    assert sdr(known["drums"], _audio(stack, results["drums"])) > 6.0
    assert sdr(known["bass"], _audio(stack, results["bass"])) > 10.0
    assert job["metadata"]["engine"] == "embedded" and set(job["metadata"]["stems"]) == {"drums", "bass"}


def test_exact_stems_of_a_generation_by_hash(stack: Stack) -> None:
    # Given a generation of this key (no prompt: no embedding model to load)
    fields = {"params": {"intensity": 6}, "sample_rate": 22050, "duration": 8, "seed": 2}
    song = _done(stack, stack.client.post("/v1/generate", json=fields))
    delivered = {r["stem"]: r for r in song["results"] if r["kind"] == "stem"}
    # When its drums and kick are extracted by hash
    body = {"from_hash": song["metadata"]["hashes"][0], "stems": ["drums", "kick_drum", "guitar"]}
    job = _done(stack, stack.client.post("/v1/extract", json=body))
    stems = {r["stem"]: r for r in job["results"]}
    # Then the drums are the delivered drums stem, sample for sample, and the kick is part of them
    drums = _audio(stack, stems["drums"], "int16")
    assert np.array_equal(drums, _audio(stack, delivered["drums"], "int16"))
    kick = _audio(stack, stems["kick_drum"])
    assert np.abs(kick).max() > 0 and sdr(kick, drums / 32767.0) < 10.0
    assert "exact" in stems["guitar"]["method"] and job["metadata"]["engine"] == "exact"


def test_demucs_engine_needs_its_weights(
    make_stack: StackFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    known = parts(2.0)
    body = {
        "input_audio": wav_base64(known["drums"]),
        "stems": ["vocals", "instrumental"],
        "engine": "demucs",
    }
    empty = tmp_path / "empty"
    monkeypatch.setenv("MIXDOWN_MODELS_DIR", str(empty))
    refused = make_stack(models_dir=empty).client.post("/v1/extract", json=body)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "engine"
    assert "no Demucs weights" in refused.json()["error"]["message"]
    # With a tiny random HTDemucs in the models folder the real load + apply path runs
    models = tmp_path / "models"
    save_tiny_demucs(models)
    monkeypatch.setenv("MIXDOWN_MODELS_DIR", str(models))
    stack = make_stack(models_dir=models)
    job = _done(stack, stack.client.post("/v1/extract", json=body))
    models = {
        m["name"]: m for m in stack.client.get("/v1/models", params={"kind": "separation"}).json()["models"]
    }
    assert models["demucs"]["available"] and models["demucs"]["models"] == ["htdemucs"]
    assert models["separation-embedded"]["default"] and "kick_drum" in models["separation-exact"]["stems"]
    assert job["metadata"]["engine"] == "demucs" and job["metadata"]["model"] == "htdemucs"
    assert [r["stem"] for r in job["results"]] == ["vocals", "instrumental"]
    assert _audio(stack, job["results"][0]).shape == (2 * RATE, 2)


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"stems": ["kazoo"]}, 422, "stems"),
        ({"stems": ["piano"], "engine": "embedded"}, 422, "stems"),
        ({"preprocessing_options": ["polish"]}, 422, "preprocessing_options"),
        ({"engine": "exact"}, 422, "engine"),
        ({"from_hash": "abc"}, 422, "from_hash"),
    ],
)
def test_refusals_name_the_field(stack: Stack, fields: dict[str, Any], status: int, field: str) -> None:
    response = stack.client.post(
        "/v1/extract", json={"input_audio": wav_base64(parts(1.0)["bass"]), **fields}
    )
    assert response.status_code == status, response.text
    assert response.json()["error"]["field"] == field


def test_multipart_upload_and_the_route_is_documented(stack: Stack) -> None:
    known = parts(2.0)
    files = {"audio_file": ("song.wav", wav_bytes(known["drums"] + known["bass"]), "audio/wav")}
    job = _done(stack, stack.client.post("/v1/extract", data={"stems": '["drums"]'}, files=files))
    assert [r["stem"] for r in job["results"]] == ["drums"]
    schema = stack.client.get("/openapi.json").json()["paths"]["/v1/extract"]["post"]
    properties = schema["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert {"stems", "engine", "from_hash", "preprocessing_options", "output_format"} <= set(properties)
