"""MusicGPT's ``POST /Extraction`` through a live server: stems of an upload (JSON-string lists, as
the n8n node sends them), and the exact stems of one of the caller's own songs by its link."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest
import requests
import soundfile as sf

from mixdown.engines.separation.metrics import sdr
from tests.harness import wait_for_job
from tests.integration.compat.test_musicgpt_api import api, completed, download, key_header, submit
from tests.integration.conftest import Stack
from tests.separation_audio import parts, wav_bytes

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


def _files(conversion: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["stem"]: f for f in conversion["files"] if f["kind"] == "stem"}


def test_extraction_of_an_upload(stack: Stack) -> None:
    # Given a song of known drums and bass, uploaded with MusicGPT's field shapes
    known = parts()
    fields = {"stems": '["Drums", "bass"]', "preprocessing_options": '["Denoise"]', "eco_mode": "1"}
    response = submit(stack, "Extraction", fields, wav_bytes(known["drums"] + known["bass"]))
    # When the conversion completes
    conversion = completed(stack, "EXTRACTION", response)
    # Then it lists one file per stem, audio_url is the first, and the drums are the drums
    files = _files(conversion)
    assert set(files) == {"drums", "bass"} and conversion["audio_url"]
    assert response.json()["warnings"] == ["eco_mode: no effect; the engine is chosen by what is installed"]
    drums, _ = sf.read(io.BytesIO(download(files["drums"]["url"])), dtype="float32")
    assert drums.shape == known["drums"].shape and sdr(known["drums"], drums) > 3.0


def test_extraction_of_an_own_song_gives_its_exact_stems(stack: Stack) -> None:
    # Given a song generated natively by this key
    fields = {
        "params": {"intensity": 5},
        "sample_rate": 22050,
        "duration": 6,
        "seed": 5,
        "output_format": "wav",
    }
    accepted = stack.client.post("/v1/generate", json=fields)
    song = wait_for_job(stack.client, accepted.json()["job_id"], timeout=120)
    mix = next(r for r in song["results"] if r["kind"] == "audio")
    bass = next(r for r in song["results"] if r.get("stem") == "bass")
    # When its link is sent to /Extraction
    data = {"audio_url": f"{stack.url}/v1/audio/{mix['id']}", "stems": '["bass", "drums"]'}
    response = requests.post(f"{api(stack)}/Extraction", headers=key_header(stack), data=data, timeout=30)
    conversion = completed(stack, "EXTRACTION", response)
    # Then the bass is the song's own bass stem, not an estimate
    got = sf.read(io.BytesIO(download(_files(conversion)["bass"]["url"])), dtype="int16")[0]
    own = sf.read(io.BytesIO(stack.client.get(bass["url"]).content), dtype="int16")[0]
    assert np.array_equal(got, own)
    job = stack.client.get(f"/v1/jobs/{conversion['task_id']}").json()
    assert job["metadata"]["engine"] == "exact"
