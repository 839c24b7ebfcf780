"""Soundtracks: regions of new or earlier music placed on one timeline and stored as one result.

Each region becomes an ordinary ``generate`` job: a new piece generated to the region's settled
length, an exact copy of an earlier generation by its hash (``from_hash``), a similar one
(``variation: similar``), or an extension of one (``operation: extend``). Once all have finished,
their mixes are placed on the timeline (``audio.timeline``), levelled (``audio.loudness``),
encoded and stored as one result of the caller, downloadable like any other from
``GET /v1/audio/{id}``. The jobs keep their own results, hashes and credit charges.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal, TypeAlias

from sqlalchemy import select

from mixdown.audio.codec import transcode
from mixdown.audio.loudness import Levelled, level_encoded
from mixdown.audio.timeline import (
    Clip,
    Method,
    RegionTime,
    Span,
    clip_for,
    plan_spans,
    render,
    total_seconds,
)
from mixdown.errors import Gone, NotFound, ValidationFailed
from mixdown.ids import new_id
from mixdown.service.container import Services
from mixdown.service.jobs import own_artifact
from mixdown.service.keys import Caller
from mixdown.service.submit import SubmitRequest
from mixdown.service.waiting import submit_all, wait_for_jobs, wait_seconds
from mixdown.storage.models import Artifact, Job
from mixdown.workers.context import file_sha256

Action: TypeAlias = Literal["generate", "copy", "regenerate", "extend", "silence"]
TIMELINE_RATE = 44100  # every region is generated (or resampled) to this rate
MIN_EXTENSION_SECONDS = 1.0  # an extend region with less room than this over its source is a copy
CEILING_DB = -1.0  # true-peak ceiling of every soundtrack (of the decoded MP3), as of generated pieces
OUTPUT_FORMAT = "mp3"


@dataclass(frozen=True)
class RegionRequest:
    """One region as asked: span, method, action, the generate fields of a new piece, a source hash."""

    time: float
    duration: float
    action: Action = "generate"
    method: Method = "strict"
    fields: dict[str, Any] = field(default_factory=dict)
    source_hash: str | None = None


@dataclass(frozen=True)
class PlannedRegion:
    """A region with its settled span and the ``generate`` job that makes its content (None: silence)."""

    request: RegionRequest
    span: Span
    action: Action  # what is done: an extend without room over its source becomes a copy
    source_seconds: float | None
    job_fields: dict[str, Any] | None


@dataclass(frozen=True)
class Soundtrack:
    """A stored soundtrack: its result, its regions' jobs (None for silence) and the levelling."""

    result: Artifact
    regions: list[PlannedRegion]
    jobs: list[dict[str, Any] | None]
    levelled: Levelled
    duration: float


def source_info(services: Services, caller: Caller, digest: str, *, field: str) -> tuple[float, int]:
    """(seconds, sample rate) of one of the caller's generations; 404 naming ``field`` otherwise."""
    from mixdown.engines.music.rebuild import RECORD_NAMESPACE

    record = services.records.get(caller.key_id, RECORD_NAMESPACE, digest)
    if record is None:
        raise NotFound(f"No generation with hash {digest!r} for this key.", field=field)
    spec = record["spec"]
    return float(spec["duration"]), int(spec["sample_rate"])


def plan(services: Services, caller: Caller, regions: Sequence[RegionRequest]) -> list[PlannedRegion]:
    """Settle every region's span and the job that fills it (404/422 naming the region)."""
    lengths: list[float | None] = []
    for number, region in enumerate(regions):
        hashed = region.action in ("copy", "regenerate", "extend")
        if hashed and not region.source_hash:
            field_name = f"regions.{number}.sourceHash"
            raise ValidationFailed(f"{field_name}: needed for action {region.action!r}", field=field_name)
        source = region.source_hash if hashed else None
        where = f"regions.{number}.sourceHash"
        lengths.append(source_info(services, caller, source, field=where)[0] if source else None)
    times = [
        RegionTime(r.time, r.duration, r.method, length if r.action in ("copy", "regenerate") else None)
        for r, length in zip(regions, lengths, strict=True)
    ]
    try:
        spans = plan_spans(times)
    except ValueError as exc:
        raise ValidationFailed(f"regions: {exc}", field="regions") from None
    return [_planned(r, s, n) for r, s, n in zip(regions, spans, lengths, strict=True)]


