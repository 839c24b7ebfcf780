"""The MusicAPI layer's pure parts: request models, translation to native submits, views, webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from starlette.exceptions import HTTPException

from mixdown.api.compat.musicapi import error_shape
from mixdown.api.compat.musicapi.clips import Clip
from mixdown.api.compat.musicapi.models import BatchRequest, CreateRequest, TaskType, native_model, parse
from mixdown.api.compat.musicapi.tools import alignment_view, derived_id, split_derived, stems_view
from mixdown.api.compat.musicapi.translate import NOT_SUNG, rename_field, style_prompt, to_submit
from mixdown.api.compat.musicapi.views import derived_tags, failed_view, not_ready_view, songs_view
from mixdown.api.compat.musicapi.webhook import headers, payload
from mixdown.errors import ValidationFailed

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _clip(*, generated: bool = True, info: dict[str, Any] | None = None, prompt: str = "lofi") -> Clip:
    mix = SimpleNamespace(
        id="res_mix", meta={"variation": 1, "duration": 3.0, **({"hash": "h1"} if generated else {})}
    )
    job = SimpleNamespace(
        id="job_src",
        task="generate" if generated else "convert",
        params={"prompt": prompt} if generated else {"target_format": "flac"},
        job_metadata={"musicapi": info or {}},
    )
    return Clip(mix=mix, job=job)  # type: ignore[arg-type]


def _submit(body: dict[str, Any], clip: Clip | None = None, seconds: float | None = None) -> Any:
    return to_submit(
        parse(CreateRequest, body),
        clip=lambda _id, _field: clip or _clip(),
        song_seconds=seconds,
        idempotency_key="k",
    )


def _job(status: str = "complete", **extra: Any) -> SimpleNamespace:
    fields: dict[str, Any] = {
        "id": "job_1",
        "task": "generate",
        "status": status,
        "progress": 0.25,
        "created_at": NOW,
        "finished_at": NOW,
        "error_code": None,
        "error_message": None,
        "job_metadata": {
            "musicapi": {"title": "Night Drive", "mv": "sonic-v5", "songs": 2, "notice": NOT_SUNG},
            "model": "mixdown-composer",
            "genre": "synthwave",
            "moods": ["energetic"],
            "instruments": ["saw lead", "saw lead"],
        },
    }
    return SimpleNamespace(**{**fields, **extra})


def test_models_validate_like_musicapi() -> None:
    assert parse(CreateRequest, {"mv": "chirp-v4", "persona_id": "ignored"}).mv == "chirp-v4"
    with pytest.raises(ValidationFailed) as bad_mv:
        parse(CreateRequest, {"mv": "sonic-v9"})
    assert bad_mv.value.field == "mv" and bad_mv.value.message.startswith("mv: The 'mv' field is invalid")
    with pytest.raises(ValidationFailed) as long_lyrics:
        parse(CreateRequest, {"mv": "sonic-v4", "custom_mode": True, "prompt": "la " * 1001})
    assert "3000" in long_lyrics.value.message
    assert parse(CreateRequest, {"mv": "sonic-v5", "prompt": "la " * 1001}).prompt
    with pytest.raises(ValidationFailed) as too_many:
        parse(BatchRequest, {"items": [{}] * 11})
    assert too_many.value.field == "items"
    assert native_model("sonic-v4-5-plus") == "mixdown-composer" and native_model("musicgen") == "musicgen"


def test_create_music_is_a_two_song_generation() -> None:
    submit = _submit({"gpt_description_prompt": "uplifting synthwave", "tags": "retro"}, seconds=4.0)
    assert submit.task == "generate" and submit.api_shape == "musicapi" and submit.idempotency_key == "k"
    assert submit.fields == {
        "prompt": "uplifting synthwave, retro",
        "model": "mixdown-composer",
        "num_variations": 2,
        "instrumental": True,
        "output_format": "flac",
        "stems": True,
        "duration": 4.0,
    }
    info = submit.metadata["musicapi"]
    assert info["title"] == "Uplifting synthwave" and info["notice"] == NOT_SUNG and info["songs"] == 2
    quiet = _submit({"gpt_description_prompt": "piano", "make_instrumental": True, "duration": 9})
    assert quiet.fields["duration"] == 9 and "notice" not in quiet.metadata["musicapi"]
    hooked = _submit(
        {"gpt_description_prompt": "x", "webhook_url": "https://h.example/x", "webhook_secret": "s"}
    )
    assert hooked.fields["webhook_url"] == "https://h.example/x" and hooked.fields["webhook_secret"] == "s"


def test_custom_mode_prompt_from_tags_title_or_lyrics() -> None:
    lyrics = "[Verse]\nCity lights"
    body = {"custom_mode": True, "prompt": lyrics, "title": "Night Drive", "tags": "synthwave, retro"}
    submit = _submit({**body, "negative_tags": "drums, piano"})
    assert submit.fields["prompt"] == "synthwave, retro, Night Drive, without drums or piano"
    assert submit.metadata["musicapi"]["lyrics"] == lyrics and "duration" not in submit.fields
    only_lyrics = parse(CreateRequest, {"custom_mode": True, "prompt": lyrics})
    assert style_prompt(only_lyrics) == lyrics and style_prompt(only_lyrics, lyrics=False) == ""
    with pytest.raises(ValidationFailed) as empty:
        _submit({"custom_mode": False})
    assert empty.value.field == "gpt_description_prompt"


def test_custom_mode_lyrics_are_sung_by_the_vocal_gender() -> None:
    lyrics = "[Verse]\nCity lights"
    body = {"custom_mode": True, "prompt": lyrics, "tags": "synthwave", "vocal_gender": "f"}
    submit = _submit(body)
    assert submit.fields["lyrics"] == lyrics and submit.fields["instrumental"] is False
    assert submit.fields["gender"] == "female" and submit.fields["prompt"] == "synthwave"
    assert "notice" not in submit.metadata["musicapi"] and submit.metadata["musicapi"]["lyrics"] == lyrics
    instrumental = _submit({**body, "make_instrumental": True})
    assert "lyrics" not in instrumental.fields and instrumental.fields["instrumental"] is True
    assert "notice" not in instrumental.metadata["musicapi"]  # asked for an instrumental: nothing missing
    short = _submit(body, seconds=3.0)  # a configured song length too short for a line
    assert "lyrics" not in short.fields and short.fields["instrumental"] is True
    assert short.metadata["musicapi"]["notice"].startswith("this server's song length (3 s) is too short")
    assert _submit({**body, "duration": 3}).fields["lyrics"] == lyrics  # asked for: the native 422 says
    with pytest.raises(ValidationFailed) as bad:
        _submit({**body, "vocal_gender": "x"})
    assert bad.value.field == "vocal_gender"
    create = parse(CreateRequest, body)
    assert rename_field(ValidationFailed("lyrics: no words", field="lyrics"), create).field == "prompt"
    assert rename_field(ValidationFailed("gender: x", field="gender"), create).field == "vocal_gender"


def test_extend_continues_the_clip_and_inherits_its_song() -> None:
    source = _clip(info={"title": "Sunrise", "tags": "lofi", "lyrics": "la"})
    submit = _submit(
        {"task_type": "extend_music", "continue_clip_id": "res_mix", "continue_at": 12.5}, source, 30
    )
    assert submit.fields["input_audio"] == "res_mix" and submit.fields["continuation_start"] == 12.5
    assert submit.fields["prompt"] == "lofi" and submit.fields["duration"] == 30  # the source's own prompt
    info = submit.metadata["musicapi"]
    assert (info["title"], info["tags"], info["lyrics"], info["source_clip_id"]) == (
        "Sunrise",
        "lofi",
        "la",
        "res_mix",
    )
    with pytest.raises(ValidationFailed) as missing:
        _submit({"task_type": "extend_upload_music"})
    assert missing.value.field == "continue_clip_id"
    with pytest.raises(ValidationFailed) as no_style:
        _submit({"task_type": "extend_upload_music", "continue_clip_id": "res_mix"}, _clip(generated=False))
    assert no_style.value.field == "tags"


def test_cover_is_a_remix_and_concat_a_copy() -> None:
    cover = _submit({"task_type": "cover_music", "continue_clip_id": "res_mix", "tags": "jazz"}, seconds=5)
    assert cover.fields["from_hash"] == "h1" and cover.fields["operation"] == "remix"
    assert cover.fields["prompt"] == "jazz" and "duration" not in cover.fields
    with pytest.raises(HTTPException) as outside:
        _submit({"task_type": "cover_music", "continue_clip_id": "x", "tags": "jazz"}, _clip(generated=False))
    assert outside.value.status_code == 501
    concat = _submit({"task_type": "concat_music", "continue_clip_id": "res_mix"})
    assert concat.task == "convert" and concat.fields == {"input_audio": "res_mix", "target_format": "flac"}
    assert concat.metadata["musicapi"]["songs"] == 1
    for kind in ("persona_music", "cover_upload_music"):
        with pytest.raises(HTTPException) as missing:
            _submit({"task_type": kind, "continue_clip_id": "res_mix"})
        assert missing.value.status_code == 501 and kind in str(missing.value.detail)


def test_native_errors_name_musicapi_fields() -> None:
    extend = parse(CreateRequest, {"task_type": "extend_music"})
    error = rename_field(
        ValidationFailed("continuation_start: past the end", field="continuation_start"), extend
    )
    assert (error.field, error.message) == ("continue_at", "continue_at: past the end")
    create = parse(CreateRequest, {"custom_mode": True})
    assert rename_field(ValidationFailed("prompt: refused", field="prompt"), create).field == "tags"
    assert rename_field(ValidationFailed("model: x", field="model"), create).field == "mv"
    assert rename_field(ValidationFailed("seed: x", field="seed"), create).field == "seed"
    assert TaskType("concat_music") is TaskType.CONCAT


def test_song_views() -> None:
    mixes = [SimpleNamespace(id=f"res_{i}", kind="audio", meta={"duration": 3.0, "seed": i}) for i in (1, 2)]
    stem = SimpleNamespace(id="res_s", kind="stem", meta={"stem": "bass"})
    body = songs_view(_job(), [mixes[0], stem, mixes[1]], "http://h:1/")
    assert body["code"] == 200 and body["message"] == "success" and body["task_id"] == "job_1"
    first = body["data"][0]
    assert first["clip_id"] == "res_1" and first["audio_url"] == "http://h:1/v1/audio/res_1?format=mp3"
    assert first["title"] == "Night Drive" and first["tags"] == "synthwave, energetic, saw lead"
    assert first["created_at"] == "2026-01-02T03:04:05Z" and first["state"] == "succeeded"
    assert first["image_url"] is None and first["notice"] == NOT_SUNG and first["seed"] == 1
    assert derived_tags({"genre": "lofi_hip_hop"}) == "lofi hip hop"


def test_failed_and_not_ready_views() -> None:
    failed = failed_view(_job("failed", error_code="worker_lost", error_message="gone"))
    assert failed["state"] == "failed" and failed["error_type"] == "timeout" and failed["message"] == "gone"
    assert [s["state"] for s in failed["data"]] == ["failed", "failed"] and failed["credits_refunded"]
    assert failed_view(_job("cancelled", error_code="cancelled"))["error_type"] == "api_error"
    waiting = not_ready_view(_job("queued"))
    assert waiting["type"] == "not_ready" and waiting["state"] == "pending" and waiting["code"] == 202
    assert not_ready_view(_job("processing"))["state"] == "running"


def test_webhook_body_and_signature() -> None:
    assert payload(_job(), [], "http://h", "progress") is None
    assert payload(_job("failed", error_message="x"), [], "http://h", "failed")["state"] == "failed"  # type: ignore[index]
    body = json.dumps(payload(_job(), [], "http://h", "complete")).encode()
    sent = headers("s3cret", "msg_1", 1700000000, body)
    expected = hmac.new(b"s3cret", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert sent["X-Webhook-Signature"] == f"sha256={expected}"
    assert (
        sent["X-Webhook-Event"] == "song.completed"
        and sent["Idempotency-Key"] == sent["X-Webhook-Id"] == "msg_1"
    )
    failed = json.dumps(failed_view(_job("failed"))).encode()
    unsigned = headers(None, "msg_2", 1700000000, failed)
    assert unsigned["X-Webhook-Event"] == "song.failed" and "X-Webhook-Signature" not in unsigned


def test_error_shape_statuses() -> None:
    def answer(status: int, code: str) -> tuple[int, dict[str, Any]]:
        response = error_shape(status, {"code": code, "message": "m", "field": "f"}, {"Retry-After": "5"})
        return response.status_code, json.loads(bytes(response.body))

    assert answer(422, "validation_error") == (
        400,
        {"code": 400, "message": "m", "error": "validation_error", "field": "f"},
    )
    assert answer(400, "content_policy_violation")[0] == 403
    assert answer(402, "insufficient_credits")[0] == 402
    assert (
        error_shape(429, {"code": "rate_limited", "message": "m"}, {"Retry-After": "5"}).headers[
            "retry-after"
        ]
        == "5"
    )


def test_tools() -> None:
    assert split_derived(derived_id("stems-full", "res_a")) == ("stems-full", "res_a")
    assert split_derived("job_abc") is None and split_derived("wav.") is None
    clip = _clip(info={"title": "T"})
    bass = SimpleNamespace(id="res_b", kind="stem", meta={"stem": "bass", "duration": 3.0})
    vocals = SimpleNamespace(id="res_v", kind="stem", meta={"stem": "vocals", "duration": 3.0})
    basic = stems_view(clip, [bass], "http://h", full=False)["data"]
    assert [e["stem"] for e in basic] == ["vocals", "instrumental"] and basic[1]["clip_id"] == "res_mix"
    with_voice = stems_view(clip, [bass, vocals], "http://h", full=False)["data"]
    assert [e["stem"] for e in with_voice] == ["vocals", "bass"] and with_voice[1]["title"] == "T (Bass)"
    with pytest.raises(HTTPException):
        stems_view(_clip(generated=False), [], "http://h", full=True)
    transcript = {"segments": [{"words": [{"word": " hi", "start": 0.5, "end": 0.9, "probability": 0.8}]}]}
    job = SimpleNamespace(id="job_t", job_metadata={"musicapi": {"source_clip_id": "res_u"}})
    aligned = alignment_view(job, transcript)["data"]
    assert aligned == {
        "clip_id": "res_u",
        "alignment": [{"word": "hi", "success": True, "start_s": 0.5, "end_s": 0.9, "p_align": 0.8}],
    }
