"""Webhook delivery rows: signed sends, backoff, giving up after the max age (twins + SQLite)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from mixdown.clock import FakeClock
from mixdown.jobs.retry import BackoffPolicy
from mixdown.storage.db import Database
from mixdown.storage.models import WebhookAttempt, WebhookDelivery
from mixdown.webhooks.dispatcher import WebhookDispatcher
from mixdown.webhooks.sender import MemoryWebhookSender
from mixdown.webhooks.signing import verify

pytestmark = pytest.mark.integration


def _setup(
    tmp_path: Path, script: list[int | str]
) -> tuple[Database, FakeClock, MemoryWebhookSender, WebhookDispatcher]:
    db = Database.from_url(f"sqlite:///{tmp_path / 'w.db'}")
    db.migrate()
    clock = FakeClock()
    sender = MemoryWebhookSender({"https://hooks.example/h": script})
    backoff = BackoffPolicy(base_seconds=5, factor=2, max_delay_seconds=600, max_age_seconds=3600)
    with db.write() as session:
        session.add(
            WebhookDelivery(
                id="msg_1",
                job_id="job_1",
                event="complete",
                url="https://hooks.example/h",
                secret="s",
                body=json.dumps({"event": "complete"}),
                status="pending",
                attempts=0,
                next_attempt_at=clock.now(),
                created_at=clock.now(),
            )
        )
    return db, clock, sender, WebhookDispatcher(db, sender, clock, backoff)


def _delivery(db: Database) -> WebhookDelivery:
    with db.read() as session:
        return session.get_one(WebhookDelivery, "msg_1")


def test_retries_with_backoff_until_delivered(tmp_path: Path) -> None:
    db, clock, sender, dispatcher = _setup(tmp_path, [500, "connection refused", 200])
    assert dispatcher.run_once() == 1
    assert _delivery(db).next_attempt_at == clock.now() + timedelta(seconds=5)
    assert dispatcher.run_once() == 0  # not due yet
    clock.advance(5)
    assert dispatcher.run_once() == 1
    assert _delivery(db).next_attempt_at == clock.now() + timedelta(seconds=10)
    clock.advance(10)
    dispatcher.run_once()
    delivery = _delivery(db)
    assert delivery.status == "delivered" and delivery.attempts == 3
    ids = {sent.headers["webhook-id"] for sent in sender.sent}
    assert ids == {"msg_1"}
    for sent in sender.sent:
        verify(sent.headers, sent.body, "s", now=float(sent.headers["webhook-timestamp"]))
    with db.read() as session:
        attempts = session.query(WebhookAttempt).order_by(WebhookAttempt.id).all()
    assert [(a.status_code, a.error is not None) for a in attempts] == [
        (500, True),
        (None, True),
        (200, False),
    ]


def test_gives_up_after_the_max_age(tmp_path: Path) -> None:
    db, clock, _, dispatcher = _setup(tmp_path, [503] * 100)
    for _ in range(100):
        dispatcher.run_once()
        delivery = _delivery(db)
        if delivery.status != "pending":
            break
        clock.advance((delivery.next_attempt_at - clock.now()).total_seconds())  # to the next attempt
    assert delivery.status == "failed"
    assert (clock.now() - delivery.created_at).total_seconds() <= 3600
    assert 5 <= delivery.attempts <= 12
