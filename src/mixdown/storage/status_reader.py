"""The hottest read of the API: one job and its results, as plain dicts.

Clients poll job status thousands of times a second. On SQLite this reads through a
per-thread read-only ``sqlite3`` connection with two cached statements (about 20 µs)
instead of SQLAlchemy's statement machinery (about 140 µs); other databases use Core.
A test checks that both paths return the same values.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import JSON, Boolean, Column, Table, bindparam, select

from mixdown.storage.db import Database
from mixdown.storage.models import Artifact, Job, UTCDateTime

Row = dict[str, Any]
_JOBS: Table = Job.__table__  # type: ignore[assignment]
_ARTIFACTS: Table = Artifact.__table__  # type: ignore[assignment]

# What a job view shows; never the inputs or the webhook secret.
JOB_FIELDS = (
    "id", "key_id", "task", "status", "progress", "progress_message", "created_at", "started_at",
    "finished_at", "attempts", "cancel_requested", "params", "credit_estimate_milli",
    "credit_charged_milli", "metadata", "error_code", "error_message",
)  # fmt: skip
RESULT_FIELDS = ("id", "kind", "format", "size_bytes", "sha256", "expires_at", "expired", "meta")
_JOB_COLUMNS: list[Column[Any]] = [_JOBS.c[name] for name in JOB_FIELDS]
_RESULT_COLUMNS: list[Column[Any]] = [_ARTIFACTS.c[name] for name in RESULT_FIELDS]


def _sqlite_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def _converters(columns: list[Column[Any]]) -> list[tuple[str, Callable[[Any], Any]]]:
    """How to turn raw SQLite values of ``columns`` into what SQLAlchemy would give."""
    convert: list[tuple[str, Callable[[Any], Any]]] = []
    for column in columns:
        if isinstance(column.type, JSON):
            convert.append((column.name, lambda v: None if v is None else orjson.loads(v)))
        elif isinstance(column.type, UTCDateTime):
            convert.append((column.name, _sqlite_datetime))
        elif isinstance(column.type, Boolean):
            convert.append((column.name, lambda v: None if v is None else bool(v)))
    return convert


_JOB_SQL = f"SELECT {', '.join(JOB_FIELDS)} FROM jobs WHERE id = ?"
_RESULTS_SQL = (
    f"SELECT {', '.join(RESULT_FIELDS)} FROM artifacts WHERE job_id = ? AND role = 'result' ORDER BY position"
)
_JOB_CONVERT = _converters(_JOB_COLUMNS)
_ARTIFACT_CONVERT = _converters(_RESULT_COLUMNS)


def _as_dict(
    names: tuple[str, ...], values: tuple[Any, ...], convert: list[tuple[str, Callable[[Any], Any]]]
) -> Row:
    row = dict(zip(names, values, strict=True))
    for name, fn in convert:
        row[name] = fn(row[name])
    return row


_local = threading.local()


def _sqlite_connection(db: Database) -> sqlite3.Connection:
    """This thread's own read-only connection (no pool round trip per poll)."""
    path = db.engine.url.database or ""
    conn: sqlite3.Connection | None = getattr(_local, "conns", {}).get(path)
    if conn is None:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
        conn.execute("PRAGMA busy_timeout=30000")
        _local.conns = {**getattr(_local, "conns", {}), path: conn}
    return conn


def _read_sqlite(db: Database, job_id: str) -> tuple[Row | None, list[Row]]:
    cursor = _sqlite_connection(db).cursor()
    try:
        cursor.execute(_JOB_SQL, (job_id,))
        values = cursor.fetchone()
        if values is None:
            return None, []
        cursor.execute(_RESULTS_SQL, (job_id,))
        results = [_as_dict(RESULT_FIELDS, r, _ARTIFACT_CONVERT) for r in cursor.fetchall()]
        return _as_dict(JOB_FIELDS, values, _JOB_CONVERT), results
    finally:
        cursor.close()


_CORE_JOB = select(*_JOB_COLUMNS).where(_JOBS.c.id == bindparam("job_id"))
_CORE_RESULTS = (
    select(*_RESULT_COLUMNS)
    .where(_ARTIFACTS.c.job_id == bindparam("job_id"), _ARTIFACTS.c.role == "result")
    .order_by(_ARTIFACTS.c.position)
)


def read_job_core(db: Database, job_id: str) -> tuple[Row | None, list[Row]]:
    """The job row and its results through SQLAlchemy Core (any database)."""
    with db.engine.connect() as conn:
        job = conn.execute(_CORE_JOB, {"job_id": job_id}).mappings().first()
        if job is None:
            return None, []
        results = [dict(r) for r in conn.execute(_CORE_RESULTS, {"job_id": job_id}).mappings()]
        return dict(job), results


def read_job(db: Database, job_id: str) -> tuple[Row | None, list[Row]]:
    """The job row (column names as keys) and its results, or ``(None, [])``."""
    if db.is_sqlite:
        return _read_sqlite(db, job_id)
    return read_job_core(db, job_id)
