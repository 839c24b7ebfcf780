"""``POST /v1/lyrics`` (a job) and ``GET /v1/lyrics`` (answered at once) over real HTTP."""

from __future__ import annotations

from itertools import combinations
from typing import Any

import pytest

from mixdown.engines.lyrics.pronounce import pronouncer, words_of
from tests.harness import wait_for_job
from tests.integration.conftest import Stack, StackFactory

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


def assert_meets(body: dict[str, Any], scheme: str, syllables: int) -> None:
    """Check the lyrics ourselves, from the text alone: tags, rhymes by letter, syllables, repeats."""
    cmu = pronouncer()
    sections = body["lyrics"].split("\n\n")
    sung: list[str] = []
    for section in sections:
        tag, *lines = section.split("\n")
        assert tag.startswith("[") and tag.endswith("]") and len(lines) % len(scheme) == 0
        ends = [words_of(line)[-1] for line in lines]
        for i, j in combinations(range(len(lines)), 2):
            same = scheme[i % len(scheme)] == scheme[j % len(scheme)]
            assert cmu.rhymes(ends[i], ends[j]) == same, (tag, ends)
        assert all(abs(cmu.line_syllables(line) - syllables) <= 1 for line in lines), lines
        if tag != "[Chorus]":
            sung.extend(lines)
    assert len(sung) == len(set(sung))


def test_a_lyrics_job_end_to_end(stack: Stack) -> None:
    accepted = stack.client.post(
        "/v1/lyrics", json={"prompt": "a rainy night in the city", "rhyme_scheme": "ABAB", "syllables": 9}
    )
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["task"] == "lyrics" and accepted.json()["credit_estimate"] == 0.02
    job = wait_for_job(stack.client, accepted.json()["job_id"])
    assert job["status"] == "complete", job["error"]
    meta = job["metadata"]
    assert meta["engine"] == "embedded" and meta["check"]["ok"] and meta["lines"] == 24
    [result] = job["results"]
    assert result["kind"] == "lyrics" and result["format"] == "json"
    body = stack.client.get(result["url"]).json()
    assert body["lyrics"] == meta["lyrics"] and body["check"]["problems"] == []
    assert [s["tag"] for s in body["sections"]] == [
        "Verse 1",
        "Chorus",
        "Verse 2",
        "Chorus",
        "Bridge",
        "Chorus",
    ]
    assert {"rain", "night", "city", "rainy"} & set(body["theme_words"])
    assert_meets(body, "ABAB", 9)


def test_get_answers_with_the_lyrics_and_a_seed_repeats_them(stack: Stack) -> None:
    query = {
        "prompt": "waves on the shore",
        "rhyme_scheme": "AAAA",
        "syllables": "6",
        "seed": "5",
        "structure": "verse-chorus-verse-chorus",
        "lines_per_section": "8",
    }
    first = stack.client.get("/v1/lyrics", params=query)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["job_id"] == first.headers["x-mixdown-job-id"] and body["seed"] == 5
    assert body["structure"] == ["verse", "chorus", "verse", "chorus"] and body["lines_per_section"] == 8
    assert body["check"]["ok"] and body["lyrics"].count("[Chorus]") == 2
    assert_meets(body, "AAAABBBB", 6)
    again = stack.client.get("/v1/lyrics", params=query).json()
    assert again["lyrics"] == body["lyrics"] and again["job_id"] != body["job_id"]
    other = stack.client.get("/v1/lyrics", params={**query, "seed": "6"}).json()
    assert other["lyrics"] != body["lyrics"]


BAD = [
    ({}, "prompt"),
    ({"prompt": "x", "rhyme_scheme": "A-B"}, "rhyme_scheme"),
    ({"prompt": "x", "syllables": "twenty"}, "syllables"),
    ({"prompt": "x", "lines_per_section": "3"}, "lines_per_section"),
    ({"prompt": "x", "structure": "verse-solo"}, "structure"),
    ({"prompt": "x", "language": "de"}, "language"),
    ({"prompt": "x", "engine": "gpt-5"}, "engine"),
]


def test_bad_parameters_are_422_naming_the_field(stack: Stack) -> None:
    for query, field in BAD:
        for response in (
            stack.client.get("/v1/lyrics", params=query),
            stack.client.post("/v1/lyrics", json=query),
        ):
            assert response.status_code == 422, response.text
            assert response.json()["error"]["field"] == field
    assert stack.client.get("/v1/credits").json()["credits"] == 100.0


def test_chat_without_a_configured_server_is_503_naming_engine(stack: Stack) -> None:
    for response in (
        stack.client.get("/v1/lyrics", params={"prompt": "x", "engine": "chat", "language": "es"}),
        stack.client.post("/v1/lyrics", json={"prompt": "x", "engine": "chat"}),
    ):
        assert response.status_code == 503
        error = response.json()["error"]
        assert error["code"] == "engine_unavailable" and error["field"] == "engine"
        assert "MIXDOWN_LYRICS_CHAT_URL" in error["message"]


def test_the_content_policy_screens_the_prompt(make_stack: StackFactory) -> None:
    stack = make_stack(content_policy_extra=["kazoo"])
    before = stack.client.get("/v1/credits").json()
    refused = stack.client.get("/v1/lyrics", params={"prompt": "an ode to the kazoo"})
    assert refused.status_code == 400
    assert refused.json()["error"]["field"] == "prompt"
    assert refused.json()["error"]["code"] == "content_policy_violation"
    assert stack.client.get("/v1/credits").json() == before


def test_get_needs_a_key_that_may_generate(stack: Stack) -> None:
    assert stack.client_for(None).get("/v1/lyrics", params={"prompt": "x"}).status_code == 401
    token = stack.client.post("/v1/tokens", json={"scopes": ["read"]}).json()["token"]
    refused = stack.client_for(token).get("/v1/lyrics", params={"prompt": "x"})
    assert refused.status_code == 403 and "generate" in refused.json()["error"]["message"]
