"""The MusicAPI operations on mixdown's services: submit, read a task, answer the clip tools.

Every function here is synchronous (routes run them in the threadpool); a task id is a native job
id, a derived id ``<tool>.<clip_id>`` (``tools.py``) or, for batches, ``batch.<id>.<id>...``.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from starlette.exceptions import HTTPException

from mixdown.api.compat.musicapi import tools
from mixdown.api.compat.musicapi.clips import Clip, own_clip, parts, result_json
from mixdown.api.compat.musicapi.models import BatchRequest, CreateRequest, parse
from mixdown.api.compat.musicapi.translate import SHAPE, not_available, rename_field, to_submit
from mixdown.api.compat.musicapi.views import failed_view, is_final, not_ready_view, songs_view
from mixdown.errors import BadRequest, MixdownError
from mixdown.service.container import Services
from mixdown.service.keys import Caller
from mixdown.service.submit import SubmitRequest, Submitter
from mixdown.storage.status_reader import read_job

BATCH_PREFIX = "batch."
Answer = tuple[int, dict[str, Any]]  # HTTP status and body

# Clip tools run as native jobs: MusicAPI tool -> (native task, native fields).
TOOL_TASKS: dict[str, tuple[str, dict[str, Any]]] = {
    "midi": ("audio-to-midi", {}),
    "bpm": ("key-bpm", {}),
    "aligned_lyrics": ("transcribe", {"word_timestamps": True, "format": "json"}),
}


def credits(services: Services, caller: Caller) -> dict[str, Any]:
    """``get-credits``: the key's spendable balance (native credit units)."""
    from mixdown.service.jobs import credits_view

    return {"credits": credits_view(services, caller)["credits"], "extra_credits": 0}


def create(services: Services, caller: Caller, body: dict[str, Any], idempotency_key: str | None) -> str:
    """Submit a ``sonic/create`` body; returns its task id."""
    req = parse(CreateRequest, body)
    services.content.check(SimpleNamespace(prompt=req.lyrics(), title=req.title))  # what is not sent on
    submit = to_submit(
        req,
        clip=lambda clip_id, field: own_clip(services, caller, clip_id, field=field),
        song_seconds=services.settings.compat_song_seconds,
        idempotency_key=idempotency_key,
    )
    return submit_native(services, caller, submit, req)


def submit_native(
    services: Services, caller: Caller, submit: SubmitRequest, req: CreateRequest | None = None
) -> str:
    """Run the native submit; errors name MusicAPI fields."""
    try:
        accepted = Submitter(services).submit(caller, submit)
    except MixdownError as exc:
        raise (rename_field(exc, req) if req is not None else exc) from None
    return str(accepted.body["job_id"])


def task(services: Services, caller: Caller, task_id: str, base_url: str) -> Answer:
    """``sonic/task/{task_id}``: 202 ``not_ready`` while running, 200 with the result after."""
    derived = tools.split_derived(task_id)
    if derived is not None:
        return 200, derived_answer(services, caller, *derived, base_url=base_url)
    job, results = own_job(services, caller, task_id)
    if not is_final(job):
        return 202, not_ready_view(job)
    if job.status != "complete":
        return 200, failed_view(job)
    return 200, job_answer(services, job, results, base_url)


def own_job(services: Services, caller: Caller, task_id: str) -> tuple[Any, list[Any]]:
    """The caller's job and its results as attribute rows; 400 ``task not found.`` otherwise."""
    row, results = read_job(services.db, task_id)
    if row is None or row["key_id"] != caller.key_id:
        raise BadRequest("task not found.", field="task_id")
    job = SimpleNamespace(**row, job_metadata=row["metadata"])
    return job, [SimpleNamespace(**r) for r in results]


def job_answer(services: Services, job: Any, results: list[Any], base_url: str) -> dict[str, Any]:
    """The 200 body of a finished job, by what it ran."""
    if job.task == "audio-to-midi":
        return tools.midi_job_view(job, results, base_url)
    if job.task == "key-bpm":
        return tools.bpm_view(job, results, base_url)
    if job.task == "transcribe":
        return tools.alignment_view(job, result_json(services, results[0].id))
    return songs_view(job, results, base_url)


def derived_answer(
    services: Services, caller: Caller, tool: str, clip_id: str, *, base_url: str
) -> dict[str, Any]:
    """Stems or WAV of a clip, answered from its own results."""
    try:
        clip = own_clip(services, caller, clip_id)
    except MixdownError:
        raise BadRequest("task not found.", field="task_id") from None
    if tool == "wav":
        return tools.wav_view(clip, base_url)
    return tools.stems_view(clip, parts(services, clip), base_url, full=tool == "stems-full")


