"""401/402/404/409/413/422/429 paths, credits and refunds, idempotency, cancellation."""

from __future__ import annotations

import base64
import threading
import time

import httpx
import pytest

from mixdown.service.quotas import set_key_quotas
from tests.audio_gen import wav_bytes
from tests.harness import wait_for_job
from tests.integration.conftest import Stack, StackFactory

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]


def b64_wav(seconds: float = 1.0) -> str:
    return base64.b64encode(wav_bytes(seconds)).decode()


def test_three_ways_to_send_the_key_and_401s(stack: Stack) -> None:
    for headers in (
        {"Authorization": f"Bearer {stack.key}"},
        {"Authorization": stack.key},
        {"X-API-Key": stack.key},
    ):
        assert httpx.get(f"{stack.url}/v1/credits", headers=headers).status_code == 200
    for headers in ({}, {"Authorization": "Bearer mxd_unknown"}, {"X-API-Key": "nope"}):
        response = httpx.get(f"{stack.url}/v1/credits", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"


def test_a_key_sees_only_its_own_jobs_and_files(stack: Stack) -> None:
    job_id = stack.client.post("/v1/convert", json={"input_audio": b64_wav(), "target_format": "wav"}).json()[
        "job_id"
    ]
    result_id = wait_for_job(stack.client, job_id)["results"][0]["id"]
    other = stack.client_for(stack.new_key())
    assert other.get(f"/v1/jobs/{job_id}").status_code == 404
    assert other.delete(f"/v1/jobs/{job_id}").status_code == 404
    assert other.get(f"/v1/jobs/{job_id}/webhooks").status_code == 404
    assert other.get(f"/v1/audio/{result_id}").status_code == 404
    assert other.get("/v1/jobs").json()["jobs"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target_format": "xyz"}, "target_format"),
        ({"target_format": "mp3", "target_bit_depth": 24}, "target_bit_depth"),
        ({"target_format": "wav", "surprise": 1}, "surprise"),
        ({"target_format": "wav", "target_sr": 10}, "target_sr"),
    ],
)
def test_invalid_parameters_answer_422_naming_the_field(
    stack: Stack, body: dict[str, object], field: str
) -> None:
    response = stack.client.post("/v1/convert", json={"input_audio": b64_wav(), **body})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error" and error["field"] == field and error["message"]


def test_cut_beyond_the_input_is_422_on_end_time(stack: Stack) -> None:
    response = stack.client.post(
        "/v1/cut", json={"input_audio": b64_wav(1.0), "start_time": 0, "end_time": 5}
    )
    assert response.status_code == 422 and response.json()["error"]["field"] == "end_time"
    response = stack.client.post(
        "/v1/cut", json={"input_audio": b64_wav(1.0), "start_time": 0.5, "end_time": 0.2}
    )
    assert response.status_code == 422 and response.json()["error"]["field"] == "end_time"


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        (
            {"input_audio": base64.b64encode(b"not audio at all" * 64).decode()},
            "audio_decode_error",
            "input_audio",
        ),
        ({"input_audio": "@@@not base64@@@"}, "invalid_input", "input_audio"),
        ({}, "invalid_input", "audio_url"),
        ({"input_audio": "aGk=", "audio_url": "https://example.com/a.wav"}, "invalid_input", "input_audio"),
    ],
)
def test_bad_audio_is_400_saying_so(stack: Stack, body: dict[str, object], code: str, field: str) -> None:
    response = stack.client.post("/v1/convert", json={"target_format": "wav", **body})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code and response.json()["error"]["field"] == field


