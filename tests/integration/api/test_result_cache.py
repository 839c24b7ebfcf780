"""Both result caches over HTTP: exact and similar-prompt hits, misses, bypass, isolation, sharing,
price, threshold and expiry (with the procedural ``sfx`` task, which renders in well under 1 s)."""

from __future__ import annotations

import base64
import time
from typing import Any

import httpx
import pytest

from mixdown.engines.text_embedding import cosine, embed_one
from tests.audio_gen import wav_bytes
from tests.harness import wait_for_job
from tests.integration.conftest import Stack, StackFactory

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

RAIN = "heavy rain on a window"
RAIN_AGAIN = "heavy rain against the window"
SFX = {"duration": 0.5, "sample_rate": 22050}


def submit(client: httpx.Client, prompt: str, **fields: Any) -> dict[str, Any]:
    """Submit an sfx job and answer its final view (a cache hit is final at once)."""
    accepted = client.post("/v1/sfx", json={"prompt": prompt, **SFX, **fields})
    assert accepted.status_code == 202, accepted.text
    return wait_for_job(client, accepted.json()["job_id"]) | {"accepted": accepted.json()}


def audio_bytes(client: httpx.Client, job: dict[str, Any]) -> bytes:
    return client.get(job["results"][0]["url"]).content


def credits(stack: Stack, client: httpx.Client | None = None) -> float:
    return float((client or stack.client).get("/v1/credits").json()["credits"])


def test_a_similar_prompt_is_answered_with_the_same_bytes_for_free(stack: Stack) -> None:
    # Given a sound made with the similar cache on
    first = submit(stack.client, RAIN, cache="similar")
    assert first["accepted"]["status"] == "queued" and first["status"] == "complete"
    assert "cache" not in first["metadata"]
    before = credits(stack)
    # When a request with a prompt that means the same asks for the similar cache
    again = submit(stack.client, RAIN_AGAIN, cache="similar")
    # Then it is complete at once with the first job's bytes, says so, and costs nothing
    assert again["accepted"]["status"] == "complete" and again["credits_charged"] == 0
    meta = again["metadata"]
    assert meta["cache"] == "similar" and meta["cached_from"] == first["job_id"]
    expected = cosine(embed_one(RAIN), embed_one(RAIN_AGAIN))
    assert meta["similarity"] == pytest.approx(expected, abs=1e-3) and meta["similarity"] >= 0.92
    assert again["params"]["prompt"] == RAIN_AGAIN and meta["seed"] == first["metadata"]["seed"]
    assert again["results"][0]["sha256"] == first["results"][0]["sha256"]
    assert audio_bytes(stack.client, again) == audio_bytes(stack.client, first)
    assert credits(stack) == before
    usage = stack.client.get("/v1/usage").json()
    assert usage["cache_hits"] == 1
    # Only the computed sound counts against the monthly generation minutes
    assert usage["quotas"]["generation_minutes_this_month"] == pytest.approx(0.5 / 60, abs=1e-3)


