"""MusicAPI response bodies from native jobs and results (poll answers and webhook bodies alike).

Jobs and results come as ORM rows (webhooks) or the status reader's rows (polls); both are read by
attribute. A clip's ``audio_url`` is the native download ``/v1/audio/{clip_id}?format=mp3`` (the
stored file is FLAC; the MP3 is converted once and cached); it needs the same Authorization header.
"""

from __future__ import annotations

from typing import Any

from mixdown.jobs.states import JobStatus
from mixdown.service.views import iso

NOT_READY_MESSAGE = "The task is not finished yet; poll again."
FAILURE_TYPES = {
    "worker_lost": "timeout",
    "timeout": "timeout",
    "content_policy_violation": "forbidden",
    "invalid_input": "bad_request",
    "audio_decode_error": "bad_request",
    "validation_error": "bad_request",
    "url_refused": "bad_request",
}


def audio_url(base_url: str, result_id: str, fmt: str | None = "mp3") -> str:
    """The download URL of a result, converted to ``fmt`` on the fly (``None``: as stored)."""
    url = f"{base_url.rstrip('/')}/v1/audio/{result_id}"
    return f"{url}?format={fmt}" if fmt else url


def info_of(job: Any) -> dict[str, Any]:
    """What the MusicAPI layer kept about the job's request."""
    return dict((job.job_metadata or {}).get("musicapi", {}))


def derived_tags(meta: dict[str, Any]) -> str:
    """Style tags from what the engine made (Sonic writes tags when none were given)."""
    words = [meta.get("genre"), *meta.get("moods", []), *meta.get("instruments", [])]
    tags = ", ".join(dict.fromkeys(str(w).replace("_", " ") for w in words if w))
    return tags[:200].rsplit(",", 1)[0] if len(tags) > 200 else tags


def _song(job: Any, info: dict[str, Any]) -> dict[str, Any]:
    """The fields every song of the job shares."""
    meta = job.job_metadata or {}
    song: dict[str, Any] = {
        "title": info.get("title") or "Untitled",
        "tags": info.get("tags") or derived_tags(meta),
        "lyrics": info.get("lyrics") or "",
        "image_url": None,
        "video_url": None,
        "created_at": iso(job.finished_at or job.created_at),
        "mv": info.get("mv", "sonic-v5"),
        "gpt_description_prompt": info.get("gpt_description_prompt"),
        "negative_tags": info.get("negative_tags"),
        "model_name": meta.get("model") or job.task,
        "task_type": info.get("task_type"),
    }
    if info.get("notice"):
        song["notice"] = info["notice"]
    return song


def clip_view(job: Any, mix: Any, base_url: str) -> dict[str, Any]:
    """One finished song."""
    meta = mix.meta or {}
    view = {
        "clip_id": mix.id,
        "state": "succeeded",
        **_song(job, info_of(job)),
        "audio_url": audio_url(base_url, mix.id),
        "duration": round(float(meta.get("duration", 0.0)), 3),
    }
    for name in ("seed", "hash"):
        if name in meta:
            view[name] = meta[name]
    return view


def songs_view(job: Any, results: list[Any], base_url: str) -> dict[str, Any]:
    """A finished ``sonic/create`` task: its songs (two per generation, one per concat)."""
    data = [clip_view(job, r, base_url) for r in results if r.kind == "audio"]
    return {"code": 200, "data": data, "message": "success", "task_id": job.id}


def failure_type(code: str | None) -> str:
    """The MusicAPI failure class of a native error code (all of them are refunded)."""
    return FAILURE_TYPES.get(code or "", "api_error")


def failed_view(job: Any) -> dict[str, Any]:
    """A task that failed (or was cancelled); its credits were refunded by the native job."""
    info = info_of(job)
    message = job.error_message or "The task failed."
    songs = [
        {"clip_id": None, "state": "failed", **_song(job, info), "audio_url": None, "duration": None}
        for _ in range(int(info.get("songs", 1)))
    ]
    for song in songs:
        song["error_message"] = message
    return {
        "code": 500,
        "state": "failed",
        "error_type": failure_type(job.error_code),
        "credits_refunded": True,
        "data": songs,
        "message": message,
        "task_id": job.id,
    }


def not_ready_view(job: Any) -> dict[str, Any]:
    """A task still queued or running (answered with HTTP 202)."""
    state = "pending" if job.status == JobStatus.QUEUED else "running"
    return {
        "type": "not_ready",
        "code": 202,
        "state": state,
        "progress": round(float(job.progress), 4),
        "data": [],
        "message": NOT_READY_MESSAGE,
        "task_id": job.id,
    }


def is_final(job: Any) -> bool:
    """Whether the job can no longer change."""
    return JobStatus(job.status).is_final
