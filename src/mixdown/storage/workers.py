"""Worker registry rows: who is alive, on which queues, running what."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update

from mixdown.storage.db import Database
from mixdown.storage.models import Worker


def register_worker(db: Database, worker_id: str, queues: list[str], now: datetime) -> None:
    """Record a starting worker process."""
    with db.write() as session:
        session.merge(
            Worker(
                id=worker_id,
                hostname=socket.gethostname(),
                pid=os.getpid(),
                queues=queues,
                started_at=now,
                heartbeat_at=now,
                current_job_id=None,
                stopped_at=None,
            )
        )


def beat_worker(db: Database, worker_id: str, now: datetime, current_job_id: str | None) -> None:
    """Mark the worker alive (and what it runs)."""
    with db.write() as session:
        session.execute(
            update(Worker)
            .where(Worker.id == worker_id)
            .values(heartbeat_at=now, current_job_id=current_job_id)
        )


def stop_worker(db: Database, worker_id: str, now: datetime) -> None:
    """Mark a worker stopped."""
    with db.write() as session:
        session.execute(
            update(Worker).where(Worker.id == worker_id).values(stopped_at=now, current_job_id=None)
        )


def live_workers(db: Database, now: datetime, stale_after: float) -> list[Worker]:
    """Workers that beat within ``stale_after`` seconds and have not stopped."""
    cutoff = now - timedelta(seconds=stale_after)
    with db.read() as session:
        return list(
            session.scalars(
                select(Worker)
                .where(Worker.stopped_at.is_(None), Worker.heartbeat_at >= cutoff)
                .order_by(Worker.id)
            )
        )


def prune_workers(db: Database, now: datetime, older_than: float) -> int:
    """Forget workers not seen for ``older_than`` seconds."""
    cutoff = now - timedelta(seconds=older_than)
    with db.write() as session:
        count = (
            session.scalar(select(func.count()).select_from(Worker).where(Worker.heartbeat_at < cutoff)) or 0
        )
        session.execute(delete(Worker).where(Worker.heartbeat_at < cutoff))
        return int(count)
