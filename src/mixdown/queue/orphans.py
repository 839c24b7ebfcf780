"""Finding queued jobs whose broker message vanished (Redis restarted or flushed).

The job table says which jobs are queued; Redis says which ids still have a message waiting.
A queued job missing from Redis for a grace period is published again. The grace period
covers a message that a worker has just taken but not yet claimed; a duplicate message is
harmless anyway, because a worker claims the row by id and a second delivery finds it taken.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from typing import Any

SCAN_CAP = 10_000  # messages read per Redis list; a longer list is not judged (see below)


class OrphanSweep:
    """Remembers since when each queued job has been missing from the broker."""

    def __init__(self, grace_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.grace = grace_seconds
        self.clock = clock
        self.missing_since: dict[str, float] = {}

    def due(self, queued: list[str], waiting: set[str]) -> list[str]:
        """The queued ids missing for at least the grace period; their clock restarts.

        Example
        -------
        >>> sweep = OrphanSweep(0.0)
        >>> sweep.due(["job_a", "job_b"], waiting={"job_a"})
        ['job_b']
        """
        now = self.clock()
        missing = [job_id for job_id in queued if job_id not in waiting]
        self.missing_since = {job_id: self.missing_since.get(job_id, now) for job_id in missing}
        due = [job_id for job_id in missing if now - self.missing_since[job_id] >= self.grace]
        for job_id in due:
            self.missing_since[job_id] = now  # the new message gets its own grace period
        return due


def job_id_of(raw: bytes | str) -> str | None:
    """The job id of one message as kombu stores it in Redis (task id ``<job id>.<nonce>``)."""
    try:
        headers = json.loads(raw).get("headers") or {}
    except (ValueError, AttributeError):
        return None
    task_id = headers.get("id")
    return task_id.rsplit(".", 1)[0] if isinstance(task_id, str) else None


def waiting_job_ids(app: Any, queues: Iterable[str]) -> set[str] | None:
    """Ids with a message waiting in the Redis lists of ``queues``; None if that is unknowable.

    None for brokers other than Redis, and for a list too long to read in one sweep (then
    nothing is republished rather than risk re-publishing a whole backlog).
    """
    with app.connection_for_read() as conn:
        if conn.transport.driver_type != "redis":
            return None
        conn.ensure_connection(max_retries=1)  # Redis down: fail this round fast, the next one retries
        channel = conn.default_channel
        ids: set[str] = set()
        for queue in queues:
            # The same key names kombu pushes to: one list per priority step.
            for step in channel.priority_steps:
                messages = channel.client.lrange(channel._q_for_pri(queue, step), 0, SCAN_CAP)
                if len(messages) > SCAN_CAP:
                    return None
                ids.update(filter(None, map(job_id_of, messages)))
        return ids
