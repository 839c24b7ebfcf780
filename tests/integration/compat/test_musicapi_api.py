"""MusicAPI drop-in compatibility through a live server: the seed quickstart unchanged, every
endpoint's shape, the audio behind it, signed webhooks, errors, refunds, batches and uploads."""

from __future__ import annotations

import ast
import hashlib
import hmac
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mido
import numpy as np
import pytest

from tests.integration.compat.musicapi_contract import (
    BLOCKED_WORD,
    SONG_SECONDS,
    MusicApi,
    audio,
    create,
    music_api,
    poll,
    run_quickstart,
    wait_until,
)
from tests.keybpm_audio import render_groove, wav_bytes
from tests.speech_gen import say, speech_env, speech_models_dir

__all__ = ["speech_env", "speech_models_dir"]  # fixtures of the aligned-lyrics test

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

SONG_FIELDS = {"clip_id", "state", "title", "tags", "lyrics", "image_url", "video_url", "audio_url"}
SONG_FIELDS |= {"created_at", "mv", "gpt_description_prompt", "duration"}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MusicApi]:
    with music_api(tmp_path_factory.mktemp("musicapi")) as running:
        yield running


@pytest.fixture(scope="module")
def song(api: MusicApi) -> dict[str, Any]:
    """One finished create_music task (two songs)."""
    return create(api, custom_mode=False, mv="sonic-v4-5", gpt_description_prompt="warm lofi hip hop, piano")


def _signature(secret: str, headers: dict[str, str], body: bytes) -> str:
    """As docs.musicapi.ai documents it: HMAC_SHA256(secret, `${timestamp}.${rawBody}`), hex."""
    message = headers["x-webhook-timestamp"].encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _check_song(song: dict[str, Any], api: MusicApi) -> np.ndarray:
    assert set(song) >= SONG_FIELDS and song["state"] == "succeeded"
    assert song["audio_url"].startswith(api.url) and song["audio_url"].endswith("?format=mp3")
    data, rate = audio(api, song["audio_url"])
    assert rate == 44100 and abs(len(data) / rate - SONG_SECONDS) < 0.1  # mp3 pads a few ms
    assert abs(song["duration"] - SONG_SECONDS) < 1e-6
    assert float(np.sqrt(np.mean(data**2))) > 0.01  # music, not silence
    return data


def test_seed_quickstart_runs_unchanged(api: MusicApi, monkeypatch: pytest.MonkeyPatch) -> None:
    hook = f"{api.receiver.url}/webhooks/musicapi"
    started = time.monotonic()
    namespace, printed = run_quickstart(api, hook, monkeypatch)
    lines = printed.splitlines()
    assert ast.literal_eval(lines[0]) == {"credits": 1000.0, "extra_credits": 0}
    result = namespace["result"]
    assert result["code"] == 200 and result["message"] == "success" and len(result["data"]) == 2
    first, second = (_check_song(s, api) for s in result["data"])
    assert first.shape != second.shape or not np.allclose(first, second)  # two different songs
    assert lines[1:3] == [f"{s['title']} {s['audio_url']}" for s in result["data"]]
    assert result["data"][0]["title"] == "Uplifting synthwave with female vocals"
    assert "synthwave" in result["data"][0]["tags"] and "instrumental" in result["data"][0]["notice"]
    # The custom-mode call's answer is not kept by the seed: read its task back.
    jobs = api.native.get("/v1/jobs", params={"task": "generate"}).json()["jobs"]
    night = next(j for j in jobs if j["metadata"]["musicapi"].get("title") == "Night Drive")
    custom = poll(api, night["job_id"])
    assert [s["title"] for s in custom["data"]] == ["Night Drive"] * 2
    assert custom["data"][0]["lyrics"].startswith("[Verse]\nCity lights") and custom["data"][0]["tags"] == (
        "synthwave, retro, energetic"
    )
    assert night["params"]["prompt"] == "synthwave, retro, energetic, Night Drive"
    # Step 7: the webhook arrives signed as documented.
    wait_until(lambda: api.receiver.posts("/webhooks/musicapi"), timeout=120)
    delivery = api.receiver.posts("/webhooks/musicapi")[0]
    headers = {k.lower(): v for k, v in delivery["headers"].items()}
    assert headers["x-webhook-event"] == "song.completed"
    assert headers["idempotency-key"] == headers["x-webhook-id"]
    assert abs(int(headers["x-webhook-timestamp"]) - time.time()) < 300
    assert headers["x-webhook-signature"] == _signature("your-shared-secret", headers, delivery["body"])
    body = delivery["json"]
    assert body["code"] == 200 and len(body["data"]) == 2 and set(body["data"][0]) >= SONG_FIELDS
    polled = poll(api, body["task_id"])["data"]
    # Webhook links use the configured public URL (here the default), polls the request's own.
    assert [{**s, "audio_url": None} for s in polled] == [{**s, "audio_url": None} for s in body["data"]]
    # The retry helper of step 8 submits like any client.
    concat = {"task_type": "concat_music", "continue_clip_id": result["data"][0]["clip_id"]}
    answer = namespace["post_with_retry"](f"{api.base}/sonic/create", json=concat)
    assert answer["code"] == 200 and poll(api, answer["task_id"])["data"][0]["state"] == "succeeded"
    assert time.monotonic() - started < 240


