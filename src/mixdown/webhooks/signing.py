"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

The signature is ``v1,`` plus the base64 HMAC-SHA256 of ``{id}.{timestamp}.{body}``.
A secret ``whsec_<base64>`` is keyed with the decoded bytes, as the
``standardwebhooks`` libraries do, so receivers can verify with them; any other
secret is keyed with its UTF-8 bytes (pass those bytes to such a library).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
from collections.abc import Mapping

SECRET_PREFIX = "whsec_"
SIGNATURE_VERSION = "v1"

_TIMESTAMP = re.compile(r"[0-9]{1,15}")


class WebhookVerificationError(ValueError):
    """The webhook headers are missing, stale, or carry no matching signature."""


def secret_key(secret: str) -> bytes:
    """The HMAC key for ``secret``; ``ValueError`` for a malformed ``whsec_`` secret."""
    if not secret.startswith(SECRET_PREFIX):
        return secret.encode("utf-8")
    try:
        return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except binascii.Error as exc:
        raise ValueError("a whsec_ secret must be base64 after the prefix") from exc


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value for one message."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode('ascii')}"


def signature_headers(secret: str | None, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Headers for one delivery; ``webhook-signature`` only when a secret is set."""
    headers = {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
    }
    if secret:
        headers["webhook-signature"] = sign(secret, msg_id, timestamp, body)
    return headers


def verify(
    headers: Mapping[str, str],
    body: bytes,
    secret: str,
    *,
    tolerance_seconds: int = 300,
    now: float | None = None,
) -> None:
    """Check a delivery's signature; raise :class:`WebhookVerificationError` if bad.

    ``now`` defaults to ``time.time()``; the timestamp may be off by at most
    ``tolerance_seconds`` either way, which bounds replays.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    msg_id = _header(lowered, "webhook-id")
    timestamp = _timestamp(_header(lowered, "webhook-timestamp"))
    _check_fresh(timestamp, time.time() if now is None else now, tolerance_seconds)
    expected = sign(secret, msg_id, timestamp, body).encode()
    for candidate in _header(lowered, "webhook-signature").split():
        if hmac.compare_digest(candidate.encode(), expected):
            return
    raise WebhookVerificationError("no signature matches")


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name, "").strip()
    if not value:
        raise WebhookVerificationError(f"missing {name} header")
    return value


def _timestamp(value: str) -> int:
    # Digits only: int() would also take "+1", " 1" and "1_0".
    if not _TIMESTAMP.fullmatch(value):
        raise WebhookVerificationError("webhook-timestamp is not a Unix time in seconds")
    return int(value)


def _check_fresh(timestamp: int, now: float, tolerance_seconds: int) -> None:
    if timestamp < now - tolerance_seconds:
        raise WebhookVerificationError("webhook-timestamp is too old")
    if timestamp > now + tolerance_seconds:
        raise WebhookVerificationError("webhook-timestamp is in the future")
