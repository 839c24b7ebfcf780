"""Short-lived tokens with limits of their own, and usage per key in ``/metrics``, over HTTP."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from mixdown.service.quotas import set_key_quotas
from tests.harness import wait_for_job
from tests.integration.conftest import Stack, StackFactory

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

THUNDER = {"prompt": "distant thunder", "duration": 0.5, "sample_rate": 22050}


def test_a_token_may_only_narrow_its_keys_limits(make_stack: StackFactory) -> None:
    stack = make_stack(plans={"small": {"max_duration_seconds": 10}})
    key_id = stack.services.auth.authenticate(stack.key).key_id
    set_key_quotas(stack.services, key_id, plan="small", overrides={})
    for limits, field in (
        ({"max_duration_seconds": 20}, "limits.max_duration_seconds"),
        ({"rate_limit": "lots"}, "limits.rate_limit"),
        ({"max_gpus": 1}, "limits.max_gpus"),
        ({"max_credits": -1}, "limits.max_credits"),
    ):
        refused = stack.client.post("/v1/tokens", json={"limits": limits})
        assert refused.status_code == 422 and refused.json()["error"]["field"] == field, refused.text
    issued = stack.client.post("/v1/tokens", json={"limits": {"max_duration_seconds": 1, "max_credits": 2}})
    assert issued.json()["limits"] == {"max_duration_seconds": 1, "max_credits": 2}
    as_token = stack.client_for(issued.json()["token"])
    # Duration: the token's 1 s, though the key allows 10
    long = as_token.post("/v1/sfx", json={**THUNDER, "duration": 2})
    assert long.status_code == 402 and long.json()["error"]["quota"] == "token.max_duration_seconds"
    assert long.json()["error"]["field"] == "duration"
    assert stack.client.post("/v1/sfx", json={**THUNDER, "duration": 2}).status_code == 202
    # Credits: two 1-credit jobs fit in the token's 2, a third does not; the key still submits
    for _ in range(2):
        accepted = as_token.post("/v1/sleepy", json={"seconds": 0})
        assert accepted.status_code == 202, accepted.text
        wait_for_job(as_token, accepted.json()["job_id"])
    over = as_token.post("/v1/sleepy", json={"seconds": 0})
    assert over.status_code == 402 and over.json()["error"]["quota"] == "token.max_credits"
    assert stack.client.post("/v1/sleepy", json={"seconds": 0}).status_code == 202
    # Raising a limit in the token's payload breaks its signature
    head, payload, signature = issued.json()["token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["lim"]["max_credits"] = 1000
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    refused = stack.client_for(f"{head}.{forged}.{signature}").post("/v1/sleepy", json={"seconds": 0})
    assert refused.status_code == 401 and "invalid" in refused.json()["error"]["message"]


def test_a_tokens_rate_and_concurrency_limits(stack: Stack) -> None:
    rated = stack.client_for(
        stack.client.post("/v1/tokens", json={"limits": {"rate_limit": "2/minute"}}).json()["token"]
    )
    assert [rated.post("/v1/sleepy", json={"seconds": 0}).status_code for _ in range(3)] == [202, 202, 429]
    limited = rated.post("/v1/sleepy", json={"seconds": 0})
    assert limited.json()["error"]["quota"] == "token.rate_limit" and int(limited.headers["Retry-After"]) >= 1
    issued = stack.client.post("/v1/tokens", json={"limits": {"max_concurrent_jobs": 1}})
    single = stack.client_for(issued.json()["token"])
    first = single.post("/v1/sleepy", json={"seconds": 3})
    assert first.status_code == 202
    busy = single.post("/v1/sleepy", json={"seconds": 0})
    assert busy.status_code == 429 and busy.json()["error"]["quota"] == "token.max_concurrent_jobs"
    assert stack.client.post("/v1/sleepy", json={"seconds": 0}).status_code == 202  # the key is not held


def test_an_expired_token_is_refused_saying_so(stack: Stack) -> None:
    key_id = stack.services.auth.authenticate(stack.key).key_id
    old, _ = stack.services.tokens.issue(key_id, now=datetime.now(UTC) - timedelta(hours=2), ttl=60)
    refused = stack.client_for(old).get("/v1/usage")
    assert refused.status_code == 401 and "expired" in refused.json()["error"]["message"]


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a Prometheus exposition, by name and sorted labels."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics_show_each_keys_usage_up_to_a_label_cap(make_stack: StackFactory) -> None:
    stack = make_stack(metrics_key_labels_max=1)
    key_id = stack.services.auth.authenticate(stack.key).key_id
    # Given this key's sound, the same request again (a cache hit) and a job of two other keys
    for _ in range(2):
        wait_for_job(stack.client, stack.client.post("/v1/sfx", json={**THUNDER, "seed": 1}).json()["job_id"])
    for _ in range(2):
        other = stack.client_for(stack.new_key())
        wait_for_job(other, other.post("/v1/sleepy", json={"seconds": 0}).json()["job_id"])
    # When Prometheus scrapes
    got = samples(stack.client.get("/metrics").text)
    usage = stack.client.get("/v1/usage").json()
    # Then the busiest key has its own label with the numbers of /v1/usage, the others add up
    mine = (("key", key_id),)
    assert got[("mixdown_key_requests_total", mine)] == usage["requests"] == 2
    assert got[("mixdown_key_jobs", (("key", key_id), ("status", "complete")))] == 2
    assert got[("mixdown_key_audio_seconds_total", mine)] == pytest.approx(usage["audio_seconds"]) == 1.0
    assert got[("mixdown_key_credits_spent_total", mine)] == pytest.approx(usage["credits_spent"]) == 0.25
    assert (
        got[("mixdown_key_cache_hits_total", (("cache", "hit"), ("key", key_id)))] == usage["cache_hits"] == 1
    )
    assert got[("mixdown_key_requests_total", (("key", "other"),))] == 2
    assert got[("mixdown_key_credits_spent_total", (("key", "other"),))] == pytest.approx(2.0)
    assert {labels for name, labels in got if name == "mixdown_key_requests_total"} == {
        mine,
        (("key", "other"),),
    }
