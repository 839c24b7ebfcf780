"""Background upkeep: re-queue jobs of dead workers, expire old outputs, deliver webhooks."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import delete, select

from mixdown.jobs.retry import BackoffPolicy
from mixdown.service.container import Services
from mixdown.storage.models import Artifact, IdempotencyRecord
from mixdown.storage.workers import prune_workers
from mixdown.webhooks.dispatcher import WebhookDispatcher

log = logging.getLogger("mixdown.maintenance")


def expire_artifacts(services: Services, limit: int = 500) -> int:
    """Delete outputs past their retention and mark them expired.

    Inputs are content-addressed and may be shared, so a file is deleted only when
    no unexpired artifact still points at it.
    """
    now = services.clock.now()
    with services.db.write() as session:
        old = list(
            session.scalars(
                select(Artifact).where(Artifact.expired.is_(False), Artifact.expires_at < now).limit(limit)
            )
        )
        for artifact in old:
            artifact.expired = True
        session.flush()
        keys = {a.storage_key for a in old}
        still_used = set(
            session.scalars(
                select(Artifact.storage_key).where(
                    Artifact.storage_key.in_(keys), Artifact.expired.is_(False)
                )
            )
        )
    for key in keys - still_used:
        services.store.delete(key)
    for artifact in old:
        for cached in (services.settings.data_dir / "cache").glob(f"{artifact.id}.*"):
            cached.unlink(missing_ok=True)
    return len(old)


def purge_idempotency(services: Services) -> None:
    """Forget idempotency records older than their window."""
    cutoff = services.clock.now() - timedelta(hours=services.settings.idempotency_hours)
    with services.db.write() as session:
        session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff))


def sweep_once(services: Services) -> None:
    """One round of upkeep."""
    requeued = services.queue.requeue_expired()
    if requeued:
        log.warning("re-queued %d job(s) whose worker stopped responding", requeued)
    expire_artifacts(services)
    purge_idempotency(services)
    services.streams.sweep(now=time.time(), older_than=services.settings.stream_retention_seconds)
    prune_workers(services.db, services.clock.now(), older_than=86400)


def make_dispatcher(services: Services) -> WebhookDispatcher:
    """The webhook dispatcher configured from settings."""
    settings = services.settings
    backoff = BackoffPolicy(
        base_seconds=settings.webhook_backoff_base_seconds,
        max_age_seconds=settings.webhook_max_age_seconds,
        max_delay_seconds=min(600.0, settings.webhook_max_age_seconds),
    )
    return WebhookDispatcher(
        services.db,
        services.sender,
        services.clock,
        backoff,
        lock_seconds=settings.webhook_timeout_seconds * 3,
    )


class BackgroundLoops:
    """The sweeper and the webhook dispatcher as daemon threads."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.stop_event = threading.Event()
        self.dispatcher = make_dispatcher(services)
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start both loops."""
        interval = self.services.settings.sweep_interval_seconds
        self._spawn("sweeper", lambda: sweep_once(self.services), interval)
        self._spawn("webhooks", self._dispatch, 0.25)

    def _dispatch(self) -> None:
        while self.dispatcher.run_once() and not self.stop_event.is_set():
            pass

    def _spawn(self, name: str, step: Callable[[], None], interval: float) -> None:
        def loop() -> None:
            while not self.stop_event.is_set():
                try:
                    step()
                except Exception:
                    log.exception("%s round failed", name)
                self.stop_event.wait(interval)

        thread = threading.Thread(target=loop, name=f"mixdown-{name}", daemon=True)
        thread.start()
        self.threads.append(thread)

    def stop(self) -> None:
        """Stop and join the loops."""
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout=15)
