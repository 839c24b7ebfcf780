"""Standard Webhooks signing and verification."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from mixdown.webhooks.signing import (
    WebhookVerificationError,
    secret_key,
    sign,
    signature_headers,
    verify,
)

SECRET = "s3cret-value"
MSG_ID = "msg_2xYz"
NOW = 1_700_000_000
BODY = b'{"type":"job.completed","data":{"id":"job_1"}}'

# The test vector published with the Standard Webhooks specification.
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def _headers(secret: str | None = SECRET, timestamp: int = NOW) -> dict[str, str]:
    return signature_headers(secret, MSG_ID, timestamp, BODY)


def test_known_answer_computed_by_hand() -> None:
    # Given the HMAC computed here, independently of the module
    signed = b"msg_2xYz.1700000000." + BODY
    mac = hmac.new(b"s3cret-value", signed, hashlib.sha256).digest()
    expected = "v1," + base64.b64encode(mac).decode()

    # Then
    assert sign(SECRET, MSG_ID, NOW, BODY) == expected


def test_standard_webhooks_test_vector() -> None:
    assert sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE
    verify(
        {
            "webhook-id": SPEC_ID,
            "webhook-timestamp": str(SPEC_TIMESTAMP),
            "webhook-signature": SPEC_SIGNATURE,
        },
        SPEC_BODY,
        SPEC_SECRET,
        now=SPEC_TIMESTAMP + 10,
    )


def test_whsec_secret_is_keyed_with_its_decoded_bytes() -> None:
    key = base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")

    assert secret_key(SPEC_SECRET) == key
    assert secret_key("plain") == b"plain"
    assert secret_key("ünï") == "ünï".encode()


def test_malformed_whsec_secret_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="base64"):
        sign("whsec_not*base64", MSG_ID, NOW, BODY)


def test_signature_headers() -> None:
    headers = _headers()

    assert headers == {
        "content-type": "application/json",
        "webhook-id": MSG_ID,
        "webhook-timestamp": str(NOW),
        "webhook-signature": sign(SECRET, MSG_ID, NOW, BODY),
    }


@pytest.mark.parametrize("secret", [None, ""])
def test_no_signature_without_secret(secret: str | None) -> None:
    headers = _headers(secret)

    assert "webhook-signature" not in headers
    assert headers["webhook-id"] == MSG_ID
    assert headers["webhook-timestamp"] == str(NOW)


def test_round_trip() -> None:
    verify(_headers(), BODY, SECRET, now=NOW)


def test_round_trip_with_whsec_secret() -> None:
    headers = signature_headers(SPEC_SECRET, MSG_ID, NOW, BODY)

    verify(headers, BODY, SPEC_SECRET, now=NOW + 1)


def test_header_names_are_case_insensitive() -> None:
    headers = {name.title(): value for name, value in _headers().items()}

    verify(headers, BODY, SECRET, now=NOW)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("webhook-id", "msg_other"),
        ("webhook-timestamp", str(NOW + 1)),
        ("webhook-signature", "v1," + base64.b64encode(b"x" * 32).decode()),
    ],
)
def test_tampered_headers_fail(name: str, value: str) -> None:
    headers = _headers()
    headers[name] = value

    with pytest.raises(WebhookVerificationError, match="no signature matches"):
        verify(headers, BODY, SECRET, now=NOW)


def test_tampered_body_fails() -> None:
    with pytest.raises(WebhookVerificationError, match="no signature matches"):
        verify(_headers(), BODY + b" ", SECRET, now=NOW)


def test_wrong_secret_fails() -> None:
    with pytest.raises(WebhookVerificationError):
        verify(_headers(), BODY, "another secret", now=NOW)


@pytest.mark.parametrize("name", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_header_fails(name: str) -> None:
    headers = _headers()
    del headers[name]

    with pytest.raises(WebhookVerificationError, match=f"missing {name}"):
        verify(headers, BODY, SECRET, now=NOW)


def test_stale_timestamp_fails() -> None:
    headers = _headers(timestamp=NOW - 301)

    with pytest.raises(WebhookVerificationError, match="too old"):
        verify(headers, BODY, SECRET, now=NOW)


def test_future_timestamp_fails() -> None:
    headers = _headers(timestamp=NOW + 301)

    with pytest.raises(WebhookVerificationError, match="in the future"):
        verify(headers, BODY, SECRET, now=NOW)


def test_timestamp_within_tolerance_passes() -> None:
    verify(_headers(timestamp=NOW - 300), BODY, SECRET, now=NOW)
    verify(_headers(timestamp=NOW + 300), BODY, SECRET, now=NOW)
    verify(_headers(timestamp=NOW - 60), BODY, SECRET, now=NOW, tolerance_seconds=60)
    with pytest.raises(WebhookVerificationError):
        verify(_headers(timestamp=NOW - 61), BODY, SECRET, now=NOW, tolerance_seconds=60)


def test_now_defaults_to_the_clock() -> None:
    with pytest.raises(WebhookVerificationError, match="too old"):
        verify(_headers(timestamp=1), BODY, SECRET)


@pytest.mark.parametrize("timestamp", ["", "abc", "+1700000000", " 1700000000x", "1_700"])
def test_malformed_timestamp_fails(timestamp: str) -> None:
    headers = _headers()
    headers["webhook-timestamp"] = timestamp

    with pytest.raises(WebhookVerificationError):
        verify(headers, BODY, SECRET, now=NOW)


def test_any_of_several_signatures_may_match() -> None:
    # Given a header carrying a rotated-out key's signature, a v2 entry and ours
    old = sign("old secret", MSG_ID, NOW, BODY)
    ours = sign(SECRET, MSG_ID, NOW, BODY)
    headers = _headers()
    headers["webhook-signature"] = f"{old} v2,abc {ours}"

    verify(headers, BODY, SECRET, now=NOW)
    verify(headers, BODY, "old secret", now=NOW)
    with pytest.raises(WebhookVerificationError):
        verify(headers, BODY, "a third secret", now=NOW)


def test_verification_error_is_a_value_error() -> None:
    assert issubclass(WebhookVerificationError, ValueError)
