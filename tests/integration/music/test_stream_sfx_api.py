"""WebSocket /v1/stream (chunks equal the stored file), POST /v1/sfx, rising intensity heard in the audio."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
import soundfile as sf
from websockets.sync.client import connect

from tests.harness import wait_for_job
from tests.integration.conftest import Stack, StackFactory

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]


@pytest.fixture
def music(make_stack: StackFactory) -> Stack:
    return make_stack(credits=1000)


def _stream(stack: Stack, request: dict[str, object], **connect_args: object) -> tuple[list[dict], bytes]:
    url = stack.url.replace("http://", "ws://") + "/v1/stream"
    messages: list[dict] = []
    chunks: list[bytes] = []
    with connect(url, **connect_args) as ws:  # type: ignore[arg-type]
        ws.send(json.dumps(request))
        while True:
            message = ws.recv(timeout=120)
            if isinstance(message, bytes):
                chunks.append(message)
                continue
            messages.append(json.loads(message))
            if messages[-1]["type"] in ("done", "error"):
                return messages, b"".join(chunks)


def test_stream_chunks_are_the_stored_file(music: Stack) -> None:
    messages, pcm = _stream(
        music,
        {"prompt": "synthwave", "duration": 6, "seed": 4, "stems": False, "api_key": music.key},
    )
    kinds = [m["type"] for m in messages]
    assert kinds == ["accepted", "header", "done"], messages
    header = messages[1]
    assert header["encoding"] == "pcm_s16le" and header["channels"] == 2 and header["frames"] == 6 * 44100
    job = messages[-1]["job"]
    stored, rate = sf.read(io.BytesIO(music.client.get(job["results"][0]["url"]).content), dtype="int16")
    assert rate == 44100 and len(stored) == 6 * 44100
    assert stored.tobytes() == pcm


def test_stream_refuses_a_missing_key(music: Stack) -> None:
    messages, pcm = _stream(music, {"prompt": "synthwave", "duration": 4})
    assert messages[-1]["type"] == "error" and messages[-1]["error"]["code"] == "unauthorized"
    assert pcm == b""


def test_sfx_over_http(music: Stack) -> None:
    accepted = music.client.post(
        "/v1/sfx", json={"prompt": "distant thunder rumbling", "duration": 3, "num_variations": 2, "seed": 9}
    )
    assert accepted.status_code == 202, accepted.text
    job = wait_for_job(music.client, accepted.json()["job_id"], timeout=120)
    assert job["status"] == "complete", job["error"]
    first, second = (r for r in job["results"] if r["kind"] == "audio")
    assert first["recipe"] == "thunder" and (first["seed"], second["seed"]) == (9, 10)
    audio = [sf.read(io.BytesIO(music.client.get(r["url"]).content))[0] for r in (first, second)]
    assert all(len(a) == 3 * 44100 for a in audio) and not np.array_equal(audio[0], audio[1])
    too_long = music.client.post("/v1/sfx", json={"prompt": "x" * 301})
    assert too_long.status_code == 422 and too_long.json()["error"]["field"] == "prompt"


def test_rising_intensity_is_heard_rising(music: Stack) -> None:
    accepted = music.client.post(
        "/v1/generate",
        json={
            "prompt": "house",
            "duration": 24,
            "seed": 3,
            "stems": False,
            "params": {"intensity": [[0, 1], [100, 9]]},
        },
    )
    job = wait_for_job(music.client, accepted.json()["job_id"], timeout=240)
    assert job["status"] == "complete", job["error"]
    audio, rate = sf.read(io.BytesIO(music.client.get(job["results"][0]["url"]).content))
    mono = audio.mean(axis=1)
    third = len(mono) // 3

    def rms(part: np.ndarray) -> float:
        return float(np.sqrt(np.mean(part**2)))

    # The last third (before the ending's ring-out) is clearly louder and busier than the first.
    assert rms(mono[2 * third : -rate * 3]) > 1.5 * rms(mono[:third])
    threshold = 0.1 * np.abs(mono).max()

    def crossings(part: np.ndarray) -> int:
        return int(np.count_nonzero(np.diff((np.abs(part) > threshold).astype(np.int8)) > 0))

    assert crossings(mono[2 * third :]) > crossings(mono[:third])