def test_stems_wav_and_midi_come_from_the_clip(api: MusicApi, song: dict[str, Any]) -> None:
    clip = song["data"][0]
    job = api.native.get(f"/v1/jobs/{song['task_id']}").json()
    stems = {r["stem"]: r for r in job["results"] if r["kind"] == "stem" and r["variation"] == 0}
    full = api.client.post("/sonic/stems/full", json={"clip_id": clip["clip_id"]}).json()
    answer = poll(api, full["task_id"])
    assert {e["stem"]: e["clip_id"] for e in answer["data"]} == {n: r["id"] for n, r in stems.items()}
    assert len(answer["data"]) >= 3  # a short lofi piece has e.g. bass, chords, pads
    assert audio(api, answer["data"][0]["wav_url"])[0].shape == (int(SONG_SECONDS * 44100), 2)
    basic = poll(
        api, api.client.post("/sonic/stems/basic", json={"clip_id": clip["clip_id"]}).json()["task_id"]
    )
    if "vocals" not in stems:  # an instrumental song: the instrumental stem is the mix itself
        assert [e["stem"] for e in basic["data"]] == ["vocals", "instrumental"]
        assert basic["data"][0]["audio_url"] is None and basic["data"][1]["clip_id"] == clip["clip_id"]
    wav = poll(api, api.client.post("/sonic/wav", json={"clip_id": clip["clip_id"]}).json()["task_id"])
    lossless, _ = audio(api, f"{api.url}/v1/audio/{clip['clip_id']}")  # the stored FLAC
    assert np.array_equal(audio(api, wav["data"][0]["wav_url"])[0], lossless)
    midi = api.client.post("/sonic/midi", json={"clip_id": clip["clip_id"]}).json()["data"]
    assert midi["source"] == "score" and midi["bpm"] == job["metadata"]["bpm"]
    parsed = mido.MidiFile(file=io.BytesIO(api.native.get(midi["midi_url"]).content))
    tempo = next(m.tempo for t in parsed.tracks for m in t if m.type == "set_tempo")
    assert abs(mido.tempo2bpm(tempo) - job["metadata"]["bpm"]) < 0.01
    lyrics = api.client.post("/sonic/aligned-lyrics", json={"clip_id": clip["clip_id"]})
    assert lyrics.status_code == 404 and lyrics.json()["field"] == "clip_id"


def test_extend_cover_concat(api: MusicApi, song: dict[str, Any]) -> None:
    clip = song["data"][0]
    source, _ = audio(api, f"{api.url}/v1/audio/{clip['clip_id']}")
    extended = create(api, task_type="extend_music", continue_clip_id=clip["clip_id"], continue_at=2.0)
    assert len(extended["data"]) == 2 and extended["data"][0]["title"] == clip["title"]
    longer, _ = audio(api, f"{api.url}/v1/audio/{extended['data'][0]['clip_id']}")
    assert len(longer) > len(source) and np.array_equal(longer[:22050], source[:22050])  # kept as it was
    cover = create(api, task_type="cover_music", continue_clip_id=clip["clip_id"], tags="bossa nova, guitar")
    assert len(cover["data"]) == 2 and all(
        abs(s["duration"] - clip["duration"]) < 1e-6 for s in cover["data"]
    )
    assert cover["data"][0]["hash"] != clip["hash"]
    concat = create(api, task_type="concat_music", continue_clip_id=extended["data"][0]["clip_id"])
    assert len(concat["data"]) == 1 and concat["data"][0]["title"] == clip["title"]
    assert np.array_equal(audio(api, f"{api.url}/v1/audio/{concat['data'][0]['clip_id']}")[0], longer)


