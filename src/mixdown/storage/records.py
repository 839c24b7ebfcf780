"""Task records: small JSON values tasks keep per API key (the ``remember``/``recall`` port)."""

from __future__ import annotations

from typing import Any, Protocol

from mixdown.clock import Clock
from mixdown.storage.db import Database
from mixdown.storage.models import TaskRecord


class RecordStore(Protocol):
    """Records by (key id, namespace, key)."""

    def put(self, key_id: str, namespace: str, key: str, value: dict[str, Any]) -> None:
        """Store (or replace) a record."""
        ...

    def get(self, key_id: str, namespace: str, key: str) -> dict[str, Any] | None:
        """A record, or None."""
        ...


class SqlRecordStore:
    """Records in the ``task_records`` table."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def put(self, key_id: str, namespace: str, key: str, value: dict[str, Any]) -> None:
        """Store (or replace) a record."""
        with self.db.write() as session:
            session.merge(
                TaskRecord(
                    key_id=key_id,
                    namespace=namespace,
                    record_key=key,
                    value=value,
                    created_at=self.clock.now(),
                )
            )

    def get(self, key_id: str, namespace: str, key: str) -> dict[str, Any] | None:
        """A record, or None."""
        with self.db.read() as session:
            record = session.get(TaskRecord, (key_id, namespace, key))
            return dict(record.value) if record is not None else None


class MemoryRecordStore:
    """In-memory twin."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str, str], dict[str, Any]] = {}

    def put(self, key_id: str, namespace: str, key: str, value: dict[str, Any]) -> None:
        """Store (or replace) a record."""
        self.records[(key_id, namespace, key)] = dict(value)

    def get(self, key_id: str, namespace: str, key: str) -> dict[str, Any] | None:
        """A record, or None."""
        value = self.records.get((key_id, namespace, key))
        return dict(value) if value is not None else None
