"""Webhook outbox: deliveries are rows written in the same transaction as the job change."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mixdown.ids import new_id
from mixdown.storage.models import Artifact, Job, WebhookDelivery
from mixdown.webhooks.formats import webhook_format


def job_results(session: Session, job_id: str) -> list[Artifact]:
    """A job's results in their listed order."""
    return list(
        session.scalars(
            select(Artifact)
            .where(Artifact.job_id == job_id, Artifact.role == "result")
            .order_by(Artifact.position)
        )
    )


def enqueue_webhook(session: Session, job: Job, event: str, *, now: datetime, base_url: str) -> str | None:
    """Queue a delivery of ``event`` if the job asked for it; returns the webhook-id."""
    if not job.webhook_url or event not in (job.webhook_events or []):
        return None
    shape = job.api_shape or "native"
    payload = webhook_format(shape).payload(job, job_results(session, job.id), base_url, event)
    if payload is None:
        return None
    delivery = WebhookDelivery(
        id=new_id("msg"),
        job_id=job.id,
        event=event,
        url=job.webhook_url,
        secret=job.webhook_secret,
        body=json.dumps(payload, separators=(",", ":")),
        format=shape,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(delivery)
    return delivery.id
