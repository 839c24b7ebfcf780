"""MusicGPT shapes: conversion ids, statuses, byId/webhook views, submit answers, error bodies."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from mixdown.api.compat.musicgpt import WEBHOOK_FORMAT, webhook_headers
from mixdown.api.compat.musicgpt.conversions import (
    ConversionType,
    conversion_id,
    parse_conversion_type,
    split_conversion_id,
)
from mixdown.api.compat.musicgpt.endpoints import BY_PATH
from mixdown.api.compat.musicgpt.errors import error_shape
from mixdown.api.compat.musicgpt.fields import NativeCall
from mixdown.api.compat.musicgpt.views import conversion_view, submitted
from mixdown.errors import NotFound, ValidationFailed
from mixdown.webhooks.formats import webhook_format
from mixdown.webhooks.signing import verify

BASE = "http://mix.test"
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
T1 = datetime(2026, 1, 1, 12, 0, 30, tzinfo=UTC)
WEBHOOK_FIELDS = {
    "task_id",
    "status",
    "status_msg",
    "conversion_type",
    "audio_url",
    "title",
    "conversion_cost",
    "createdAt",
    "updatedAt",
}


def job(status: str = "complete", **overrides: Any) -> SimpleNamespace:
    values: dict[str, Any] = {
        "id": "job_abc",
        "task": "convert",
        "status": status,
        "progress": 1.0 if status == "complete" else 0.25,
        "progress_message": None,
        "created_at": T0,
        "started_at": T0,
        "finished_at": T1 if status in ("complete", "failed") else None,
        "params": {},
        "credit_estimate_milli": 300,
        "credit_charged_milli": 250,
        "job_metadata": {"musicgpt": {"conversion_type": "FILE_CONVERT", "outputs": 1}},
        "error_message": None,
    }
    values.update(overrides)
    return SimpleNamespace(**values)


def artifact(rid: str, kind: str = "audio", fmt: str = "wav", **meta: Any) -> SimpleNamespace:
    return SimpleNamespace(id=rid, kind=kind, format=fmt, sha256="f" * 64, meta=meta)


def test_conversion_ids_round_trip_and_refuse_junk() -> None:
    assert split_conversion_id(conversion_id("job_x1y2", 2)) == ("job_x1y2", 2)
    for junk in ("job_x1y2", "job_x1y2-0", "-1", "job_x-two"):
        with pytest.raises(NotFound):
            split_conversion_id(junk)


def test_conversion_type_parsing() -> None:
    assert parse_conversion_type("music_ai", required=True) is ConversionType.MUSIC_AI
    assert parse_conversion_type(None, required=False) is None
    for bad, required in ((None, True), ("MUSIC", True)):
        with pytest.raises(ValidationFailed) as err:
            parse_conversion_type(bad, required=required)
        assert err.value.field == "conversionType"
    assert len(ConversionType) == 23


def test_completed_conversion_has_the_documented_fields_and_public_links() -> None:
    view = conversion_view(job(), [artifact("res_1", duration=2.0)], BASE)
    assert view["status"] == "COMPLETED" and view["status_msg"] == "Conversion successful"
    assert view["conversion_type"] == "FILE_CONVERT" and view["conversion_id"] == "job_abc-1"
    assert view["createdAt"] == "2026-01-01T12:00:00Z" and view["updatedAt"] == "2026-01-01T12:00:30Z"
    assert view["conversion_cost"] == 0.25 and view["conversion_duration"] == 2.0
    token = "f" * 32
    assert view["audio_url"] == f"{BASE}/api/public/v1/files/res_1/{token}.wav"
    assert view["conversion_path"].endswith(".mp3") and view["conversion_path_wav"].endswith(".wav")
    assert {"lyrics", "music_style", "title"} <= set(view)


def test_running_and_failed_conversions() -> None:
    running = conversion_view(job("processing", progress_message="encoding"), [], BASE)
    assert running["status"] == "IN_QUEUE" and running["status_msg"] == "Processing (25%): encoding"
    assert running["audio_url"] is None and running["conversion_cost"] == 0.3
    failed = conversion_view(job("failed", error_message="the input is silent"), [], BASE)
    assert failed["status"] == "FAILED" and failed["status_msg"] == "the input is silent"


def test_music_ai_view_gives_both_songs_by_task_and_one_by_conversion_id() -> None:
    meta = {"musicgpt": {"conversion_type": "MUSIC_AI", "outputs": 2, "title": "Drive", "lyrics": "la"}}
    songs = [
        artifact("res_a", fmt="mp3", variation=0, duration=3.0),
        artifact("res_b", fmt="mp3", variation=1),
    ]
    stem = artifact("res_s", kind="stem", fmt="mp3", variation=0, stem="drums")
    whole = conversion_view(job(task="generate", job_metadata=meta), [*songs, stem], BASE)
    assert whole["conversion_id_1"] == "job_abc-1" and whole["conversion_id_2"] == "job_abc-2"
    assert "res_a" in whole["conversion_path_1"] and "res_b" in whole["conversion_path_2"]
    assert whole["title_2"] == "Drive" and whole["lyrics_1"] == "la" and whole["album_cover_path"] is None
    assert [f["kind"] for f in whole["files"]] == ["audio", "audio", "stem"]
    second = conversion_view(job(task="generate", job_metadata=meta), songs, BASE, 2)
    assert second["conversion_id"] == "job_abc-2" and "res_b" in second["audio_url"]
    assert "conversion_id_1" not in second
    with pytest.raises(NotFound):
        conversion_view(job(task="generate", job_metadata=meta), songs, BASE, 3)


def test_key_bpm_fields_come_from_the_native_metadata() -> None:
    meta = {
        "musicgpt": {"conversion_type": "KEY_BPM_EXTRACTION"},
        "key_name": "G major",
        "scale": "major",
        "bpm": 124.0,
        "duration": 10.0,
    }
    view = conversion_view(
        job(task="key-bpm", job_metadata=meta), [artifact("res_j", "analysis", "json")], BASE
    )
    assert (view["key"], view["dominant_key"], view["bpm"]) == ("G major", "G major", 124.0)
    assert view["key_changes"] == {"0.00-10.00": "G major"}
    assert view["audio_url"] is None and view["conversion_path"].endswith(".json")


def test_native_jobs_get_the_type_of_their_task() -> None:
    view = conversion_view(job(task="cut", job_metadata={}), [], BASE)
    assert view["conversion_type"] == "AUDIO_CUTTER"


def test_webhook_payload_and_unsigned_headers() -> None:
    fmt = webhook_format("musicgpt")
    assert fmt is WEBHOOK_FORMAT
    payload = fmt.payload(job(), [artifact("res_1")], BASE, "complete")
    assert payload is not None and set(payload) >= WEBHOOK_FIELDS
    assert fmt.payload(job("processing"), [], BASE, "progress") is None
    failed = fmt.payload(job("failed", error_message="boom"), [], BASE, "failed")
    assert failed is not None and failed["status"] == "FAILED"
    body = json.dumps(payload).encode()
    assert fmt.headers(None, "msg_1", 1_700_000_000, body) == {"content-type": "application/json"}
    signed = webhook_headers("s3cret", "msg_1", int(T0.timestamp()), body)
    verify(signed, body, "s3cret", now=T0.timestamp())


def test_submit_answers() -> None:
    native = {"job_id": "job_q", "estimated_time": 3.6, "credit_estimate": 0.5}
    single = submitted(native, BY_PATH["file_convert"], NativeCall(fields={}))
    assert single == {
        "success": True,
        "message": "Message published to queue",
        "task_id": "job_q",
        "conversion_id": "job_q-1",
        "eta": 4,
        "credit_estimate": 0.5,
    }
    pair = submitted(native, BY_PATH["inpaint"], NativeCall(fields={}, outputs=1, warnings=("gender: x",)))
    assert pair["conversion_id_1"] == "job_q-1" and pair["conversion_id_2"] is None
    assert pair["warnings"] == ["gender: x"] and "conversion_id" not in pair


def test_error_body_and_documented_statuses() -> None:
    response = error_shape(
        401, {"code": "unauthorized", "message": "No key."}, {"WWW-Authenticate": "Bearer"}
    )
    assert response.status_code == 403 and "www-authenticate" not in response.headers
    body = json.loads(bytes(response.body))
    assert body == {"success": False, "message": "No key.", "detail": "No key.", "code": "unauthorized"}
    limited = error_shape(429, {"code": "rate_limited", "message": "Slow down."}, {"Retry-After": "5"})
    assert limited.status_code == 429 and limited.headers["retry-after"] == "5"
    funds = error_shape(402, {"code": "insufficient_credits", "message": "Top up.", "field": "credits"}, None)
    assert funds.status_code == 402 and json.loads(bytes(funds.body))["field"] == "credits"
