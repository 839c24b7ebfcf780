"""The one exception tree of mixdown.

Every error a caller can see derives from :class:`MixdownError`; one handler in
``mixdown.api.errors`` maps the tree to HTTP status codes and a JSON body
``{"error": {"code", "message", "field"}}``. A message defaults to the class
docstring, so raising ``NotFound()`` is enough.

::

    MixdownError                      500 internal_error
    ├── BadRequest                    400 bad_request
    │   ├── AudioDecodeError          400 audio_decode_error
    │   ├── InputError                400 invalid_input
    │   └── UrlRefused                400 url_refused
    ├── Unauthorized                  401 unauthorized
    ├── InsufficientCredits           402 insufficient_credits
    ├── NotFound                      404 not_found
    ├── Conflict                      409 conflict
    │   └── IdempotencyConflict       409 idempotency_conflict
    ├── Gone                          410 gone
    ├── PayloadTooLarge               413 payload_too_large
    ├── ValidationFailed              422 validation_error
    ├── RateLimited                   429 rate_limited
    ├── ServiceUnavailable            503 service_unavailable
    │   └── EngineUnavailable         503 engine_unavailable
    └── TaskError                     (job failures; never an HTTP answer)
        ├── JobCancelled
        └── RetryableTaskError
"""

from __future__ import annotations

from typing import Any, ClassVar


class MixdownError(Exception):
    """An internal error occurred."""

    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"

    def __init__(
        self,
        message: str | None = None,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        **details: Any,
    ) -> None:
        self.message = message or (self.__doc__ or self.code).strip()
        self.field = field
        self.headers = headers or {}
        self.details = details
        super().__init__(self.message)

    def to_dict(self) -> dict[str, Any]:
        """The JSON error body (without the outer ``error`` key)."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        body.update(self.details)
        return body


class BadRequest(MixdownError):
    """The request is invalid."""

    status_code = 400
    code = "bad_request"


class AudioDecodeError(BadRequest):
    """The input audio could not be decoded."""

    code = "audio_decode_error"


class InputError(BadRequest):
    """The audio input is missing or given more than once."""

    code = "invalid_input"


class ContentPolicyViolation(BadRequest):
    """A prompt, lyrics or text was refused by the content policy."""

    code = "content_policy_violation"


class UrlRefused(BadRequest):
    """The URL was refused or could not be fetched."""

    code = "url_refused"


class Unauthorized(MixdownError):
    """A valid API key is required."""

    status_code = 401
    code = "unauthorized"


class Forbidden(MixdownError):
    """The credentials are valid but do not allow this (e.g. a token without the scope)."""

    status_code = 403
    code = "forbidden"


class InsufficientCredits(MixdownError):
    """Not enough credits for this request."""

    status_code = 402
    code = "insufficient_credits"


class QuotaExceeded(MixdownError):
    """A quota of this key's plan does not allow the request."""

    status_code = 402
    code = "quota_exceeded"


class NotFound(MixdownError):
    """The resource was not found."""

    status_code = 404
    code = "not_found"


class Conflict(MixdownError):
    """The request conflicts with the current state."""

    status_code = 409
    code = "conflict"


class IdempotencyConflict(Conflict):
    """This Idempotency-Key was already used with a different request."""

    code = "idempotency_conflict"


class Gone(MixdownError):
    """The resource existed but was deleted (retention expired)."""

    status_code = 410
    code = "gone"


class PayloadTooLarge(MixdownError):
    """The input is larger than the server accepts."""

    status_code = 413
    code = "payload_too_large"


class ValidationFailed(MixdownError):
    """A parameter is invalid."""

    status_code = 422
    code = "validation_error"


class RateLimited(MixdownError):
    """Too many requests."""

    status_code = 429
    code = "rate_limited"


class ServiceUnavailable(MixdownError):
    """The service is temporarily unavailable."""

    status_code = 503
    code = "service_unavailable"


class EngineUnavailable(ServiceUnavailable):
    """The engine for this task is not available."""

    code = "engine_unavailable"


class TaskError(MixdownError):
    """The task failed."""

    code = "task_failed"


class JobCancelled(TaskError):
    """The job was cancelled."""

    code = "cancelled"


class RetryableTaskError(TaskError):
    """The task failed for a passing reason and may be retried."""

    code = "task_retryable"
