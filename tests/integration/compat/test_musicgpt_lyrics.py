"""MusicGPT's ``GET /prompt_to_lyrics`` answered by the native ``lyrics`` task, end to end."""

from __future__ import annotations

import pytest
import requests

from mixdown.engines.lyrics.pronounce import pronouncer, words_of
from tests.integration.conftest import Stack, StackFactory

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


def lyrics_url(stack: Stack) -> str:
    return f"{stack.url}/api/public/v1/prompt_to_lyrics"


def test_prompt_to_lyrics_answers_with_rhymed_tagged_lyrics(stack: Stack) -> None:
    response = requests.get(
        lyrics_url(stack),
        headers={"Authorization": stack.key},
        params={"prompt": "rain on a tin roof"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"success", "lyrics"} and body["success"] is True
    sections = body["lyrics"].split("\n\n")
    tags = [s.split("\n")[0] for s in sections]
    assert tags == ["[Verse 1]", "[Chorus]", "[Verse 2]", "[Chorus]", "[Bridge]", "[Chorus]"]
    assert sections[1] == sections[3] == sections[5]
    cmu = pronouncer()
    for section in sections:
        lines = section.split("\n")[1:]
        ends = [words_of(line)[-1] for line in lines]
        assert len(lines) == 4 and cmu.rhymes(ends[0], ends[1]) and cmu.rhymes(ends[2], ends[3])  # AABB
        assert all(abs(cmu.line_syllables(line) - 8) <= 1 for line in lines)
    job_id = response.headers["X-Mixdown-Job-Id"]
    native = stack.client.get(f"/v1/jobs/{job_id}").json()
    assert native["task"] == "lyrics" and native["metadata"]["lyrics"] == body["lyrics"]
    by_id = requests.get(
        f"{stack.url}/api/public/v1/byId",
        headers={"Authorization": stack.key},
        params={"conversionType": "LYRICS_GENERATOR", "task_id": job_id},
        timeout=30,
    ).json()["conversion"]
    assert by_id["conversion_type"] == "LYRICS_GENERATOR" and by_id["status"] == "COMPLETED"
    assert by_id["lyrics"] == body["lyrics"]


def test_prompt_to_lyrics_errors_in_musicgpt_shape(make_stack: StackFactory) -> None:
    stack = make_stack(content_policy_extra=["kazoo"])
    refused = requests.get(
        lyrics_url(stack), headers={"Authorization": stack.key}, params={"prompt": "kazoo anthem"}, timeout=60
    )
    assert refused.status_code == 400
    body = refused.json()
    assert body["success"] is False and body["code"] == "content_policy_violation"
    missing = requests.get(lyrics_url(stack), headers={"Authorization": stack.key}, timeout=60)
    assert missing.status_code == 422 and missing.json()["success"] is False
    anonymous = requests.get(lyrics_url(stack), params={"prompt": "rain"}, timeout=60)
    assert anonymous.status_code in (401, 403) and anonymous.json()["success"] is False
