"""Submitting a job: validate, take the input, price, debit, store, enqueue — or refuse clearly."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mixdown.errors import IdempotencyConflict, InputError, NotFound, RateLimited, ValidationFailed
from mixdown.ids import new_id
from mixdown.jobs.cost import from_milli, to_milli
from mixdown.jobs.states import ACTIVE_STATES, DEFAULT_WEBHOOK_EVENTS, JobStatus, TaskCategory, WebhookEvent
from mixdown.net.ssrf import AddressPolicy
from mixdown.service.cache import CacheMode, answer_from_cache, cache_key, cache_mode, lookup
from mixdown.service.container import Services
from mixdown.service.inputs import AudioSource, Upload, pick_sources, store_audio
from mixdown.service.keys import Caller
from mixdown.service.quotas import check_quotas
from mixdown.service.similar_cache import remember, similar_request
from mixdown.service.views import iso
from mixdown.storage import credits
from mixdown.storage.models import Artifact, IdempotencyRecord, Job
from mixdown.tasks.base import InputAudio, TaskInputs, TaskSpec

CONTROL_FIELDS = frozenset(
    {
        "audio_url",
        "audio_file",
        "input_audio",
        "webhook_url",
        "webhook_secret",
        "webhook_events",
        "priority",
        "task",
        "cache",
    }
)


@dataclass(frozen=True, kw_only=True)
class SubmitRequest:
    """A submit as the router parsed it, whatever its body type."""

    task: str
    fields: dict[str, Any]
    upload: Upload | None = None
    extra_uploads: dict[str, Upload] = field(default_factory=dict)  # file parts besides the main one
    idempotency_key: str | None = None
    api_shape: str = "native"  # a vendor compatibility layer names itself: picks the webhook format
    # The job's first metadata: a vendor layer keeps what its own views need (title, conversion type).
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Submitted:
    """The answer: HTTP status and JSON body (a replay keeps the original's)."""

    status_code: int
    body: dict[str, Any]


def validation_error(exc: ValidationError, prefix: str = "") -> ValidationFailed:
    """A pydantic error as a 422 naming the first bad field and the rule."""
    errors = [
        {
            "field": prefix + ".".join(str(p) for p in e["loc"]) or "body",
            "message": e["msg"],
            "type": e["type"],
        }
        for e in exc.errors()
    ]
    first = errors[0]
    return ValidationFailed(f"{first['field']}: {first['message']}", field=first["field"], errors=errors)


def parse_params(spec: TaskSpec, fields: dict[str, Any]) -> Any:
    """The task's validated parameters (422 on error); audio fields are inputs, not parameters."""
    audio = spec.extra_audio_fields
    raw = {k: v for k, v in fields.items() if k not in CONTROL_FIELDS and k not in audio and v is not None}
    try:
        return spec.parse_params(raw)
    except ValidationError as exc:
        raise validation_error(exc) from None


def parse_webhook(fields: dict[str, Any], policy: AddressPolicy) -> tuple[str | None, str | None, list[str]]:
    """(url, secret, events) of the submit's webhook, checked against the SSRF rule."""
    url = fields.get("webhook_url") or None
    secret = fields.get("webhook_secret") or None
    raw = fields.get("webhook_events")
    if isinstance(raw, str):
        raw = (
            json.loads(raw)
            if raw.strip().startswith("[")
            else [e.strip() for e in raw.split(",") if e.strip()]
        )
    events = list(raw) if raw else [e.value for e in DEFAULT_WEBHOOK_EVENTS]
    allowed = {e.value for e in WebhookEvent}
    bad = [e for e in events if e not in allowed]
    if bad:
        raise ValidationFailed(
            f"webhook_events: unknown event {bad[0]!r}; allowed: {sorted(allowed)}", field="webhook_events"
        )
    if url is not None:
        policy.resolve_and_check(str(url), field="webhook_url")
    return (str(url) if url else None), (str(secret) if secret else None), events


def request_hash(req: SubmitRequest, sources: dict[str, AudioSource]) -> str:
    """What makes two submits 'the same request' for idempotency."""
    fields = {k: v for k, v in req.fields.items() if k not in ("audio_file",)}
    main = sources.get("audio")
    described: dict[str, Any] = {"task": req.task, "fields": fields, "audio": main and main.digest()}
    extra = {name: source.digest() for name, source in sources.items() if name != "audio"}
    if extra:
        described["inputs"] = extra
    if req.metadata:  # a vendor's own fields (a title...) make a different request too
        described["metadata"] = req.metadata
    blob = json.dumps(described, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


class Submitter:
    """Turns ``SubmitRequest`` into a queued job."""

    def __init__(self, services: Services) -> None:
        self.s = services
        self.policy = AddressPolicy(services.settings.url_allowlist)

    def submit(self, caller: Caller, req: SubmitRequest) -> Submitted:
        """Validate, store and enqueue; or raise a ``MixdownError`` saying why not."""
        spec = self.s.registry.get(req.task)
        sources = pick_sources(req.fields, req.upload, spec.extra_audio_fields, req.extra_uploads)
        digest = request_hash(req, sources) if req.idempotency_key else ""
        if req.idempotency_key:
            replay = self._replay(caller, req.idempotency_key, digest)
            if replay is not None:
                return replay
        params = parse_params(spec, req.fields)
        mode = cache_mode(req.fields, self.s.settings)
        self.s.content.check(params)
        webhook = parse_webhook(req.fields, self.policy)
        if spec.category is TaskCategory.CONVERSION:
            self.s.limits.hit("submit", caller.key_id)
        inputs_raw, inputs = self._inputs(caller, spec, sources)
        try:
            spec.check_params(params, inputs)
        except ValidationError as exc:
            raise validation_error(exc) from None
        return self._create(caller, req, spec, params, inputs_raw, inputs, webhook, digest, mode)

    def _inputs(
        self, caller: Caller, spec: TaskSpec, sources: dict[str, AudioSource]
    ) -> tuple[dict[str, Any], TaskInputs]:
        if not spec.takes_audio:
            return {}, TaskInputs()
        if spec.audio_required and "audio" not in sources:
            raise InputError(
                f"Task {spec.name!r} needs audio: give audio_url, audio_file or input_audio.",
                field="audio_url",
            )
        items: dict[str, dict[str, Any]] = {}
        audio: dict[str, InputAudio] = {}
        for name in spec.audio_inputs:
            if name not in sources:
                continue
            item = self._store(caller, sources[name])
            items[name] = item
            audio[name] = InputAudio(
                path=self.s.store.local_path(item["storage_key"]),
                filename=item["filename"],
                format=item["format"],
                duration=item["duration"],
                sample_rate=item["sample_rate"],
                channels=item["channels"],
                size_bytes=item["size_bytes"],
            )
        return ({"audio": items} if items else {}), TaskInputs(audio=audio)

    def _store(self, caller: Caller, source: AudioSource) -> dict[str, Any]:
        if source.result_id is not None:
            source = AudioSource(field=source.field, path=self._result_file(caller, source))
        return store_audio(
            source,
            fetcher=self.s.fetcher,
            store=self.s.store,
            tmp_dir=self.s.tmp_dir,
            max_bytes=self.s.settings.max_upload_bytes,
        )

    def _result_file(self, caller: Caller, source: AudioSource) -> Path:
        """The stored file of one of the caller's own results (404 naming the field otherwise)."""
        with self.s.db.read() as session:
            artifact = session.scalar(
                select(Artifact).where(
                    Artifact.id == source.result_id,
                    Artifact.key_id == caller.key_id,
                    Artifact.role == "result",
                    Artifact.expired.is_(False),
                )
            )
            key = artifact.storage_key if artifact is not None else None
        if key is None or not self.s.store.exists(key):
            raise NotFound(f"No result {source.result_id!r} for this key.", field=source.field)
        return self.s.store.local_path(key)

    def _replay(self, caller: Caller, idem_key: str, digest: str) -> Submitted | None:
        cutoff = self.s.clock.now() - timedelta(hours=self.s.settings.idempotency_hours)
        with self.s.db.read() as session:
            record = session.get(IdempotencyRecord, (caller.key_id, idem_key))
        if record is None or record.created_at < cutoff:
            return None
        if record.request_hash != digest:
            raise IdempotencyConflict(
                "This Idempotency-Key was already used with a different request body.",
                field="Idempotency-Key",
            )
        return Submitted(record.status_code, dict(record.response))

    def _create(
        self,
        caller: Caller,
        req: SubmitRequest,
        spec: TaskSpec,
        params: Any,
        inputs_raw: dict[str, Any],
        inputs: TaskInputs,
        webhook: tuple[str | None, str | None, list[str]],
        digest: str,
        mode: CacheMode = CacheMode.OFF,
    ) -> Submitted:
        now = self.s.clock.now()
        estimate = to_milli(spec.credits(params, inputs))
        job = self._job_row(caller, req, spec, params, inputs_raw, inputs, webhook, estimate, now)
        job.cache_key = cache_key(spec, params, inputs_raw)
        # Embedded before the write transaction: the model must not hold the database lock.
        similar = similar_request(spec, params, inputs_raw) if mode is CacheMode.SIMILAR else None
        try:
            with self.s.db.write() as session:
                hit = None
                if mode is not CacheMode.OFF:
                    hit = lookup(session, job, similar, settings=self.s.settings, now=now)
                if hit is None:  # a hit computes nothing: quotas and the parallel cap do not apply
                    remember(job, similar)
                    check_quotas(
                        self.s, session, spec, params, inputs, caller, price_milli=job.credit_estimate_milli
                    )
                    self._debit_and_cap(session, caller, spec, job, now)
                    session.add(job)
                else:
                    answer_from_cache(
                        session,
                        job,
                        hit,
                        now=now,
                        fraction=self.s.settings.cache_hit_credit_fraction,
                        charge=self.s.settings.credits_enabled,
                        base_url=self.s.jobs.config.base_url,
                    )
                self._input_rows(session, job, inputs_raw, now)
                body = self._accepted(session, job, spec)
                if req.idempotency_key:
                    session.add(
                        IdempotencyRecord(
                            key_id=caller.key_id,
                            idempotency_key=req.idempotency_key,
                            request_hash=digest,
                            status_code=202,
                            response=body,
                            created_at=now,
                        )
                    )
        except IntegrityError:
            # A concurrent submit with the same Idempotency-Key won the race: answer as it did.
            replay = self._replay(caller, req.idempotency_key or "", digest)
            if replay is None:
                raise
            return replay
        if job.status == JobStatus.QUEUED.value:
            self.s.queue.submit(job.id)
        return Submitted(202, body)

    def _job_row(
        self,
        caller: Caller,
        req: SubmitRequest,
        spec: TaskSpec,
        params: Any,
        inputs_raw: dict[str, Any],
        inputs: TaskInputs,
        webhook: tuple[str | None, str | None, list[str]],
        estimate: int,
        now: datetime,
    ) -> Job:
        url, secret, events = webhook
        return Job(
            id=new_id("job"),
            key_id=caller.key_id,
            task=spec.name,
            category=spec.category.value,
            queue=spec.queue,
            params=params.model_dump(mode="json"),
            inputs=inputs_raw,
            status=JobStatus.QUEUED.value,
            priority=_priority(req.fields.get("priority")),
            progress=0.0,
            attempts=0,
            max_attempts=self.s.settings.max_attempts,
            cancel_requested=False,
            created_at=now,
            estimated_seconds=float(spec.estimate_seconds(params, inputs)),
            credit_estimate_milli=estimate,
            credit_reserved_milli=estimate if self.s.settings.credits_enabled else 0,
            credit_charged_milli=0,
            job_metadata=dict(req.metadata),
            webhook_url=url,
            webhook_secret=secret,
            webhook_events=events,
            idempotency_key=req.idempotency_key,
            api_shape=req.api_shape,
            token_id=caller.token_id,
        )

    def _debit_and_cap(
        self, session: Session, caller: Caller, spec: TaskSpec, job: Job, now: datetime
    ) -> None:
        if self.s.settings.credits_enabled:
            # The debit's row lock on the key also serialises the parallel-cap count below.
            credits.reserve(
                session, key_id=caller.key_id, job_id=job.id, milli=job.credit_reserved_milli, now=now
            )
        if spec.category is TaskCategory.GENERATION and self.s.settings.rate_limits_enabled:
            active = session.scalar(
                select(func.count())
                .select_from(Job)
                .where(
                    Job.key_id == caller.key_id,
                    Job.category == TaskCategory.GENERATION.value,
                    Job.status.in_([s.value for s in ACTIVE_STATES]),
                )
            )
            cap = self.s.settings.max_parallel_generations
            if (active or 0) >= cap:
                raise RateLimited(
                    f"At most {cap} generation jobs may be queued or running at once; "
                    "wait for one to finish.",
                    headers={"Retry-After": "5", "X-RateLimit-Limit": str(cap), "X-RateLimit-Remaining": "0"},
                    limit=f"{cap} parallel",
                )

    def _input_rows(self, session: Session, job: Job, inputs_raw: dict[str, Any], now: datetime) -> None:
        expires = now + timedelta(days=self.s.settings.retention_days)
        for position, item in enumerate(inputs_raw.get("audio", {}).values()):
            session.add(
                Artifact(
                    id=item["artifact_id"],
                    key_id=job.key_id,
                    job_id=job.id,
                    role="input",
                    kind="audio",
                    format=item["format"],
                    storage_key=item["storage_key"],
                    size_bytes=item["size_bytes"],
                    sha256=item["sha256"],
                    meta={
                        "duration": item["duration"],
                        "sample_rate": item["sample_rate"],
                        "channels": item["channels"],
                    },
                    position=position,
                    created_at=now,
                    expires_at=expires,
                    expired=False,
                )
            )

    def _accepted(self, session: Session, job: Job, spec: TaskSpec) -> dict[str, Any]:
        ahead = session.scalar(
            select(func.count())
            .select_from(Job)
            .where(
                Job.status == JobStatus.QUEUED.value,
                Job.queue == job.queue,
                or_(
                    Job.priority > job.priority,
                    and_(Job.priority == job.priority, Job.created_at < job.created_at),
                ),
            )
        )
        position = int(ahead or 0)
        workers = max(self.s.settings.workers, 1)
        return {
            "job_id": job.id,
            "status": job.status,
            "task": spec.name,
            "estimated_time": round(job.estimated_seconds * (1 + position / workers), 2),
            "queue_position": position,
            "credit_estimate": from_milli(job.credit_estimate_milli),
            "created_at": iso(job.created_at),
        }


def _priority(raw: Any) -> int:
    if raw in (None, ""):
        return 0
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationFailed("priority: must be an integer from -10 to 10", field="priority") from None
    if not -10 <= value <= 10:
        raise ValidationFailed("priority: must be an integer from -10 to 10", field="priority")
    return value
