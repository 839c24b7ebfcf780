"""POST /v1/generate with ``model: "musicgen"`` on tiny random checkpoints, through a live server.

The checkpoints have MusicGen's architecture and files (tests/unit/musicgen/conftest.py), so the
real load-and-generate path runs; the audio is noise-like, so the checks are about shape, length,
determinism and the melody path, not musicality.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.harness import wait_for_job
from tests.integration.conftest import Stack, StackFactory
from tests.unit.musicgen.conftest import save_tiny_musicgen

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("models")
    save_tiny_musicgen(root / "musicgen-tiny")
    save_tiny_musicgen(root / "musicgen-melody-tiny", melody=True)
    return root


@pytest.fixture(scope="module")
def plain_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("plain-models")
    save_tiny_musicgen(root / "musicgen-tiny")
    return root


def _stack(make_stack: StackFactory, models: Path, monkeypatch: pytest.MonkeyPatch) -> Stack:
    # Workers read their settings from MIXDOWN_* variables (as `mixdown serve` exports them).
    monkeypatch.setenv("MIXDOWN_MODELS_DIR", str(models))
    return make_stack(credits=100, models_dir=models)


def _tune_wav(seconds: float = 1.0, rate: int = 22050) -> bytes:
    t = np.arange(round(seconds * rate)) / rate
    freq = np.where(t < seconds / 2, 440.0, 660.0)
    buffer = io.BytesIO()
    sf.write(buffer, (0.4 * np.sin(2 * np.pi * freq * t)).astype(np.float32), rate, format="WAV")
    return buffer.getvalue()


def _audio(stack: Stack, job: dict[str, object]) -> tuple[np.ndarray, int]:
    [result] = [r for r in job["results"] if r["kind"] == "audio"]  # type: ignore[attr-defined]
    data, rate = sf.read(io.BytesIO(stack.client.get(result["url"]).content), dtype="float32")
    return np.asarray(data), int(rate)


def test_musicgen_generates_and_follows_an_uploaded_melody(
    make_stack: StackFactory, checkpoints: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = _stack(make_stack, checkpoints, monkeypatch)
    models = {m["name"]: m for m in stack.client.get("/v1/models").json()["models"]}
    assert models["musicgen"]["available"] and models["musicgen"]["melody"]
    # Given a plain text request, then the same with a melody uploaded as a file part
    plain = stack.client.post(
        "/v1/generate",
        json={"prompt": "folk", "model": "musicgen", "duration": 0.5, "seed": 3, "sample_rate": 32000},
    )
    melodic = stack.client.post(
        "/v1/generate",
        data={"prompt": "folk", "model": "musicgen", "duration": "0.5", "seed": "3", "sample_rate": "32000"},
        files={"melody_audio": ("tune.wav", _tune_wav(), "audio/wav")},
    )
    assert plain.status_code == 202, plain.text
    assert melodic.status_code == 202, melodic.text
    first = wait_for_job(stack.client, plain.json()["job_id"], timeout=240)
    second = wait_for_job(stack.client, melodic.json()["job_id"], timeout=240)
    assert first["status"] == "complete", first["error"]
    assert second["status"] == "complete", second["error"]
    # Then both are exactly as long as asked; the melody job says how it was conditioned
    for job in (first, second):
        audio, rate = _audio(stack, job)
        assert rate == 32000 and audio.shape[0] == 16000 and np.isfinite(audio).all()
    melody = second["metadata"]["melody"]
    assert melody["engine"] == "musicgen" and melody["conditioning"] == "chroma"
    assert melody["input_duration"] == pytest.approx(1.0)
    assert second["metadata"]["model"] == "musicgen"
    assert second["metadata"]["hashes"] != first["metadata"]["hashes"]


def test_melody_without_a_melody_checkpoint_is_refused_by_field(
    make_stack: StackFactory, plain_checkpoint: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = _stack(make_stack, plain_checkpoint, monkeypatch)
    refused = stack.client.post(
        "/v1/generate",
        data={"prompt": "folk", "model": "musicgen", "duration": "0.5"},
        files={"melody_audio": ("tune.wav", _tune_wav(), "audio/wav")},
    )
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "melody_audio"
    assert "MusicGen-Melody" in refused.json()["error"]["message"]
    continuation = stack.client.post(
        "/v1/generate",
        data={"prompt": "folk", "model": "musicgen", "duration": "0.5", "continuation_start": "0.2"},
        files={"audio_file": ("tune.wav", _tune_wav(), "audio/wav")},
    )
    assert continuation.status_code == 422 and continuation.json()["error"]["field"] == "input_audio"
