"""POST /v1/generate building on audio through a live server: continuation, inpaint, melody, result ids."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from mixdown.audio.export import to_pcm16
from tests.harness import wait_for_job
from tests.integration.conftest import Stack, StackFactory
from tests.unit.music_building.pieces import RATE, rendered, tune_audio

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
# Params without a prompt: no sentence-embedding model to load in the worker (the seed picks a style).
NO_PROMPT = {"params": {"intensity": 6, "tempo": 5}, "sample_rate": RATE}


@pytest.fixture
def music(make_stack: StackFactory) -> Stack:
    return make_stack(credits=1000)


def _wav_base64(audio: np.ndarray) -> str:
    buffer = io.BytesIO()
    sf.write(buffer, to_pcm16(audio), RATE, format="WAV", subtype="PCM_16")
    return base64.b64encode(buffer.getvalue()).decode()


def _generate(stack: Stack, **fields: Any) -> dict[str, Any]:
    accepted = stack.client.post("/v1/generate", json=fields)
    assert accepted.status_code == 202, accepted.text
    job: dict[str, Any] = wait_for_job(stack.client, accepted.json()["job_id"], timeout=240)
    assert job["status"] == "complete", job["error"]
    return job


def _mix(job: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in job["results"] if r["kind"] == "audio")


def _pcm(stack: Stack, result: dict[str, Any]) -> np.ndarray:
    data, _ = sf.read(io.BytesIO(stack.client.get(str(result["url"])).content), dtype="int16")
    return np.asarray(data)


def test_continuation_of_base64_input_audio(music: Stack) -> None:
    # Given a 20 s piece sent as base64 WAV (seed 001's shape)
    _, song = rendered("pop", 120.0, 9, "minor")
    original = to_pcm16(song)
    # When it is continued from 12.3 s for 8 s
    job = _generate(
        music, **NO_PROMPT, input_audio=_wav_base64(song), continuation_start=12.3, duration=8, seed=3
    )
    info = job["metadata"]["continuation"]
    out = _pcm(music, _mix(job))
    # Then the join sits on a downbeat, the length is exact and the input is kept sample for sample
    start, fade = round(info["start"] * RATE), round(info["crossfade"] * RATE)
    assert info["start"] == pytest.approx(12.0, abs=0.03) and info["analysis"]["key"] == "A minor"
    assert out.shape == (start + 8 * RATE, 2)
    assert np.array_equal(out[: start - fade], original[: start - fade])
    assert job["metadata"]["bpm"] == pytest.approx(120.0, rel=0.01)
    assert {r["kind"] for r in job["results"]} == {"audio", "stem", "midi"}
    assert all(r["offset"] == pytest.approx(info["start"]) for r in job["results"] if r["kind"] == "stem")


def test_inpaint_by_hash_and_a_result_as_input(music: Stack) -> None:
    # Given a generation of this key
    original = _generate(music, **NO_PROMPT, duration=24, seed=11, stems=False)
    before, digest = _pcm(music, _mix(original)), _mix(original)["hash"]
    middle = original["metadata"]["sections"][1]
    # When a span of its middle section is inpainted by hash
    job = _generate(
        music,
        from_hash=digest,
        operation="inpaint",
        replace_start=middle["start"] + 0.5,
        replace_end=middle["end"] - 0.5,
        seed=4,
        stems=False,
        sample_rate=RATE,
    )
    result = _mix(job)
    after, kept = _pcm(music, result), result["kept"]
    # Then only the middle section (and a one-beat crossfade after it) changed
    a, b = round(kept["identical_until"] * RATE), round(kept["identical_from"] * RATE)
    assert kept["identical_until"] >= middle["start"] - 0.01 and kept["identical_from"] <= middle["end"] + 1.0
    assert after.shape == before.shape
    assert np.array_equal(after[:a], before[:a]) and np.array_equal(after[b:], before[b:])
    assert not np.array_equal(after[a:b], before[a:b])
    assert result["operation"] == "inpaint" and result["base_hash"] == digest and result["hash"] != digest
    # And one of this key's results can be the input of a continuation (by its id)...
    cont = _generate(music, **NO_PROMPT, input_audio=result["id"], duration=4, seed=2, stems=False)
    assert cont["metadata"]["continuation"]["input_duration"] == pytest.approx(24.0)
    # ...but not another key's (404 naming the field)
    other = music.client_for(music.new_key(100.0))
    refused = other.post("/v1/generate", json={**NO_PROMPT, "input_audio": result["id"], "duration": 4})
    assert refused.status_code == 404 and refused.json()["error"]["field"] == "input_audio"


def test_melody_audio_conditions_the_lead(music: Stack) -> None:
    # Given a tune uploaded as a multipart file part beside form fields (params as JSON text)
    form = {"params": json.dumps(NO_PROMPT["params"]), "sample_rate": str(RATE), "melody_strength": "1.0"}
    tune = base64.b64decode(_wav_base64(tune_audio(73)))
    accepted = music.client.post(
        "/v1/generate",
        data={**form, "duration": "12", "seed": "5", "stems": "false"},
        files={"melody_audio": ("tune.wav", tune, "audio/wav")},
    )
    assert accepted.status_code == 202, accepted.text
    job = wait_for_job(music.client, accepted.json()["job_id"], timeout=240)
    assert job["status"] == "complete", job["error"]
    melody = job["metadata"]["melody"]
    assert melody["notes"] >= 16 and melody["key"] == "A minor" and melody["strength"] == 1.0
    assert job["metadata"]["key"] == "A minor" and job["metadata"]["bpm"] == pytest.approx(110.0, rel=0.02)
    bad = music.client.post("/v1/generate", json={**NO_PROMPT, "melody_audio": "not base64!", "duration": 4})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "melody_audio"
    late = music.client.post(
        "/v1/generate",
        json={
            **NO_PROMPT,
            "input_audio": _wav_base64(tune_audio(73)),
            "continuation_start": 60,
            "duration": 4,
        },
    )
    assert late.status_code == 422 and late.json()["error"]["field"] == "continuation_start"
    stray = music.client.post("/v1/generate", data=form, files={"voice_audio": ("x.wav", tune, "audio/wav")})
    assert stray.status_code == 400 and stray.json()["error"]["field"] == "voice_audio"
    twice = music.client.post(
        "/v1/generate", data={**form, "melody_audio": "res_abcdefgh"}, files={"melody_audio": ("t.wav", tune)}
    )
    assert twice.status_code == 400 and twice.json()["error"]["field"] == "melody_audio"
