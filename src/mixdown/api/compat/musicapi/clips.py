"""Clips: a MusicAPI ``clip_id`` is the id of a mix result (``res_...``) of one of the caller's jobs.

A generation delivers, per variation, its mix (``kind="audio"``), stems and MIDI; the clip is the
mix, and its stems and MIDI are the results of the same job with the same ``variation``. An
uploaded or concatenated clip is the one result of a ``convert`` job.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from mixdown.errors import NotFound
from mixdown.service.container import Services
from mixdown.service.keys import Caller
from mixdown.storage.models import Artifact, Job

AUDIO_KINDS = ("audio",)


@dataclass(frozen=True)
class Clip:
    """A clip (its mix) and the job that made it."""

    mix: Artifact
    job: Job

    @property
    def id(self) -> str:
        """The clip id."""
        return self.mix.id

    @property
    def variation(self) -> int:
        """Which of the job's songs this is."""
        return int(self.mix.meta.get("variation", 0))

    @property
    def generated(self) -> bool:
        """Whether the embedded composer made it (it then has exact stems, MIDI and a hash)."""
        return self.job.task == "generate" and bool(self.mix.meta.get("hash"))

    @property
    def info(self) -> dict[str, Any]:
        """What the MusicAPI layer kept about the request that made it."""
        return dict((self.job.job_metadata or {}).get("musicapi", {}))


def own_clip(services: Services, caller: Caller, clip_id: str, *, field: str = "clip_id") -> Clip:
    """The caller's unexpired clip ``clip_id``; 404 naming ``field`` otherwise."""
    with services.db.read() as session:
        mix = session.get(Artifact, clip_id)
        job = session.get(Job, mix.job_id) if mix is not None and mix.job_id else None
    if (
        mix is None
        or job is None
        or mix.key_id != caller.key_id
        or mix.role != "result"
        or mix.kind not in AUDIO_KINDS
        or mix.expired
    ):
        raise NotFound(f"{field}: clip {clip_id!r} not found.", field=field)
    return Clip(mix=mix, job=job)


def parts(services: Services, clip: Clip) -> list[Artifact]:
    """The stems and MIDI file delivered with the clip (same job, same variation)."""
    with services.db.read() as session:
        rows = session.scalars(
            select(Artifact)
            .where(Artifact.job_id == clip.job.id, Artifact.role == "result", Artifact.expired.is_(False))
            .order_by(Artifact.position)
        )
        return [a for a in rows if a.kind in ("stem", "midi") and a.meta.get("variation") == clip.variation]


def result_json(services: Services, artifact_id: str) -> dict[str, Any]:
    """The parsed JSON document of a result (a transcript, an analysis)."""
    with services.db.read() as session:
        artifact = session.get_one(Artifact, artifact_id)
    data: dict[str, Any] = json.loads(services.store.local_path(artifact.storage_key).read_text("utf-8"))
    return data