def test_upload_bpm_and_extend_upload(api: MusicApi) -> None:
    api.receiver.files["/groove.wav"] = wav_bytes(render_groove(120, tonic=9, scale="minor", seconds=8.0))
    upload = api.client.post("/sonic/upload", json={"url": f"{api.receiver.url}/groove.wav"})
    assert upload.status_code == 200, upload.text
    clip_id = upload.json()["clip_id"]
    bpm = api.client.post("/sonic/bpm", json={"clip_id": clip_id})
    assert bpm.status_code == 200, bpm.text
    assert abs(bpm.json()["data"]["bpm"] - 120) < 1.5 and bpm.json()["data"]["key"] == "A minor"
    extended = create(
        api, task_type="extend_upload_music", continue_clip_id=clip_id, continue_at=4.0, tags="funk, bass"
    )
    source, _ = audio(api, f"{api.url}/v1/audio/{clip_id}")
    longer, _ = audio(api, f"{api.url}/v1/audio/{extended['data'][0]['clip_id']}")
    assert np.array_equal(longer[: 2 * 44100], source[: 2 * 44100])
    assert abs(extended["data"][0]["duration"] - (4.0 + SONG_SECONDS)) < 0.6  # start moves to a downbeat
    missing = api.client.post("/sonic/upload", json={"url": f"{api.receiver.url}/missing.wav"})
    assert missing.status_code == 400 and missing.json()["field"] == "url"


@pytest.mark.usefixtures("speech_env")
def test_aligned_lyrics_and_midi_of_uploaded_audio(api: MusicApi, tmp_path: Path) -> None:
    spoken = say("the birch canoe slid on the smooth planks", tmp_path / "say.wav")
    api.receiver.files["/say.wav"] = spoken.read_bytes()
    clip_id = api.client.post("/sonic/upload", json={"url": f"{api.receiver.url}/say.wav"}).json()["clip_id"]
    aligned = api.client.post("/sonic/aligned-lyrics", json={"clip_id": clip_id})
    assert aligned.status_code == 200, aligned.text
    words = aligned.json()["data"]["alignment"]
    heard = [w["word"].lower().strip(".,") for w in words]
    assert len({"birch", "canoe", "slid", "smooth", "planks"} & set(heard)) >= 3  # Whisper base mishears some
    assert all(0 <= w["start_s"] < w["end_s"] for w in words)
    assert [w["start_s"] for w in words] == sorted(w["start_s"] for w in words)
    api.receiver.files["/groove.wav"] = wav_bytes(render_groove(100, tonic=0, scale="major", seconds=4.0))
    groove = api.client.post("/sonic/upload", json={"url": f"{api.receiver.url}/groove.wav"}).json()[
        "clip_id"
    ]
    midi = api.client.post("/sonic/midi", json={"clip_id": groove})
    assert midi.status_code == 200, midi.text
    data = midi.json()["data"]
    assert data["source"] == "transcription" and data["note_count"] > 10
    parsed = mido.MidiFile(file=io.BytesIO(api.native.get(data["midi_url"]).content))
    assert sum(1 for t in parsed.tracks for m in t if m.type == "note_on" and m.velocity) > 10


def test_batch(api: MusicApi, song: dict[str, Any]) -> None:
    clip_id = song["data"][1]["clip_id"]
    items = [
        {"task_type": "concat_music", "continue_clip_id": clip_id},
        {"mv": "sonic-v9", "gpt_description_prompt": "x"},
        {"task_type": "concat_music", "continue_clip_id": clip_id},
    ]
    answer = api.client.post("/sonic/batch", json={"items": items}).json()
    assert answer["submitted"] == 2 and answer["tasks"][1]["error"]["field"] == "mv"
    deadline = time.monotonic() + 60
    while (state := api.client.get("/sonic/batch", params={"batch_id": answer["batch_id"]}).json())[
        "state"
    ] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert [t["data"][0]["state"] for t in state["tasks"]] == ["succeeded", "succeeded"]
    too_many = api.client.post("/sonic/batch", json={"items": items * 4})
    assert too_many.status_code == 400 and too_many.json()["field"] == "items"