def _planned(region: RegionRequest, span: Span, source: float | None) -> PlannedRegion:
    """The job that fills ``span`` for ``region``."""
    common = {"output_format": "wav", "stems": False}
    if region.action == "silence":
        return PlannedRegion(region, span, "silence", None, None)
    if region.action == "generate":
        fields = {**region.fields, **common, "duration": round(span.seconds, 4), "sample_rate": TIMELINE_RATE}
        return PlannedRegion(region, span, "generate", None, fields)
    assert source is not None
    assert region.source_hash is not None
    room = span.seconds - source
    if region.action == "extend" and room >= MIN_EXTENSION_SECONDS:
        extend = {"from_hash": region.source_hash, "operation": "extend", "extend_seconds": round(room, 4)}
        return PlannedRegion(region, span, "extend", source, {**common, **extend})
    action: Action = "regenerate" if region.action == "regenerate" else "copy"
    variation = "similar" if action == "regenerate" else "exact"
    copy = {"from_hash": region.source_hash, "variation": variation, "duration": source}
    return PlannedRegion(region, span, action, source, {**common, **copy})


async def build(
    services: Services,
    caller: Caller,
    regions: Sequence[RegionRequest],
    *,
    base_url: str,
    target_lufs: float | None,
    api_shape: str = "native",
) -> Soundtrack:
    """Plan, run the regions' jobs, wait for them, assemble and store the soundtrack."""
    planned = await asyncio.to_thread(plan, services, caller, regions)
    busy = [(n, p) for n, p in enumerate(planned) if p.job_fields is not None]
    _check_job_count(services, len(busy))
    requests = [
        SubmitRequest(task="generate", fields=dict(p.job_fields or {}), api_shape=api_shape) for _, p in busy
    ]
    labels = [f"regions.{n}" for n, _ in busy]
    submitted = await asyncio.to_thread(submit_all, services, caller, requests, labels=labels)
    ids = [str(s.body["job_id"]) for s in submitted]
    finished = await wait_for_jobs(services, caller, ids, base_url, timeout=wait_seconds(submitted))
    jobs: list[dict[str, Any] | None] = [None] * len(planned)
    for (number, _), job in zip(busy, finished, strict=True):
        jobs[number] = job
    return await asyncio.to_thread(assemble, services, caller, planned, jobs, target_lufs, api_shape)


def _check_job_count(services: Services, count: int) -> None:
    """More regions with music than generation jobs may run at once could never be answered: 422."""
    cap = services.settings.max_parallel_generations
    if services.settings.rate_limits_enabled and count > cap:
        raise ValidationFailed(
            f"regions: at most {cap} regions with music per soundtrack (this one has {count})",
            field="regions",
        )


def mix_of(job: dict[str, Any]) -> dict[str, Any]:
    """The mix (``kind: audio``) among a finished generate job's results."""
    return next(r for r in job["results"] if r["kind"] == "audio")


def assemble(
    services: Services,
    caller: Caller,
    planned: Sequence[PlannedRegion],
    jobs: Sequence[dict[str, Any] | None],
    target_lufs: float | None,
    api_shape: str,
) -> Soundtrack:
    """Place the regions' mixes on the timeline, level it, encode it and store it as a result."""
    total = total_seconds([RegionTime(p.request.time, p.request.duration) for p in planned])
    with tempfile.TemporaryDirectory(dir=services.tmp_dir, prefix="soundtrack-") as folder:
        work = Path(folder)
        clips = [
            _clip(services, caller, p.span, mix_of(job), work)
            for p, job in zip(planned, jobs, strict=True)
            if job is not None
        ]
        frames = round(total * TIMELINE_RATE)
        render(clips, work / "timeline.wav", total_frames=frames, sample_rate=TIMELINE_RATE)
        out = work / f"soundtrack.{OUTPUT_FORMAT}"
        levelled = level_encoded(
            work / "timeline.wav", out, format=OUTPUT_FORMAT, target_lufs=target_lufs, ceiling_db=CEILING_DB
        )
        meta = _meta(total, jobs, levelled, api_shape)
        result = store_result(services, caller, out, fmt=OUTPUT_FORMAT, meta=meta)
    return Soundtrack(result, list(planned), list(jobs), levelled, total)


