"""Tables. Job rows are the single source of truth for status, progress, leases and cancels."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        from datetime import UTC

        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    """Declarative base of mixdown's tables."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class ApiKey(Base):
    """An API key (stored hashed) with its credit balance in milli-credits."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    balance_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    reserved_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    spent_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    plan: Mapped[str | None] = mapped_column(String(32))  # a name in Settings.plans
    quotas: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # this key's own limits over its plan's


class CreditEntry(Base):
    """One movement of credits: grant, reserve, settle or refund."""

    __tablename__ = "credit_ledger"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key_id: Mapped[str] = mapped_column(ForeignKey("api_keys.id"), index=True)
    job_id: Mapped[str | None] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    amount_milli: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class Job(Base):
    """A job: what to run, for whom, and where it is."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_claim", "status", "queue", "priority", "created_at"),
        Index("ix_jobs_key_created", "key_id", "created_at"),
        Index("ix_jobs_lease", "status", "lease_expires_at"),
        Index("ix_jobs_cache", "cache_key", "status"),
        Index("ix_jobs_similar", "similar_key", "status"),
        Index("ix_jobs_token", "token_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    key_id: Mapped[str] = mapped_column(ForeignKey("api_keys.id"))
    task: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(16))
    queue: Mapped[str] = mapped_column(String(32), default="default")
    params: Mapped[dict[str, Any]]
    inputs: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    progress_message: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    worker_id: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None]
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    estimated_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    credit_estimate_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    credit_reserved_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    credit_charged_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    run_seconds: Mapped[float | None] = mapped_column(Float)
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    job_metadata: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    webhook_url: Mapped[str | None] = mapped_column(Text)
    webhook_secret: Mapped[str | None] = mapped_column(Text)
    webhook_events: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # The API shape that submitted the job ("native", or a vendor's: api/compat/<shape>.py); it
    # picks the webhook format.
    api_shape: Mapped[str] = mapped_column(String(16), default="native", server_default="native")
    # Content hash of a deterministic request (service/cache.py); equal keys give equal results.
    cache_key: Mapped[str | None] = mapped_column(String(64))
    # The similar-prompt cache (service/similar_cache.py): a hash of everything but the prompt and
    # seed, and the prompt's unit embedding (float32 bytes; deferred: only that cache reads it).
    similar_key: Mapped[str | None] = mapped_column(String(64))
    prompt_embedding: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    # The short-lived token that submitted the job (its ``jti``), for the token's own limits.
    token_id: Mapped[str | None] = mapped_column(String(32))


class Artifact(Base):
    """A stored file: a job's input or one of its results."""

    __tablename__ = "artifacts"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    key_id: Mapped[str] = mapped_column(ForeignKey("api_keys.id"), index=True)
    job_id: Mapped[str | None] = mapped_column(String(40), index=True)
    role: Mapped[str] = mapped_column(String(16))  # input | result
    kind: Mapped[str] = mapped_column(String(32))
    format: Mapped[str] = mapped_column(String(16))
    storage_key: Mapped[str] = mapped_column(Text)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
    expired: Mapped[bool] = mapped_column(Boolean, default=False)


class WebhookDelivery(Base):
    """One event to deliver to one URL; retried until delivered or too old."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhooks_due", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # the webhook-id
    job_id: Mapped[str] = mapped_column(String(40), index=True)
    event: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(Text)
    secret: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(16), default="native", server_default="native")
    status: Mapped[str] = mapped_column(String(16))  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]


class WebhookAttempt(Base):
    """One HTTP attempt of a delivery."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[str] = mapped_column(ForeignKey("webhook_deliveries.id"), index=True)
    attempted_at: Mapped[datetime]
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[float] = mapped_column(Float)


class IdempotencyRecord(Base):
    """The answer to a submit carrying an Idempotency-Key, replayed for 24 h."""

    __tablename__ = "idempotency_keys"

    key_id: Mapped[str] = mapped_column(ForeignKey("api_keys.id"), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class TaskRecord(Base):
    """A small record a task keeps for later jobs of the same key (e.g. a generation spec by hash)."""

    __tablename__ = "task_records"

    key_id: Mapped[str] = mapped_column(ForeignKey("api_keys.id"), primary_key=True)
    namespace: Mapped[str] = mapped_column(String(64), primary_key=True)
    record_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class Worker(Base):
    """A live (or recently live) worker process."""

    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hostname: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    queues: Mapped[list[Any]] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]
    current_job_id: Mapped[str | None] = mapped_column(String(40))
    stopped_at: Mapped[datetime | None]
