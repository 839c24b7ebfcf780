"""The ``JobQueue`` that ``settings.queue`` names."""

from __future__ import annotations

from mixdown.queue.base import JobQueue
from mixdown.queue.local import LocalQueue
from mixdown.queue.wakeup import SocketWakeup
from mixdown.settings import Settings
from mixdown.storage.jobstore import JobStore


def make_queue(settings: Settings, jobs: JobStore) -> JobQueue:
    """``local`` (the job table, default) or ``celery`` (job ids on a broker)."""
    if settings.queue == "celery":
        # Imported here: the embedded default never loads Celery.
        from mixdown.queue.celery import CeleryQueue, make_celery_app

        return CeleryQueue(jobs, make_celery_app(settings), grace_seconds=settings.requeue_grace_seconds)
    return LocalQueue(jobs, SocketWakeup(settings.run_dir))