def clip_tool(services: Services, caller: Caller, tool: str, clip_id: str) -> str:
    """Check a stems/WAV request now (404 for an unknown clip, 501 without stems); its task id."""
    clip = own_clip(services, caller, clip_id)
    if tool != "wav":
        tools.stems_view(clip, parts(services, clip), "", full=tool == "stems-full")
    return tools.derived_id(tool, clip.id)


def score_midi(services: Services, caller: Caller, clip_id: str, base_url: str) -> dict[str, Any] | None:
    """The exact MIDI of a clip generated here, or None (then it is transcribed)."""
    clip = own_clip(services, caller, clip_id)
    return tools.score_midi_view(clip, parts(services, clip), base_url) if clip.generated else None


def tool_job(services: Services, caller: Caller, tool: str, clip_id: str) -> str:
    """Submit the native job of a clip tool; 501 when this server does not have its task."""
    native, fields = TOOL_TASKS[tool]
    if native not in services.registry:
        raise not_available(f"{tool} is not available: the native task {native!r} is not installed.")
    clip = own_clip(services, caller, clip_id)
    if tool == "aligned_lyrics" and clip.generated:
        raise no_lyrics(clip)
    info = {"task_type": tool, "source_clip_id": clip.id, "title": clip.info.get("title")}
    submit = SubmitRequest(
        task=native,
        fields={**fields, "input_audio": clip.id},
        api_shape=SHAPE,
        metadata={"musicapi": info},
    )
    return submit_native(services, caller, submit)


def no_lyrics(clip: Clip) -> MixdownError:
    """MusicAPI answers not-found for a clip without sung lyrics: every clip generated here."""
    from mixdown.errors import NotFound

    return NotFound(
        f"clip_id: clip {clip.id!r} has no sung lyrics to align (mixdown-composer has no singing voice).",
        field="clip_id",
    )


def upload(services: Services, caller: Caller, url: str) -> str:
    """Fetch and store outside audio as a clip (a native ``convert`` job to FLAC); its job id."""
    submit = SubmitRequest(
        task="convert",
        fields={"audio_url": url, "target_format": "flac"},
        api_shape=SHAPE,
        metadata={"musicapi": {"task_type": "upload", "title": url.rsplit("/", 1)[-1][:80], "songs": 1}},
    )
    try:
        return submit_native(services, caller, submit)
    except MixdownError as exc:
        if exc.field == "audio_url":
            exc.message, exc.field = exc.message.replace("audio_url", "url", 1), "url"
        raise


def batch(
    services: Services, caller: Caller, body: dict[str, Any], idempotency_key: str | None
) -> dict[str, Any]:
    """Submit up to ten create bodies; each is accepted or refused on its own."""
    req = parse(BatchRequest, body)
    tasks: list[dict[str, Any]] = []
    for index, item in enumerate(req.items):
        key = idempotency_key and f"{idempotency_key}:{index}"
        try:
            tasks.append({"index": index, "task_id": create(services, caller, item, key)})
        except MixdownError as exc:
            tasks.append({"index": index, "task_id": None, "error": exc.to_dict()})
        except HTTPException as exc:  # a 501 refuses its item only
            error = {"code": "not_implemented", "message": str(exc.detail)}
            tasks.append({"index": index, "task_id": None, "error": error})
    ids = [t["task_id"] for t in tasks if t["task_id"]]
    batch_id = BATCH_PREFIX + ".".join(ids) if ids else None
    return {"code": 200, "message": "success", "batch_id": batch_id, "submitted": len(ids), "tasks": tasks}


def batch_status(services: Services, caller: Caller, batch_id: str, base_url: str) -> dict[str, Any]:
    """Every task of a batch as ``sonic/task`` answers it; ``state`` is running until all are final."""
    ids = batch_id.removeprefix(BATCH_PREFIX).split(".") if batch_id.startswith(BATCH_PREFIX) else []
    if not ids or not all(ids):
        raise BadRequest("batch_id: not a batch id returned by sonic/batch.", field="batch_id")
    tasks = []
    for task_id in ids:
        status, body = task(services, caller, task_id, base_url)
        tasks.append({"task_id": task_id, "http_status": status, **body})
    running = any(t["http_status"] == 202 for t in tasks)
    return {
        "code": 200,
        "batch_id": batch_id,
        "state": "running" if running else "finished",
        "tasks": tasks,
        "message": "success",
    }
