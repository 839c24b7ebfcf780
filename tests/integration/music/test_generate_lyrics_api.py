"""POST /v1/generate with lyrics through a live server: a sung song, its vocal stem, word timings,
the quality report's loudness and true peak, what Whisper hears, determinism; and MusicGPT's
Music AI with lyrics (two sung songs with ``lyrics_timestamped``)."""

from __future__ import annotations

import hashlib
import io
import itertools
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests
import soundfile as sf
import soxr

from mixdown.engines.music.produce.loudness import integrated_loudness, true_peak_db
from mixdown.engines.speech import whisper
from mixdown.engines.speech.models import BASE_MODEL
from tests.harness import wait_for_job
from tests.integration.compat.test_musicgpt_music import by_id, finished
from tests.integration.conftest import Stack, StackFactory
from tests.singing_audio import note_errors, share_within
from tests.speech_check import require, word_error_rate
from tests.speech_gen import speech_models_dir

__all__ = ["speech_models_dir"]  # the whisper-base fixture

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

LYRICS = "[Verse]\nWalking down the empty street tonight\n[Chorus]\nHold me close and never let me go"
WORDS = re.sub(r"\[[^\]]*\]", " ", LYRICS).split()
SONG = {"prompt": "upbeat pop song", "duration": 12, "seed": 2, "lyrics": LYRICS, "output_format": "wav"}


@pytest.fixture
def music(make_stack: StackFactory) -> Stack:
    require("festival")
    return make_stack(credits=1000)


def _generate(stack: Stack, **fields: object) -> dict[str, Any]:
    accepted = stack.client.post("/v1/generate", json=fields)
    assert accepted.status_code == 202, accepted.text
    job: dict[str, Any] = wait_for_job(stack.client, accepted.json()["job_id"], timeout=240)
    assert job["status"] == "complete", job["error"]
    return job


def _results(job: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r.get("stem") or r["kind"]: r for r in job["results"]}


def _audio(stack: Stack, result: dict[str, Any]) -> tuple[np.ndarray, int]:
    data, rate = sf.read(io.BytesIO(stack.client.get(str(result["url"])).content), dtype="float32")
    return data, int(rate)


def _heard(samples: np.ndarray, rate: int, models: Path) -> str:
    mono = soxr.resample(samples.mean(axis=1), rate, whisper.SAMPLE_RATE).astype(np.float32)
    segments, _ = whisper.load_model(models / BASE_MODEL).transcribe(
        mono, language="en", vad_filter=False, beam_size=1
    )
    return " ".join(s.text for s in segments)


def test_a_sung_song_with_its_vocal_stem_timings_and_levels(music: Stack, speech_models_dir: Path) -> None:
    job = _generate(music, **SONG)
    results, meta = _results(job), job["metadata"]
    # The song, the other stems and the vocal stem, all 12 s stereo
    assert {"audio", "vocals", "drums", "bass", "midi"} <= set(results)
    song, rate = _audio(music, results["audio"])
    vocals, _ = _audio(music, results["vocals"])
    assert song.shape == vocals.shape == (12 * 44100, 2)
    # Every word sung, in order, inside the piece; the mix lists the same timings
    words = meta["word_timings"]
    assert [w["word"] for w in words] == WORDS and results["audio"]["word_timings"] == words
    assert all(0 <= a["start"] < a["end"] <= b["start"] + 1e-3 for a, b in itertools.pairwise(words))
    assert words[-1]["end"] <= 12.0 and meta["lyrics"] == LYRICS
    assert meta["voice_id"] == "festival-cmu_us_slt_arctic_hts" and "sung vocal" in meta["instruments"][-1]
    # The mastered song meets the quality report, measured here on the downloaded file
    quality = results["audio"]["quality"]
    assert quality["passed"], quality
    assert abs(integrated_loudness(song, rate) + 14.0) <= 1.0 and true_peak_db(song) <= -1.0
    # The vocal stem sings its notes and says the lyrics
    assert share_within(note_errors(vocals, rate, meta["melody"])) >= 0.9
    heard = _heard(vocals, rate, speech_models_dir)
    assert word_error_rate(" ".join(WORDS), heard) <= 0.35, heard
    # The same seed gives the same bytes (cache off: the engine itself is deterministic)
    again = _results(_generate(music, **SONG, cache=False))
    assert [again[k]["sha256"] for k in ("audio", "vocals")] == [
        results[k]["sha256"] for k in ("audio", "vocals")
    ]
    assert (
        hashlib.sha256(music.client.get(again["vocals"]["url"]).content).hexdigest()
        == again["vocals"]["sha256"]
    )


def test_lyrics_refusals_name_the_field(music: Stack) -> None:
    for fields, field in (
        ({"stream": True}, "lyrics"),
        ({"instrumental": True}, "lyrics"),
        ({"duration": 5}, "duration"),
        ({"voice_id": "flite-rms"}, "voice_id"),
    ):
        response = music.client.post("/v1/generate", json={**SONG, **fields})
        assert response.status_code == 422, response.text
        assert response.json()["error"]["field"] == field


def test_musicgpt_music_ai_sings_its_lyrics(music: Stack) -> None:
    body = {
        "prompt": "acoustic folk song",
        "lyrics": "[Verse]\nHold me close tonight",
        "gender": "m",
        "output_length": 9,
        "seed": 4,
    }
    answer = requests.post(
        f"{music.url}/api/public/v1/MusicAI", headers={"Authorization": music.key}, json=body, timeout=60
    ).json()
    assert "warnings" not in answer, answer
    song = finished(music, "MUSIC_AI", answer["task_id"])
    assert song["lyrics_1"] == song["lyrics_2"] == body["lyrics"]
    for index in (1, 2):
        timed = song[f"lyrics_timestamped_{index}"]
        assert [w["word"] for w in timed] == ["Hold", "me", "close", "tonight"]
        assert all(0 <= w["start"] < w["end"] <= 9.0 for w in timed)
    one = by_id(music, "MUSIC_AI", conversion_id=answer["conversion_id_2"])
    assert one["lyrics_timestamped"] == song["lyrics_timestamped_2"]
    native = music.client.get(f"/v1/jobs/{answer['task_id']}").json()
    assert native["params"]["lyrics"] == body["lyrics"] and native["metadata"]["gender"] == "male"
