"""MusicGPT's JSON shapes: the submit answer, a conversion (``byId``, ``byUser``) and the webhook.

A conversion is built from the native job row and its result artifacts (ORM rows), so the same
function serves the API and the webhook outbox. Field names follow the MusicGPT docs:
``{task_id, conversion_id, status, status_msg, conversion_type, audio_url, title,
conversion_cost, createdAt, updatedAt}``, plus the two-song fields Music AI clients read
(``conversion_path_1`` ... ``lyrics_timestamped_2``), the per-type fields (``key``, ``bpm``,
``transcription``...), ``lyrics_timestamped`` (the sung words' times, when a song was sung) and
``files``: every result with its public link.
"""

from __future__ import annotations

from typing import Any

from mixdown.api.compat.musicgpt.conversions import (
    METADATA_KEY,
    STATUSES,
    ConversionType,
    conversion_id,
    status_message,
)
from mixdown.api.compat.musicgpt.endpoints import Endpoint, endpoint_for_job
from mixdown.api.compat.musicgpt.fields import NativeCall
from mixdown.api.compat.musicgpt.files import audio_links, file_url
from mixdown.errors import NotFound
from mixdown.jobs.cost import from_milli
from mixdown.jobs.states import JobStatus, WebhookEvent
from mixdown.service.views import iso

TITLE_CHARS = 80


def vendor_meta(job: Any) -> dict[str, Any]:
    """What this layer stored with the job (conversion type, title, lyrics...)."""
    found = (job.job_metadata or {}).get(METADATA_KEY)
    return found if isinstance(found, dict) else {}


def conversion_type(job: Any) -> str | None:
    """The job's ``conversionType``: the one it was submitted as, or its native task's."""
    stored = vendor_meta(job).get("conversion_type")
    if stored:
        return str(stored)
    endpoint = endpoint_for_job(job.task, None)
    return endpoint.conversion_type.value if endpoint else None


def output_count(job: Any) -> int:
    """How many conversions the job makes (2 for Music AI and its kin)."""
    return int(vendor_meta(job).get("outputs") or 1)


def submitted(native: dict[str, Any], endpoint: Endpoint, call: NativeCall) -> dict[str, Any]:
    """The submit answer: ``{success, message, task_id, conversion_id(_1/_2), eta, credit_estimate}``."""
    job_id = str(native["job_id"])
    body: dict[str, Any] = {"success": True, "message": "Message published to queue", "task_id": job_id}
    if endpoint.pair:
        body["conversion_id_1"] = conversion_id(job_id, 1)
        body["conversion_id_2"] = conversion_id(job_id, 2) if call.outputs > 1 else None
    else:
        body["conversion_id"] = conversion_id(job_id, 1)
    done = native.get("status") == JobStatus.COMPLETE  # answered from the result cache
    body["eta"] = 0 if done else max(1, round(float(native.get("estimated_time") or 0)))
    body["credit_estimate"] = native.get("credit_estimate")
    if call.warnings:
        body["warnings"] = list(call.warnings)
    return body


def _output(results: list[Any], index: int) -> Any | None:
    """The result of conversion ``index``: a generation's mix by variation, else the first result."""
    mixes = [r for r in results if r.kind == "audio"]
    if any("variation" in (r.meta or {}) for r in mixes):
        return next((r for r in mixes if (r.meta or {}).get("variation") == index - 1), None)
    if index != 1:
        return None
    return mixes[0] if mixes else (results[0] if results else None)


def _updated(job: Any) -> str | None:
    return iso(job.finished_at or job.started_at or job.created_at)


def _cost(job: Any) -> float:
    milli = job.credit_charged_milli if job.status == JobStatus.COMPLETE else job.credit_estimate_milli
    return from_milli(milli)


def _title(job: Any) -> str | None:
    title = vendor_meta(job).get("title") or (job.params or {}).get("prompt") or None
    return str(title)[:TITLE_CHARS] if title else None


def _file_view(base_url: str, artifact: Any) -> dict[str, Any]:
    meta = artifact.meta or {}
    view = {"url": file_url(base_url, artifact), "kind": artifact.kind, "format": artifact.format}
    view.update({k: meta[k] for k in ("stem", "variation", "duration", "sample_rate") if k in meta})
    return view