def test_errors_in_musicapi_shape(api: MusicApi, song: dict[str, Any]) -> None:
    def error(method: str, path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
        response = api.client.request(method, path, **kwargs)
        assert response.status_code >= 400
        body = response.json()
        assert body["code"] == response.status_code and body["message"]
        return response.status_code, body

    clip_id = song["data"][0]["clip_id"]
    no_key = api.native.get(f"{api.base}/get-credits", headers={"Authorization": ""})
    assert no_key.status_code == 401 and no_key.json()["code"] == 401
    assert error("POST", "/sonic/create", json={"mv": "sonic-v9"})[1]["field"] == "mv"
    assert error("POST", "/sonic/create", json={"title": "x" * 81})[1]["field"] == "title"
    assert error("POST", "/sonic/create", json={"mv": "sonic-v5"})[1]["field"] == "gpt_description_prompt"
    late = {"task_type": "extend_music", "continue_clip_id": clip_id, "continue_at": 99, "tags": "pop"}
    assert error("POST", "/sonic/create", json=late)[1]["field"] == "continue_at"
    unknown = {"task_type": "extend_music", "continue_clip_id": "res_nope", "tags": "pop"}
    status, body = error("POST", "/sonic/create", json=unknown)
    assert status == 404 and body["field"] == "continue_clip_id"
    for kind in ("cover_upload_music", "persona_music"):
        assert error("POST", "/sonic/create", json={"task_type": kind, "continue_clip_id": clip_id})[0] == 501
    lyrics = {"custom_mode": True, "prompt": f"[Verse]\n{BLOCKED_WORD} tonight", "tags": "pop"}
    status, body = error("POST", "/sonic/create", json=lyrics)
    assert status == 403 and body["field"] == "prompt" and body["error"] == "content_policy_violation"
    assert error("GET", "/sonic/task/job_nope")[1]["message"] == "task not found."
    assert error("POST", "/sonic/stems/full", json={})[1]["field"] == "clip_id"
    assert error("POST", "/sonic/stems/full", json={"clip_id": "res_nope"})[0] == 404


def test_idempotency_key(api: MusicApi, song: dict[str, Any]) -> None:
    body = {"task_type": "concat_music", "continue_clip_id": song["data"][0]["clip_id"], "title": "A"}
    headers = {"Idempotency-Key": "concat-once"}
    first = api.client.post("/sonic/create", json=body, headers=headers).json()
    again = api.client.post("/sonic/create", json=body, headers=headers).json()
    assert first["task_id"] == again["task_id"]
    other = api.client.post("/sonic/create", json={**body, "title": "B"}, headers=headers)
    assert other.status_code == 409 and other.json()["field"] == "Idempotency-Key"


def test_failed_task_is_refunded_and_reported(tmp_path: Path) -> None:
    with music_api(tmp_path / "data", workers=0, credits_amount=10.0) as api:
        hook = f"{api.receiver.url}/failed"
        task_id = api.client.post(
            "/sonic/create",
            json={"gpt_description_prompt": "dark techno", "webhook_url": hook, "webhook_secret": "k"},
        ).json()["task_id"]
        assert api.client.get("/get-credits").json()["credits"] < 10.0  # reserved
        assert api.client.get(f"/sonic/task/{task_id}").status_code == 202
        claimed = api.services.queue.claim("wrk_test")
        assert claimed is not None and claimed.id == task_id
        api.services.queue.fail(
            task_id, "wrk_test", code="task_error", message="engine broke", retryable=False
        )
        failed = poll(api, task_id)
        assert failed["state"] == "failed" and failed["error_type"] == "api_error"
        assert [s["state"] for s in failed["data"]] == ["failed", "failed"] and failed[
            "message"
        ] == "engine broke"
        assert api.client.get("/get-credits").json() == {"credits": 10.0, "extra_credits": 0}
        wait_until(lambda: api.receiver.posts("/failed"))
        delivery = api.receiver.posts("/failed")[0]
        headers = {k.lower(): v for k, v in delivery["headers"].items()}
        assert headers["x-webhook-event"] == "song.failed"
        assert headers["x-webhook-signature"] == _signature("k", headers, delivery["body"])
        assert json.loads(delivery["body"])["data"] == failed["data"]


def test_insufficient_credits_and_rate_limit(tmp_path: Path) -> None:
    with music_api(tmp_path / "data", workers=0, credits_amount=2.0, max_parallel_generations=1) as api:
        first = api.client.post("/sonic/create", json={"gpt_description_prompt": "jazz"})
        assert first.status_code == 200
        busy = api.client.post("/sonic/create", json={"gpt_description_prompt": "jazz"})
        assert busy.status_code == 429 and busy.json()["code"] == 429 and busy.headers["Retry-After"]
        poor = api.client.post("/sonic/create", json={"gpt_description_prompt": "jazz", "duration": 600})
        assert poor.status_code == 402 and poor.json()["code"] == 402