def test_similar_cache_misses_bypasses_and_guards(stack: Stack) -> None:
    first = submit(stack.client, RAIN, cache="similar")
    # A different sound, other parameters, another seed, other numbers: computed
    for prompt, extra in (
        ("distant thunder", {}),
        (RAIN_AGAIN, {"duration": 0.6}),
        (RAIN_AGAIN, {"seed": first["metadata"]["seed"] + 1}),
        (f"{RAIN} 2", {}),  # cosine 0.93, but it states a number the first does not
    ):
        miss = submit(stack.client, prompt, cache="similar", **extra)
        assert miss["accepted"]["status"] == "queued", (prompt, extra)
        assert "cache" not in miss["metadata"]
    # Without the opt-in (the exact cache only; no seed: not cacheable) or with the cache off
    for value in (True, "exact", False):
        plain = submit(stack.client, RAIN_AGAIN, cache=value)
        assert plain["accepted"]["status"] == "queued" and "cache" not in plain["metadata"]
    # The explicit seed of the first job matches it
    seeded = submit(stack.client, RAIN_AGAIN, cache="similar", seed=first["metadata"]["seed"])
    assert seeded["metadata"]["cache"] == "similar"
    bad = stack.client.post("/v1/sfx", json={"prompt": RAIN, "cache": "nearly"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "cache"


def test_similar_hits_are_per_key(stack: Stack) -> None:
    submit(stack.client, RAIN, cache="similar")
    other = stack.client_for(stack.new_key())
    assert submit(other, RAIN_AGAIN, cache="similar")["accepted"]["status"] == "queued"


@pytest.mark.parametrize(("margin", "hit"), [(-1e-5, True), (1e-4, False)])
def test_the_threshold_is_a_cosine_floor(make_stack: StackFactory, margin: float, hit: bool) -> None:
    similarity = cosine(embed_one(RAIN), embed_one("rain drumming on a window pane"))
    stack = make_stack(cache_similar_threshold=similarity + margin, cache_similar_default=True)
    submit(stack.client, RAIN)  # the setting turns the similar cache on without a "cache" field
    again = submit(stack.client, "rain drumming on a window pane")
    assert (again["metadata"].get("cache") == "similar") is hit


def test_exact_and_similar_hits_shared_across_keys_at_a_set_price(make_stack: StackFactory) -> None:
    stack = make_stack(cache_shared=True, cache_hit_credit_fraction=0.5)
    first = submit(stack.client, RAIN, cache="similar", seed=3)
    other = stack.client_for(stack.new_key())
    before = credits(stack, other)
    exact = submit(other, RAIN, seed=3)
    similar = submit(other, RAIN_AGAIN, cache="similar", seed=3)
    assert exact["metadata"]["cache"] == "hit" and similar["metadata"]["cache"] == "similar"
    assert {exact["metadata"]["cached_from"], similar["metadata"]["cached_from"]} == {first["job_id"]}
    assert exact["credits_charged"] == similar["credits_charged"] == first["credits_charged"] / 2
    assert credits(stack, other) == pytest.approx(before - first["credits_charged"])
    # A similar hit is never an exact answer for its own prompt: that one is computed
    own = submit(other, RAIN_AGAIN, seed=3)
    assert own["accepted"]["status"] == "queued" and "cache" not in own["metadata"]


def test_entries_expire_with_the_results(make_stack: StackFactory) -> None:
    stack = make_stack(retention_days=3 / 86400)  # results live 3 s
    first = submit(stack.client, RAIN, cache="similar", seed=5)
    deadline = time.monotonic() + 20
    while not stack.client.get(f"/v1/jobs/{first['job_id']}").json()["results"][0]["expired"]:
        assert time.monotonic() < deadline, "the sweeper did not expire the result"
        time.sleep(0.2)
    assert submit(stack.client, RAIN, seed=5)["accepted"]["status"] == "queued"
    assert submit(stack.client, RAIN_AGAIN, cache="similar")["accepted"]["status"] == "queued"


def test_the_exact_key_is_the_input_content_not_how_it_came(stack: Stack) -> None:
    wav = wav_bytes(1.0)
    body = {"input_audio": base64.b64encode(wav).decode(), "target_format": "flac"}
    first = stack.client.post("/v1/convert", json=body).json()
    wait_for_job(stack.client, first["job_id"])
    upload = stack.client.post(
        "/v1/convert",
        files={"audio_file": ("other-name.wav", wav, "audio/wav")},
        data={"target_format": "flac"},
    )
    assert upload.json()["status"] == "complete"
    hit = wait_for_job(stack.client, upload.json()["job_id"])
    assert hit["metadata"]["cache"] == "hit" and hit["metadata"]["cached_from"] == first["job_id"]
    louder = stack.client.post(
        "/v1/convert", json={**body, "input_audio": base64.b64encode(wav_bytes(1.0, freq=330.0)).decode()}
    )
    assert louder.json()["status"] == "queued"