def _per_type(kind: str | None, job: Any) -> dict[str, Any]:
    """The fields of one conversion type, from the native job's metadata."""
    meta = job.job_metadata or {}
    if kind == ConversionType.KEY_BPM_EXTRACTION and job.status == JobStatus.COMPLETE:
        key = meta.get("key_name")
        span = f"0.00-{float(meta.get('duration') or 0):.2f}"
        return {
            "key": key,
            "dominant_key": key,
            "scale": meta.get("scale"),
            "bpm": meta.get("bpm"),
            "key_changes": {span: key} if key else {},
        }
    if kind == ConversionType.AUDIO_TRANSCRIPTION and job.status == JobStatus.COMPLETE:
        return {"transcription": meta.get("text"), "language": meta.get("language")}
    if kind == ConversionType.LYRICS_GENERATOR:
        return {"lyrics": meta.get("lyrics")}
    return {}


def _pair(job: Any, results: list[Any], base_url: str) -> dict[str, Any]:
    """``conversion_id_1`` ... ``lyrics_2``: what Music AI clients read for the two songs."""
    fields: dict[str, Any] = {"album_cover_path": None}
    lyrics, title = vendor_meta(job).get("lyrics"), _title(job)
    for index in range(1, 3):
        present = index <= output_count(job)
        artifact = _output(results, index) if present else None
        links = audio_links(base_url, artifact) if artifact is not None else {}
        fields[f"conversion_id_{index}"] = conversion_id(job.id, index) if present else None
        fields[f"conversion_path_{index}"] = links.get("conversion_path")
        fields[f"conversion_path_wav_{index}"] = links.get("conversion_path_wav")
        fields[f"conversion_duration_{index}"] = (artifact.meta or {}).get("duration") if artifact else None
        fields[f"title_{index}"] = title if present else None
        fields[f"lyrics_{index}"] = lyrics if present else None
        fields[f"lyrics_timestamped_{index}"] = _timestamped(artifact, {}) if present else None
    return fields


def _timestamped(artifact: Any | None, job_meta: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The sung words with their times: the song's own (a generation's mix), else the job's (sing)."""
    words = (artifact.meta or {}).get("word_timings") if artifact is not None else None
    words = words or job_meta.get("word_timings")
    if not isinstance(words, list):
        return None
    return [{"word": w.get("word"), "start": w.get("start"), "end": w.get("end")} for w in words]


def conversion_view(job: Any, results: list[Any], base_url: str, index: int | None = None) -> dict[str, Any]:
    """One conversion: output ``index`` of the job, or (``None``) the job with all its outputs."""
    number = index or 1
    if number > output_count(job):
        raise NotFound(f"No conversion {conversion_id(job.id, number)!r}.", field="conversion_id")
    status = JobStatus(job.status)
    kind = conversion_type(job)
    artifact = _output(results, number) if status is JobStatus.COMPLETE else None
    meta = vendor_meta(job)
    view: dict[str, Any] = {
        "task_id": job.id,
        "conversion_id": conversion_id(job.id, number),
        "conversion_type": kind,
        "status": STATUSES[status],
        "status_msg": status_message(status, job.progress, job.progress_message, job.error_message),
        "audio_url": None,
        "conversion_cost": _cost(job),
        "title": _title(job),
        "lyrics": meta.get("lyrics"),
        "music_style": meta.get("music_style"),
        "createdAt": iso(job.created_at),
        "updatedAt": _updated(job),
    }
    if artifact is not None:
        view.update(audio_links(base_url, artifact))
        view["conversion_duration"] = (artifact.meta or {}).get("duration")
        sung = _timestamped(artifact, job.job_metadata or {})
        if sung is not None:
            view["lyrics_timestamped"] = sung
    view.update(_per_type(kind, job))
    if index is None and _is_pair(kind):
        view.update(_pair(job, results, base_url))
    if meta.get("warnings"):
        view["warnings"] = meta["warnings"]
    view["files"] = [_file_view(base_url, r) for r in results]
    return view


def _is_pair(kind: str | None) -> bool:
    endpoint = endpoint_for_job("", kind)
    return endpoint is not None and endpoint.pair


def webhook_payload(job: Any, results: list[Any], base_url: str, event: str) -> dict[str, Any] | None:
    """The body MusicGPT posts to ``webhook_url`` when a conversion completes (or fails)."""
    if event not in (WebhookEvent.COMPLETE, WebhookEvent.FAILED):
        return None  # MusicGPT sends no progress or cancellation webhooks
    return conversion_view(job, results, base_url)
