"""POST /v1/transcribe over real HTTP: upload, poll, download captions and JSON; refusals."""

from __future__ import annotations

import base64
import io
import itertools
import json
import re
from pathlib import Path

import jiwer
import numpy as np
import pytest
import soundfile as sf

from mixdown.engines.speech.text import normalize
from tests.harness import wait_for_job
from tests.integration.conftest import Stack
from tests.speech_gen import HARVARD, spoken, words_track

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

LYRICS = "Seven happy children\nsing about a golden river"


def wav(audio: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, audio, 16000, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def test_upload_transcribes_to_webvtt_and_json(speech_env: Path, stack: Stack) -> None:
    pause = np.zeros(8000, dtype=np.float32)
    audio = np.concatenate([spoken(HARVARD[0]), pause, spoken(HARVARD[3])])
    accepted = stack.client.post(
        "/v1/transcribe",
        data={"format": "vtt", "word_timestamps": "true"},
        files={"audio_file": ("speech.wav", wav(audio), "audio/wav")},
    )
    assert accepted.status_code == 202, accepted.text
    job = wait_for_job(stack.client, accepted.json()["job_id"], timeout=150)
    assert job["status"] == "complete", job["error"]
    meta = job["metadata"]
    assert jiwer.wer(normalize(f"{HARVARD[0]} {HARVARD[3]}"), normalize(meta["text"])) <= 0.2, meta["text"]
    assert meta["language"] == "en" and meta["engine"] == "whisper" and meta["model"] == "whisper-base"
    assert meta["duration"] == pytest.approx(len(audio) / 16000, abs=0.01)
    vtt_result, json_result = job["results"]
    assert (vtt_result["format"], json_result["format"]) == ("vtt", "json")
    vtt = stack.client.get(vtt_result["url"])
    assert vtt.headers["content-type"].startswith("text/vtt") and vtt.text.startswith("WEBVTT\n\n")
    assert re.search(r"\d{2}:\d{2}:\d{2}\.\d{3} --> \d{2}:\d{2}:\d{2}\.\d{3}", vtt.text)
    doc = json.loads(stack.client.get(json_result["url"]).content)
    words = [w for seg in doc["segments"] for w in seg["words"]]
    assert len(words) >= 12 and all(a["start"] <= b["start"] for a, b in itertools.pairwise(words))


def test_align_text_gives_karaoke_word_times(speech_env: Path, stack: Stack) -> None:
    words = LYRICS.split()
    audio, onsets = words_track(words, seed=7)
    accepted = stack.client.post(
        "/v1/transcribe",
        json={"input_audio": base64.b64encode(wav(audio)).decode(), "align_text": LYRICS, "format": "srt"},
    )
    assert accepted.status_code == 202, accepted.text
    job = wait_for_job(stack.client, accepted.json()["job_id"], timeout=120)
    assert job["status"] == "complete", job["error"]
    assert job["metadata"]["alignment"] == "forced" and job["metadata"]["words"] == len(words)
    srt_result, json_result = job["results"]
    srt = stack.client.get(srt_result["url"]).text
    assert srt.startswith("1\n") and "Seven happy children" in srt and "sing about a golden river" in srt
    doc = json.loads(stack.client.get(json_result["url"]).content)
    starts = np.array([w["start"] for w in doc["words"]])
    assert [w["word"] for w in doc["words"]] == words
    assert np.abs(starts - onsets).max() < 0.15


def test_unknown_model_is_a_422_listing_the_installed_ones(speech_env: Path, stack: Stack) -> None:
    audio = base64.b64encode(wav(np.zeros(16000, dtype=np.float32))).decode()
    response = stack.client.post("/v1/transcribe", json={"input_audio": audio, "model": "whisper-small"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert (
        error["field"] == "model"
        and "whisper-small" in error["message"]
        and "whisper-base" in error["message"]
    )


def test_bad_language_is_a_422_and_garbage_audio_a_400(stack: Stack) -> None:
    audio = base64.b64encode(wav(np.zeros(16000, dtype=np.float32))).decode()
    bad = stack.client.post("/v1/transcribe", json={"input_audio": audio, "language": "klingon"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "language"
    garbage = stack.client.post(
        "/v1/transcribe", files={"audio_file": ("speech.wav", b"RIFF....not audio at all", "audio/wav")}
    )
    assert garbage.status_code == 400 and garbage.json()["error"]["code"] == "audio_decode_error"
