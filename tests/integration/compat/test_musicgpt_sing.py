"""MusicGPT's POST /sing_over_instrumental served by the native ``sing`` task, over a live server."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile as sf

from tests.integration.compat.test_musicgpt_api import completed, download, error_of, submit
from tests.integration.conftest import Stack
from tests.singing_audio import backing
from tests.speech_check import require

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

LYRICS = "[Verse]\nHold me close tonight\n[Chorus]\nNever let me go"


def test_sing_over_instrumental_with_musicgpt_fields(stack: Stack) -> None:
    require("festival")
    wav = backing("house", 9.0, 2, 7).wav()
    fields = {"lyrics": LYRICS, "gender": "f", "prompt": "dreamy pop", "title": "Close"}
    conversion = completed(
        stack, "SING_OVER_INSTRUMENTAL", submit(stack, "sing_over_instrumental", fields, wav)
    )
    assert conversion["title"] == "Close" and conversion["lyrics"] == LYRICS
    assert conversion["audio_url"].endswith(".mp3")  # MusicGPT delivers MP3
    song, rate = sf.read(io.BytesIO(download(conversion["audio_url"])), dtype="float32")
    assert song.shape[0] / rate == pytest.approx(9.0, abs=0.1) and float(np.abs(song).max()) > 0.1
    native = stack.client.get(f"/v1/jobs/{conversion['task_id']}").json()
    assert native["task"] == "sing" and native["params"]["gender"] == "female"
    assert native["metadata"]["voice_id"] == "festival-cmu_us_slt_arctic_hts"
    assert native["metadata"]["style"]["long_notes"] is True  # "dreamy" in the prompt


def test_sing_over_instrumental_refusals_name_musicgpt_fields(stack: Stack) -> None:
    wav = backing("house", 9.0, 2, 7).wav()
    no_lyrics = error_of(submit(stack, "sing_over_instrumental", {"prompt": "pop"}, wav), 422)
    assert no_lyrics["field"] == "lyrics"
    bad_gender = error_of(submit(stack, "sing_over_instrumental", {"lyrics": "la", "gender": "x"}, wav), 422)
    assert bad_gender["field"] == "gender"
    no_audio = error_of(submit(stack, "sing_over_instrumental", {"lyrics": "la la"}), 400)
    assert no_audio["field"] == "audio_url"