def _clip(services: Services, caller: Caller, span: Span, mix: dict[str, Any], work: Path) -> Clip:
    path = _at_timeline_rate(services, caller, mix, work)
    return clip_for(path, span, content_seconds=float(mix["duration"]), sample_rate=TIMELINE_RATE)


def _meta(
    total: float, jobs: Sequence[dict[str, Any] | None], levelled: Levelled, api_shape: str
) -> dict[str, Any]:
    return {
        "duration": total,
        "sample_rate": TIMELINE_RATE,
        "channels": 2,
        "api_shape": api_shape,
        "loudness": round(levelled.loudness_out, 2),
        "true_peak_db": round(levelled.true_peak_db, 2),
        "regions": [job["job_id"] if job else None for job in jobs],
    }


def _at_timeline_rate(services: Services, caller: Caller, mix: dict[str, Any], work: Path) -> Path:
    """The mix's stored file, resampled into ``work`` when it is not at the timeline's rate."""
    path = services.store.local_path(own_artifact(services, caller, str(mix["id"])).storage_key)
    if int(mix["sample_rate"]) == TIMELINE_RATE:
        return path
    out = work / f"{mix['id']}.wav"
    transcode(path, out, format="wav", sample_rate=TIMELINE_RATE)
    return out


def store_result(
    services: Services, caller: Caller, path: Path, *, fmt: str, meta: dict[str, Any], kind: str = "audio"
) -> Artifact:
    """Keep ``path`` as a result of the caller that belongs to no job (expires like job results)."""
    now = services.clock.now()
    result_id = new_id("res")
    key = f"results/assembled/{result_id}.{fmt}"
    size = services.store.put_file(key, path)
    artifact = Artifact(
        id=result_id,
        key_id=caller.key_id,
        job_id=None,
        role="result",
        kind=kind,
        format=fmt,
        storage_key=key,
        size_bytes=size,
        sha256=file_sha256(path),
        meta=meta,
        position=0,
        created_at=now,
        expires_at=now + timedelta(days=services.settings.retention_days),
        expired=False,
    )
    with services.db.write() as session:  # expire_on_commit is off: the row stays readable
        session.add(artifact)
    return artifact


def find_result_by_hash(
    services: Services, caller: Caller, digest: str, *, fmt: str, api_shape: str
) -> Artifact | None:
    """The caller's newest unexpired ``fmt`` mix of generation ``digest`` made by an ``api_shape`` job."""
    with services.db.read() as session:
        return session.scalar(
            select(Artifact)
            .join(Job, Job.id == Artifact.job_id)
            .where(
                Artifact.key_id == caller.key_id,
                Artifact.role == "result",
                Artifact.kind == "audio",
                Artifact.format == fmt,
                Artifact.expired.is_(False),
                Artifact.meta["hash"].as_string() == digest,
                Job.api_shape == api_shape,
            )
            .order_by(Artifact.created_at.desc())
            .limit(1)
        )


def shaped_result(services: Services, result_id: str, *, api_shape: str) -> Artifact:
    """A result made for ``api_shape`` (by a job of that shape, or assembled for it); 404 otherwise.

    Vendor shapes whose result URLs need no credentials serve files through this check: only
    results made through that shape are reachable, by their unguessable id.
    """
    with services.db.read() as session:
        artifact = session.get(Artifact, result_id)
        job_shape = None
        if artifact is not None and artifact.job_id is not None:
            job_shape = session.scalar(select(Job.api_shape).where(Job.id == artifact.job_id))
    shape = (
        job_shape if job_shape is not None else (artifact.meta or {}).get("api_shape") if artifact else None
    )
    if artifact is None or artifact.role != "result" or shape != api_shape:
        raise NotFound(f"No file {result_id!r}.", field="result_id")
    if artifact.expired:
        raise Gone(f"File {result_id!r} expired and was deleted under the retention policy.")
    return artifact
