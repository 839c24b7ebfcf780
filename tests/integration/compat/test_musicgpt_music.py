"""MusicGPT's generation endpoints through a live server: Music AI's two songs, then Inpaint,
Extend and Remix building on one of them, and the 501 for audio this server did not make.

Songs are a few seconds long (``output_length``; ``duration`` and ``seed`` are native fields the
layer passes on) so the module stays quick.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import requests
import soundfile as sf

from tests.audio_gen import wav_bytes
from tests.integration.conftest import Stack, StackFactory
from tests.receiver import Receiver

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

PAIR_FIELDS = {
    "success",
    "message",
    "task_id",
    "conversion_id_1",
    "conversion_id_2",
    "eta",
    "credit_estimate",
}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
def music(make_stack: StackFactory) -> Stack:
    return make_stack(credits=1000, url_allowlist=["127.0.0.1/32"])


def post(stack: Stack, path: str, **kwargs: Any) -> requests.Response:
    return requests.post(
        f"{stack.url}/api/public/v1/{path}", headers={"Authorization": stack.key}, timeout=60, **kwargs
    )


def by_id(stack: Stack, kind: str, **ids: str) -> dict[str, Any]:
    while True:
        response = requests.get(
            f"{stack.url}/api/public/v1/byId",
            headers={"Authorization": stack.key},
            params={"conversionType": kind, **ids},
            timeout=30,
        )
        if response.status_code != 429:  # the status limit (200/min): wait as told
            break
        time.sleep(float(response.headers["Retry-After"]))
    assert response.status_code == 200, response.text
    conversion: dict[str, Any] = response.json()["conversion"]
    return conversion


def finished(stack: Stack, kind: str, task_id: str, timeout: float = 400) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while (conversion := by_id(stack, kind, task_id=task_id))["status"] == "IN_QUEUE":
        assert time.monotonic() < deadline, f"{task_id} did not finish"
        time.sleep(0.5)
    assert conversion["status"] == "COMPLETED", conversion["status_msg"]
    return conversion


def audio(url: str) -> tuple[np.ndarray, int]:
    response = requests.get(url, timeout=60)  # no key: MusicGPT's audio links are public
    assert response.status_code == 200, response.text
    data, rate = sf.read(io.BytesIO(response.content), dtype="float32")
    return data, rate


def test_music_ai_two_songs_then_inpaint_extend_and_remix(music: Stack, receiver: Receiver) -> None:
    body = {
        "prompt": "Lofi hip hop, 80 BPM, warm Rhodes and vinyl crackle",
        "music_style": "Lo-fi",
        "lyrics": "[Verse] rain on the window",
        "make_instrumental": True,  # the lyrics are kept, not sung (sung: test_generate_lyrics_api.py)
        "title": "Rainy Window",
        "model": "v6",
        "output_length": 4,
        "seed": 7,
        "webhook_url": f"{receiver.url}/songs",
    }
    submitted = post(music, "MusicAI", json=body)
    assert submitted.status_code == 200, submitted.text
    answer = submitted.json()
    assert set(answer) >= PAIR_FIELDS and answer["warnings"][0].startswith("lyrics: not sung")
    task_id = answer["task_id"]
    song = finished(music, "MUSIC_AI", task_id)
    assert song["title"] == "Rainy Window" and song["lyrics"] == body["lyrics"]
    assert song["music_style"] == "Lo-fi" and song["album_cover_path"] is None
    assert (song["conversion_id_1"], song["conversion_id_2"]) == (
        answer["conversion_id_1"],
        answer["conversion_id_2"],
    )
    first, rate = audio(song["conversion_path_1"])
    second, _ = audio(song["conversion_path_wav_2"])
    assert rate == 44100 and second.shape[1] == 2
    assert first.shape[0] / rate == pytest.approx(4.0, abs=0.08)  # MP3 padding
    assert second.shape[0] == 4 * 44100  # the WAV link is exact
    assert song["conversion_duration_1"] == song["conversion_duration_2"] == 4.0
    assert not np.allclose(first[: second.shape[0] // 2], second[: second.shape[0] // 2], atol=1e-2)
    one = by_id(music, "MUSIC_AI", conversion_id=answer["conversion_id_2"])
    assert one["conversion_id"] == answer["conversion_id_2"] and one["audio_url"] == song["conversion_path_2"]
    deadline = time.monotonic() + 20
    while not receiver.posts("/songs"):
        assert time.monotonic() < deadline, "no webhook"
        time.sleep(0.05)
    hook = receiver.posts("/songs")[0]["json"]
    assert hook["conversion_type"] == "MUSIC_AI" and hook["status"] == "COMPLETED"
    assert hook["conversion_path_2"].rpartition("/")[2] == song["conversion_path_2"].rpartition("/")[2]
    check_inpaint(music, song)
    check_extend(music, song)
    check_remix(music, song)


def check_inpaint(stack: Stack, song: dict[str, Any]) -> None:
    data = {
        "audio_url": song["conversion_path_1"],
        "prompt": "a soft guitar solo",
        "replace_start_at": 1.0,
        "replace_end_at": 3.0,
        "seed": 3,
    }
    answer = post(stack, "inpaint", data=data).json()
    assert answer["conversion_id_2"] is None  # num_outputs defaults to 1
    conversion = finished(stack, "INPAINT", answer["task_id"])
    assert conversion["conversion_type"] == "INPAINT" and conversion["conversion_path_2"] is None
    original, _ = audio(song["conversion_path_wav_1"])
    inpainted, _ = audio(conversion["conversion_path_wav_1"])
    assert inpainted.shape == original.shape  # the length follows the base generation
    assert not np.allclose(inpainted, original, atol=1e-3)


def check_extend(stack: Stack, song: dict[str, Any]) -> None:
    data = {
        "audio_url": song["conversion_path_1"],
        "extend_after": 3.0,
        "prompt": "lofi, mellow",
        "duration": 3,
    }
    answer = post(stack, "extend", data=data).json()
    conversion = finished(stack, "EXTEND", answer["task_id"])
    extended, rate = audio(conversion["conversion_path_wav_1"])
    start = extended.shape[0] / rate - 3.0  # the new part starts at the downbeat nearest 3 s
    assert 1.5 <= start <= 4.5 and conversion["conversion_path_wav_2"]


def check_remix(stack: Stack, song: dict[str, Any]) -> None:
    data = {"audio_url": song["conversion_path_1"], "prompt": "bossa nova, nylon guitar", "duration": 4}
    answer = post(stack, "Remix", data=data).json()
    conversion = finished(stack, "REMIX", answer["task_id"])
    assert conversion["conversion_path_1"] and conversion["conversion_path_2"]
    upload = {"audio_file": ("song.wav", wav_bytes(2.0), "audio/wav")}
    refused = post(stack, "Remix", data={"prompt": "jazz"}, files=upload)
    assert refused.status_code == 501 and refused.json()["field"] == "audio_url"
    assert "stem separation" in refused.json()["message"]
