"""Delivers queued webhook rows: signed, retried with backoff, every attempt recorded.

Runs outside the request path; because deliveries are rows, a restart resumes them.
Each row is claimed with a short lock so several API nodes never send it twice at once.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import or_, select, update

from mixdown.clock import Clock
from mixdown.jobs.retry import BackoffPolicy
from mixdown.storage.db import Database
from mixdown.storage.models import WebhookAttempt, WebhookDelivery
from mixdown.webhooks.formats import webhook_format
from mixdown.webhooks.sender import SendOutcome, WebhookSender

log = logging.getLogger("mixdown.webhooks")


class WebhookDispatcher:
    """Sends due deliveries and schedules retries."""

    def __init__(
        self,
        db: Database,
        sender: WebhookSender,
        clock: Clock,
        backoff: BackoffPolicy,
        *,
        lock_seconds: float = 60.0,
        parallel: int = 4,
    ) -> None:
        self.db = db
        self.sender = sender
        self.clock = clock
        self.backoff = backoff
        self.lock_seconds = lock_seconds
        self.parallel = parallel

    def run_once(self, limit: int = 32) -> int:
        """Send what is due now; returns how many deliveries were attempted."""
        claimed = self._claim_due(limit)
        if not claimed:
            return 0
        with ThreadPoolExecutor(max_workers=min(self.parallel, len(claimed))) as pool:
            list(pool.map(self._deliver, claimed))
        return len(claimed)

    def _claim_due(self, limit: int) -> list[str]:
        now = self.clock.now()
        with self.db.read() as session:
            due = list(
                session.scalars(
                    select(WebhookDelivery.id)
                    .where(
                        WebhookDelivery.status == "pending",
                        WebhookDelivery.next_attempt_at <= now,
                        or_(
                            WebhookDelivery.locked_until.is_(None),
                            WebhookDelivery.locked_until < now,
                        ),
                    )
                    .order_by(WebhookDelivery.next_attempt_at)
                    .limit(limit)
                )
            )
        return [delivery_id for delivery_id in due if self._lock(delivery_id)]

    def _lock(self, delivery_id: str) -> bool:
        now = self.clock.now()
        with self.db.write() as session:
            result = session.execute(
                update(WebhookDelivery)
                .where(
                    WebhookDelivery.id == delivery_id,
                    WebhookDelivery.status == "pending",
                    or_(
                        WebhookDelivery.locked_until.is_(None),
                        WebhookDelivery.locked_until < now,
                    ),
                )
                .values(locked_until=now + timedelta(seconds=self.lock_seconds))
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def _deliver(self, delivery_id: str) -> None:
        with self.db.read() as session:
            delivery = session.get_one(WebhookDelivery, delivery_id)
        body = delivery.body.encode()
        timestamp = int(self.clock.now().timestamp())
        headers = webhook_format(delivery.format or "native").headers(
            delivery.secret, delivery.id, timestamp, body
        )
        outcome = self.sender.send(delivery.url, body, headers)
        self._record(delivery_id, outcome)

    def _record(self, delivery_id: str, outcome: SendOutcome) -> None:
        now = self.clock.now()
        with self.db.write() as session:
            delivery = session.get_one(WebhookDelivery, delivery_id)
            delivery.attempts += 1
            session.add(
                WebhookAttempt(
                    delivery_id=delivery_id,
                    attempted_at=now,
                    status_code=outcome.status_code,
                    error=outcome.error,
                    duration_ms=outcome.duration_ms,
                )
            )
            delivery.locked_until = None
            if outcome.ok:
                delivery.status, delivery.delivered_at = "delivered", now
                return
            age = (now - delivery.created_at).total_seconds()
            delay = self.backoff.next_delay(delivery.attempts, age)
            if delay is None:
                delivery.status = "failed"
                log.warning(
                    "webhook %s gave up after %d attempts",
                    delivery_id,
                    delivery.attempts,
                )
            else:
                delivery.next_attempt_at = now + timedelta(seconds=delay)
