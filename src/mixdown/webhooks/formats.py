"""Webhook formats: the body and signature headers of a delivery, per API shape.

The native format is mixdown's own body (``service.views.webhook_payload``) signed the Standard
Webhooks way. A vendor compatibility module ``mixdown.api.compat.<shape>`` that speaks another
format exposes ``WEBHOOK_FORMAT``; it is looked up by the job's ``api_shape`` wherever a delivery
is queued or sent (API nodes and workers alike), so the core never names a vendor.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from mixdown.service.views import webhook_payload
from mixdown.webhooks.signing import signature_headers

NATIVE = "native"

# (job, results, base_url, event) -> the JSON body, or None when the shape sends no such event.
PayloadFn = Callable[[Any, list[Any], str, str], dict[str, Any] | None]
# (secret, webhook id, unix timestamp, body bytes) -> headers to send with the body.
HeadersFn = Callable[[str | None, str, int, bytes], dict[str, str]]


@dataclass(frozen=True)
class WebhookFormat:
    """How one API shape's webhooks look and are signed."""

    payload: PayloadFn
    headers: HeadersFn


NATIVE_FORMAT = WebhookFormat(payload=webhook_payload, headers=signature_headers)


@cache
def webhook_format(shape: str) -> WebhookFormat:
    """The format of ``shape``: native, or ``WEBHOOK_FORMAT`` of ``mixdown.api.compat.<shape>``.

    Examples
    --------
    >>> webhook_format("native") is NATIVE_FORMAT
    True
    """
    if shape == NATIVE:
        return NATIVE_FORMAT
    try:
        module = importlib.import_module(f"mixdown.api.compat.{shape}")
    except ModuleNotFoundError:
        return NATIVE_FORMAT
    found = getattr(module, "WEBHOOK_FORMAT", None)
    return found if isinstance(found, WebhookFormat) else NATIVE_FORMAT