def test_malformed_json_is_400(stack: Stack) -> None:
    response = stack.client.post(
        "/v1/convert", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400 and response.json()["error"]["field"] == "body"


def test_oversize_input_is_413(make_stack: StackFactory) -> None:
    stack = make_stack(max_upload_bytes=50_000)
    big = wav_bytes(2.0)  # ~350 kB
    upload = stack.client.post(
        "/v1/convert", data={"target_format": "wav"}, files={"audio_file": ("a.wav", big)}
    )
    assert upload.status_code == 413 and upload.json()["error"]["code"] == "payload_too_large"
    b64 = stack.client.post(
        "/v1/convert", json={"target_format": "wav", "input_audio": base64.b64encode(big).decode()}
    )
    assert b64.status_code == 413


def test_ssrf_refused_for_audio_url_and_webhook_url(stack: Stack) -> None:
    for url in (
        "http://127.0.0.1:1/a.wav",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/x",
        "file:///etc/passwd",
    ):
        response = stack.client.post("/v1/convert", json={"target_format": "wav", "audio_url": url})
        assert response.status_code == 400, url
        assert response.json()["error"]["code"] == "url_refused"
    response = stack.client.post(
        "/v1/convert",
        json={"target_format": "wav", "input_audio": b64_wav(), "webhook_url": "http://10.0.0.1/hook"},
    )
    assert response.status_code == 400 and response.json()["error"]["field"] == "webhook_url"


def test_credits_are_debited_and_refunded_on_failure(stack: Stack) -> None:
    assert stack.client.get("/v1/credits").json() == {
        "credits": 100.0,
        "reserved": 0.0,
        "spent": 0.0,
        "unlimited": False,
    }
    accepted = stack.client.post("/v1/sleepy", json={"seconds": 3}).json()
    assert accepted["credit_estimate"] == 3.0
    assert stack.client.get("/v1/credits").json()["reserved"] == 3.0
    wait_for_job(stack.client, accepted["job_id"])
    assert stack.client.get("/v1/credits").json() == {
        "credits": 97.0,
        "reserved": 0.0,
        "spent": 3.0,
        "unlimited": False,
    }

    failed = wait_for_job(stack.client, stack.client.post("/v1/explode", json={}).json()["job_id"])
    assert failed["status"] == "failed" and failed["attempts"] == 3
    assert failed["error"]["code"] == "internal_error" and "kaboom" in failed["error"]["message"]
    assert failed["credits_charged"] == 0
    assert stack.client.get("/v1/credits").json() == {
        "credits": 97.0,
        "reserved": 0.0,
        "spent": 3.0,
        "unlimited": False,
    }


def test_insufficient_credits_is_402_with_amounts(make_stack: StackFactory) -> None:
    stack = make_stack(credits=2.0)
    response = stack.client.post("/v1/sleepy", json={"seconds": 5})
    assert response.status_code == 402
    error = response.json()["error"]
    assert error["code"] == "insufficient_credits" and error["needed"] == 5.0 and error["available"] == 2.0


def test_concurrent_submits_never_overspend(make_stack: StackFactory) -> None:
    stack = make_stack(credits=10.0, workers=0)
    codes: list[int] = []

    def submit() -> None:
        with httpx.Client(base_url=stack.url, headers={"X-API-Key": stack.key}) as client:
            codes.append(client.post("/v1/sleepy", json={"seconds": 1}).status_code)

    threads = [threading.Thread(target=submit) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [202] * 10 + [402] * 6
    assert stack.client.get("/v1/credits").json()["credits"] == 0.0


def test_unlimited_credits_setting(make_stack: StackFactory) -> None:
    stack = make_stack(credits=0.0, credits_enabled=False)
    job = wait_for_job(stack.client, stack.client.post("/v1/sleepy", json={"seconds": 0.1}).json()["job_id"])
    assert job["status"] == "complete"
    assert stack.client.get("/v1/credits").json()["unlimited"] is True


def test_submit_and_status_rate_limits_answer_429_with_headers(make_stack: StackFactory) -> None:
    stack = make_stack(submit_rate_limit="2/minute", status_rate_limit="3/minute", workers=0)
    for _ in range(2):
        assert stack.client.post("/v1/sleepy", json={"seconds": 0}).status_code == 202
    refused = stack.client.post("/v1/sleepy", json={"seconds": 0})
    assert refused.status_code == 429
    assert refused.headers["X-RateLimit-Limit"] == "2" and refused.headers["X-RateLimit-Remaining"] == "0"
    assert (
        int(refused.headers["Retry-After"]) >= 1 and int(refused.headers["X-RateLimit-Reset"]) > time.time()
    )
    statuses = [stack.client.get("/v1/jobs").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_parallel_generation_cap_counts_the_job_store(make_stack: StackFactory) -> None:
    stack = make_stack(max_parallel_generations=2, workers=0)
    first = [stack.client.post("/v1/slowgen", json={"seconds": 0}) for _ in range(2)]
    assert [r.status_code for r in first] == [202, 202]
    third = stack.client.post("/v1/slowgen", json={"seconds": 0})
    assert third.status_code == 429 and "2 generation jobs" in third.json()["error"]["message"]
    stack.client.delete(f"/v1/jobs/{first[0].json()['job_id']}")
    assert stack.client.post("/v1/slowgen", json={"seconds": 0}).status_code == 202


def test_idempotency_key_replays_and_conflicts(stack: Stack) -> None:
    headers = {"Idempotency-Key": "abc-123"}
    first = stack.client.post("/v1/sleepy", json={"seconds": 0}, headers=headers)
    again = stack.client.post("/v1/sleepy", json={"seconds": 0}, headers=headers)
    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()
    conflict = stack.client.post("/v1/sleepy", json={"seconds": 1}, headers=headers)
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "idempotency_conflict"
    other_key = stack.client_for(stack.new_key()).post("/v1/sleepy", json={"seconds": 0}, headers=headers)
    assert other_key.status_code == 202 and other_key.json()["job_id"] != first.json()["job_id"]
    assert len(stack.client.get("/v1/jobs").json()["jobs"]) == 1


def test_cancel_queued_job_refunds(make_stack: StackFactory) -> None:
    stack = make_stack(workers=0)
    job_id = stack.client.post("/v1/sleepy", json={"seconds": 4}).json()["job_id"]
    assert stack.client.get("/v1/credits").json()["reserved"] == 4.0
    cancelled = stack.client.delete(f"/v1/jobs/{job_id}").json()
    assert cancelled["status"] == "cancelled"
    assert stack.client.get("/v1/credits").json() == {
        "credits": 100.0,
        "reserved": 0.0,
        "spent": 0.0,
        "unlimited": False,
    }


def test_cancel_running_job_stops_at_next_progress_check(stack: Stack) -> None:
    job_id = stack.client.post("/v1/sleepy", json={"seconds": 20}).json()["job_id"]
    wait_for_job(stack.client, job_id, until=("processing",))
    started = time.monotonic()
    stack.client.delete(f"/v1/jobs/{job_id}")
    job = wait_for_job(stack.client, job_id)
    assert job["status"] == "cancelled" and job["results"] == []
    assert time.monotonic() - started < 5
    assert stack.client.get("/v1/credits").json()["credits"] == 100.0


def test_short_lived_tokens_act_for_their_key_within_their_scopes(stack: Stack) -> None:
    # Given a token for this key that may generate and read, and one that may only read
    full = stack.client.post("/v1/tokens", json={"expires_in": 600})
    read = stack.client.post("/v1/tokens", json={"scopes": ["read"]})
    assert full.status_code == 201 and full.json()["scopes"] == ["generate", "read"]
    assert read.status_code == 201 and read.json()["expires_in"] == 3600
    as_full = stack.client_for(full.json()["token"])
    as_read = stack.client_for(read.json()["token"])
    # When the full token submits, it spends the key's credits and both tokens can read the job
    accepted = as_full.post("/v1/sleepy", json={"seconds": 0})
    assert accepted.status_code == 202, accepted.text
    job = wait_for_job(as_read, accepted.json()["job_id"])
    assert job["status"] == "complete"
    assert stack.client.get(f"/v1/jobs/{job['job_id']}").status_code == 200
    # Then the read-only token may not submit, a token may not mint tokens, and bad tokens are 401
    refused = as_read.post("/v1/sleepy", json={"seconds": 0})
    assert refused.status_code == 403 and "generate" in refused.json()["error"]["message"]
    assert as_full.post("/v1/tokens", json={}).status_code == 403
    forged = full.json()["token"][:-4] + "AAAA"
    assert stack.client_for(forged).get(f"/v1/jobs/{job['job_id']}").status_code == 401
    bad = stack.client.post("/v1/tokens", json={"scopes": ["admin"]})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "scopes"


def test_content_policy_refuses_with_400_and_charges_nothing(make_stack: StackFactory) -> None:
    stack = make_stack(content_policy_extra=["kazoo"])
    before = stack.client.get("/v1/credits").json()
    refused = stack.client.post("/v1/generate", json={"prompt": "lofi with a K.A.Z.O.O solo", "duration": 5})
    assert refused.status_code == 400
    assert refused.json()["error"] == {
        "code": "content_policy_violation",
        "message": "The prompt was rejected by the content safety filter",
        "field": "prompt",
    }
    assert stack.client.get("/v1/credits").json() == before
    metrics = stack.client.get("/metrics").text
    assert 'mixdown_content_policy_rejections_total{field="prompt"} 1.0' in metrics


def test_quotas_of_a_plan_refuse_by_name_and_show_in_usage(make_stack: StackFactory) -> None:
    stack = make_stack(plans={"tiny": {"max_duration_seconds": 20, "monthly_generation_minutes": 0.1}})
    key_id = stack.services.auth.authenticate(stack.key).key_id
    set_key_quotas(stack.services, key_id, plan="tiny", overrides={})
    long = stack.client.post("/v1/generate", json={"prompt": "ambient", "duration": 30, "seed": 1})
    assert long.status_code == 402 and long.json()["error"]["quota"] == "max_duration_seconds"
    assert long.json()["error"]["field"] == "duration"
    first = stack.client.post("/v1/generate", json={"prompt": "ambient", "duration": 5, "seed": 1})
    assert first.status_code == 202, first.text
    wait_for_job(stack.client, first.json()["job_id"], timeout=240)
    over = stack.client.post("/v1/generate", json={"prompt": "ambient", "duration": 2, "seed": 2})
    assert over.status_code == 402 and over.json()["error"]["quota"] == "monthly_generation_minutes"
    assert over.json()["error"]["resets_at"].endswith("T00:00:00Z")
    # a cache hit of the first request is free and allowed
    again = stack.client.post("/v1/generate", json={"prompt": "ambient", "duration": 5, "seed": 1})
    assert again.status_code == 202 and again.json()["status"] == "complete"
    quotas = stack.client.get("/v1/usage").json()["quotas"]
    assert quotas["plan"] == "tiny" and quotas["generation_minutes_this_month"] == pytest.approx(
        5 / 60, abs=1e-3
    )
    set_key_quotas(stack.services, key_id, plan=None, overrides={"max_concurrent_jobs": 0})
    busy = stack.client.post("/v1/sleepy", json={"seconds": 0})
    assert busy.status_code == 429 and busy.json()["error"]["quota"] == "max_concurrent_jobs"
