"""POST /v1/generate through a live server: results, stems, MIDI, hash regeneration, determinism."""

from __future__ import annotations

import io

import mido
import numpy as np
import pytest
import soundfile as sf

from tests.harness import wait_for_job
from tests.integration.conftest import Stack, StackFactory

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]


@pytest.fixture
def music(make_stack: StackFactory) -> Stack:
    return make_stack(credits=1000)


def _generate(stack: Stack, **fields: object) -> dict[str, object]:
    accepted = stack.client.post("/v1/generate", json=fields)
    assert accepted.status_code == 202, accepted.text
    job = wait_for_job(stack.client, accepted.json()["job_id"], timeout=600)
    assert job["status"] == "complete", job["error"]
    return job


def _audio(stack: Stack, result: dict[str, object]) -> tuple[np.ndarray, int]:
    data, rate = sf.read(io.BytesIO(stack.client.get(str(result["url"])).content), dtype="float32")
    return data, rate


def test_generate_with_stems_midi_and_metadata(music: Stack) -> None:
    job = _generate(
        music,
        prompt="Melodic techno, 126 BPM, analog bass, airy pads, female vocal textures",
        duration=8,
        sample_rate=32000,
        num_variations=2,
        seed=42,
    )
    meta = job["metadata"]
    assert meta["bpm"] == 126 and meta["genre"] == "techno" and meta["time_signature"] == "4/4"
    assert meta["model"] == "mixdown-composer" and meta["prompt"].startswith("Melodic techno")
    assert meta["sections"] and meta["instruments"] and meta["key"]
    mixes = [r for r in job["results"] if r["kind"] == "audio"]
    assert [r["seed"] for r in mixes] == [42, 43]
    for mix in mixes:
        audio, rate = _audio(music, mix)
        assert rate == 32000 and audio.shape == (8 * 32000, 2)
        assert mix["quality"]["passed"] and abs(mix["quality"]["loudness_lufs"] + 14) < 1.0
    stems = [r for r in job["results"] if r["kind"] == "stem" and r["variation"] == 0]
    assert {"drums", "bass"} <= {r["stem"] for r in stems}
    midi = next(r for r in job["results"] if r["kind"] == "midi" and r["variation"] == 0)
    response = music.client.get(midi["url"])
    assert response.headers["content-type"] == "audio/midi"
    parsed = mido.MidiFile(file=io.BytesIO(response.content))
    assert any(
        m.type == "set_tempo" and round(mido.tempo2bpm(m.tempo)) == 126 for t in parsed.tracks for m in t
    )


def test_same_seed_same_bytes_and_from_hash(music: Stack) -> None:
    first = _generate(music, prompt="lofi hip hop, chill", duration=5, seed=7, stems=False)
    # (cache off: the engine itself must give the same bytes)
    again = _generate(music, prompt="lofi hip hop, chill", duration=5, seed=7, stems=False, cache=False)
    other = _generate(music, prompt="lofi hip hop, chill", duration=5, seed=8, stems=False)
    digest = [r["sha256"] for r in (first["results"][0], again["results"][0], other["results"][0])]
    assert digest[0] == digest[1] != digest[2]
    assert "cache" not in again["metadata"]
    # The same request with the cache on is answered from the first job's results, for free
    before = music.client.get("/v1/credits").json()["credits"]
    cached = _generate(music, prompt="lofi hip hop, chill", duration=5, seed=7, stems=False)
    assert cached["metadata"]["cache"] == "hit"
    assert cached["metadata"]["cached_from"] in (first["job_id"], again["job_id"])
    assert (
        cached["results"][0]["sha256"] == digest[0]
        and cached["results"][0]["id"] != first["results"][0]["id"]
    )
    assert (
        music.client.get(cached["results"][0]["url"]).content
        == music.client.get(first["results"][0]["url"]).content
    )
    assert music.client.get("/v1/credits").json()["credits"] == before
    other_key = music.client_for(music.new_key(10.0))
    isolated = other_key.post(
        "/v1/generate", json={"prompt": "lofi hip hop, chill", "duration": 5, "seed": 7}
    )
    assert isolated.status_code == 202 and isolated.json()["status"] == "queued"
    by_hash = _generate(music, from_hash=first["results"][0]["hash"], stems=False)
    assert by_hash["results"][0]["sha256"] == digest[0]
    similar = _generate(
        music, from_hash=first["results"][0]["hash"], variation="similar", seed=99, stems=False
    )
    assert similar["results"][0]["sha256"] != digest[0]


def test_generate_errors(music: Stack) -> None:
    bad = music.client.post("/v1/generate", json={"prompt": "x", "params": {"intensity": [[5, 1], [100, 9]]}})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "params"
    unknown_tag = music.client.post("/v1/generate", json={"tags": [99999]})
    assert unknown_tag.status_code == 422 and unknown_tag.json()["error"]["field"] == "tags"
    musicgen = music.client.post("/v1/generate", json={"prompt": "x", "model": "musicgen"})
    assert musicgen.status_code == 503 and "musicgen" in musicgen.json()["error"]["message"]


def test_models_and_tags_catalogues(music: Stack) -> None:
    models = {m["name"]: m for m in music.client.get("/v1/models").json()["models"]}
    assert models["mixdown-composer"]["available"] and models["mixdown-composer"]["default"]
    assert models["musicgen"]["available"] is False and models["musicgen"]["reason"]
    assert models["lyrics-embedded"]["available"]
    assert (
        models["lyrics-chat"]["available"] is False and "LYRICS_CHAT_URL" in models["lyrics-chat"]["reason"]
    )
    tags = music.client.get("/v1/tags").json()
    assert len(tags["tags"]) >= 40 and any(t["incompatible_with"] for t in tags["tags"])
