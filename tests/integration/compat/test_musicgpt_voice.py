"""MusicGPT's VoiceChanger through a live server, served by the native ``voice-change`` task.

The vendor's fields (``voice_id``, ``pitch``, ``remove_background`` as 0/1, ``output_extension``,
a multipart ``audio_file``) reach the native task; the conversion is read back with ``byId`` and its audio
measured; refusals come in MusicGPT's error shape naming the vendor field.
"""

from __future__ import annotations

import io
import time
from typing import Any

import numpy as np
import pytest
import requests
import soundfile as sf

from mixdown.engines.voice.background import separation_availability
from tests.integration.conftest import Stack
from tests.unit.voice.signals import shift_error_cents, vowel

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]
RATE = 16000


def post(stack: Stack, data: dict[str, Any], audio: np.ndarray) -> requests.Response:
    buffer = io.BytesIO()
    sf.write(buffer, audio, RATE, format="WAV", subtype="PCM_16")
    return requests.post(
        f"{stack.url}/api/public/v1/VoiceChanger",
        headers={"Authorization": stack.key},
        data=data,
        files={"audio_file": ("voice.wav", buffer.getvalue(), "audio/wav")},
        timeout=30,
    )


def conversion(stack: Stack, task_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 90
    while True:
        response = requests.get(
            f"{stack.url}/api/public/v1/byId",
            headers={"Authorization": stack.key},
            params={"conversionType": "VOICE_CONVERSION", "task_id": task_id},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()["conversion"]
        if found["status"] != "IN_QUEUE":  # queued and processing both read IN_QUEUE
            return found
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_voice_changer_runs_the_native_task(stack: Stack) -> None:
    source = vowel(seconds=1.0)
    fields = {"voice_id": "deep-male", "pitch": "2", "remove_background": "0", "output_extension": "flac"}
    response = post(stack, fields, source)
    assert response.status_code == 200, response.text
    done = conversion(stack, response.json()["task_id"])
    assert done["status"] == "COMPLETED" and done["conversion_type"] == "VOICE_CONVERSION"
    data = requests.get(done["audio_url"], timeout=30).content
    assert sf.info(io.BytesIO(data)).format == "FLAC"
    audio, rate = sf.read(io.BytesIO(data), dtype="float32")
    assert rate == RATE and audio.shape == source.shape
    assert abs(shift_error_cents(source, audio, RATE, -4.0)) < 20.0  # the preset's -6, plus 2


def test_voice_changer_refusals_in_musicgpt_shape(stack: Stack) -> None:
    source = vowel(seconds=0.5)
    unknown = post(stack, {"voice_id": "Drake"}, source)
    assert unknown.status_code == 422 and unknown.json()["field"] == "voice_id"
    if not separation_availability().available:
        background = post(stack, {"voice_id": "robot", "remove_background": "1"}, source)
        assert background.status_code == 422 and background.json()["field"] == "remove_background"
