"""MusicAPI webhooks: the poll body of the finished task, signed as docs.musicapi.ai describes.

Headers: ``X-Webhook-Id`` (also sent as ``Idempotency-Key``), ``X-Webhook-Event``
(``song.completed`` / ``song.failed``), ``X-Webhook-Timestamp`` (Unix seconds) and, when the task
has a ``webhook_secret``, ``X-Webhook-Signature: sha256=<hex>`` = HMAC-SHA256(secret,
``f"{timestamp}.{raw body}"``). MusicAPI signs with a default secret of its own when none is given;
mixdown has no such shared secret, so an unsigned task's deliveries carry no signature.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from mixdown.api.compat.musicapi.views import failed_view, songs_view
from mixdown.webhooks.formats import WebhookFormat

COMPLETED = "song.completed"
FAILED = "song.failed"


def payload(job: Any, results: list[Any], base_url: str, event: str) -> dict[str, Any] | None:
    """The body for a native event: complete -> the songs; failed or cancelled -> the failure."""
    if event == "complete":
        return songs_view(job, results, base_url)
    if event in ("failed", "cancelled"):
        return failed_view(job)
    return None  # MusicAPI sends no progress events


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<hex>`` of ``{timestamp}.{body}`` keyed with the secret's UTF-8 bytes."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def event_of(body: bytes) -> str:
    """The event a delivery's body reports."""
    return FAILED if json.loads(body).get("state") == "failed" else COMPLETED


def headers(secret: str | None, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The delivery headers; the signature only when the task has a secret."""
    sent = {
        "content-type": "application/json",
        "X-Webhook-Id": msg_id,
        "Idempotency-Key": msg_id,
        "X-Webhook-Event": event_of(body),
        "X-Webhook-Timestamp": str(timestamp),
    }
    if secret:
        sent["X-Webhook-Signature"] = signature(secret, timestamp, body)
    return sent


WEBHOOK_FORMAT = WebhookFormat(payload=payload, headers=headers)
