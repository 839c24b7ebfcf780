"""Signed webhooks with retries, and audio_url inputs from an allowlisted local server."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from mixdown.webhooks.signing import verify
from tests.audio_gen import wav_bytes
from tests.harness import wait_for_job
from tests.integration.conftest import Stack, StackFactory
from tests.receiver import Receiver

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
def open_stack(make_stack: StackFactory) -> Stack:
    return make_stack(url_allowlist=["127.0.0.1/32"])


def wait_until(condition: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_signed_webhook_on_completion(open_stack: Stack, receiver: Receiver) -> None:
    job_id = open_stack.client.post(
        "/v1/sleepy",
        json={"seconds": 0.2, "webhook_url": f"{receiver.url}/hook", "webhook_secret": "s3cret"},
    ).json()["job_id"]
    wait_until(lambda: receiver.posts("/hook"))
    [delivery] = receiver.posts("/hook")
    verify(delivery["headers"], delivery["body"], "s3cret")
    payload = delivery["json"]
    assert payload["event"] == "complete" and payload["job_id"] == job_id and payload["status"] == "complete"
    assert (
        payload["task"] == "sleepy" and payload["results"][0]["kind"] == "json" and payload["error"] is None
    )
    with pytest.raises(ValueError, match="signature"):
        verify(delivery["headers"], delivery["body"] + b" ", "s3cret")


def test_failing_receiver_is_retried_with_the_same_webhook_id(open_stack: Stack, receiver: Receiver) -> None:
    receiver.script["/flaky"] = [500, 503]
    job_id = open_stack.client.post(
        "/v1/explode", json={"webhook_url": f"{receiver.url}/flaky", "webhook_events": ["failed"]}
    ).json()["job_id"]
    wait_until(lambda: len(receiver.posts("/flaky")) == 3)
    posts = receiver.posts("/flaky")
    assert {p["headers"]["webhook-id"] for p in posts} == {posts[0]["headers"]["webhook-id"]}
    assert posts[0]["json"]["event"] == "failed" and posts[0]["json"]["error"]["code"] == "internal_error"
    assert "webhook-signature" not in {k.lower() for k in posts[0]["headers"]}  # no secret, no signature
    wait_until(
        lambda: (
            open_stack.client.get(f"/v1/jobs/{job_id}/webhooks").json()["deliveries"][0]["status"]
            == "delivered"
        )
    )
    [record] = open_stack.client.get(f"/v1/jobs/{job_id}/webhooks").json()["deliveries"]
    assert [a["status_code"] for a in record["attempts"]] == [500, 503, 200]
    assert record["webhook_id"] == posts[0]["headers"]["webhook-id"]


def test_progress_events_when_asked(open_stack: Stack, receiver: Receiver) -> None:
    open_stack.client.post(
        "/v1/sleepy",
        json={"seconds": 1.5, "webhook_url": f"{receiver.url}/p", "webhook_events": ["progress", "complete"]},
    )
    wait_until(lambda: any(p["json"]["event"] == "complete" for p in receiver.posts("/p")))
    events = [p["json"]["event"] for p in receiver.posts("/p")]
    assert "progress" in events and "complete" in events


def test_unknown_webhook_event_is_422(open_stack: Stack, receiver: Receiver) -> None:
    response = open_stack.client.post(
        "/v1/sleepy", json={"webhook_url": f"{receiver.url}/x", "webhook_events": ["done"]}
    )
    assert response.status_code == 422 and response.json()["error"]["field"] == "webhook_events"


def test_audio_url_from_allowlisted_server(open_stack: Stack, receiver: Receiver) -> None:
    receiver.files["/tone.wav"] = wav_bytes(1.5)
    accepted = open_stack.client.post(
        "/v1/cut", data={"audio_url": f"{receiver.url}/tone.wav", "start_time": "0.5", "end_time": "1.0"}
    )
    assert accepted.status_code == 202, accepted.text
    job = wait_for_job(open_stack.client, accepted.json()["job_id"])
    assert job["results"][0]["duration"] == pytest.approx(0.5)
    missing = open_stack.client.post(
        "/v1/cut", json={"audio_url": f"{receiver.url}/nope.wav", "start_time": 0, "end_time": 1}
    )
    assert missing.status_code == 400 and "404" in missing.json()["error"]["message"]
