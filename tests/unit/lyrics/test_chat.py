"""The chat engine through ``httpx.MockTransport``: the request it sends, how replies are read,
the one retry with the problems listed, and how failures surface."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from mixdown.engines.lyrics.chat import ChatClient, ChatConfig, config_problem
from mixdown.engines.lyrics.prompting import clean_reply, kind_of, song_of
from mixdown.engines.lyrics.structure import plan_song
from mixdown.engines.lyrics.writer import LyricsSpec, write_with_chat
from mixdown.errors import TaskError
from tests.lyrics_songs import CHORUS, KINDS, VERSE_1, VERSE_2, reply_text

SPEC = LyricsSpec(prompt="a summer road trip", kinds=KINDS, scheme="AABB", lines=4, syllables=8, seed=42)
PLANS = tuple(plan_song(KINDS, "AABB", 4))


def completion(content: str) -> dict[str, Any]:
    return {
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}],
    }


class Script:
    """A transport twin: answers each request with the next scripted reply and records it."""

    def __init__(self, *answers: str | httpx.Response) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        return answer if isinstance(answer, httpx.Response) else httpx.Response(200, json=completion(answer))


def client(script: Callable[[httpx.Request], httpx.Response], **config: Any) -> ChatClient:
    settings = {"url": "http://llm.local:8080", "model": "tiny-llama", **config}
    return ChatClient(ChatConfig(**settings), transport=httpx.MockTransport(script))


def test_the_request_is_an_openai_chat_completion() -> None:
    script = Script(reply_text())
    written = write_with_chat(SPEC, client(script, api_key="sk-local"))
    [request] = script.requests
    assert str(request.url) == "http://llm.local:8080/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-local"
    body = script.bodies()[0]
    assert body["model"] == "tiny-llama" and body["seed"] == 42 and body["stream"] is False
    system, user = body["messages"]
    assert system["role"] == "system" and user["role"] == "user"
    assert "[Verse 1], [Chorus], [Verse 2], [Chorus]" in user["content"]
    assert (
        "AABB" in user["content"]
        and "exactly 4 lines" in user["content"]
        and "8 syllables" in user["content"]
    )
    assert "in English about: a summer road trip" in user["content"]
    assert written.engine == "chat" and written.model == "tiny-llama" and written.attempts == 1
    assert written.report["ok"] and written.song.sections[2].lines == VERSE_2


def test_no_key_sends_no_authorization() -> None:
    script = Script(reply_text())
    write_with_chat(SPEC, client(script))
    assert "authorization" not in script.requests[0].headers


def test_a_reply_with_problems_is_asked_again_with_them_listed() -> None:
    wrong = reply_text().replace("We drive along the coast tonight", "We drive along the coast today")
    script = Script(wrong, reply_text())
    written = write_with_chat(SPEC, client(script))
    assert written.attempts == 2 and written.report["ok"]
    retry = script.bodies()[1]["messages"]
    assert [m["role"] for m in retry] == ["system", "user", "assistant", "user"]
    assert retry[2]["content"] == wrong
    assert "Verse 1: lines 1 and 2 should rhyme ('bright' / 'today')" in retry[3]["content"]


def test_the_better_of_two_replies_is_kept() -> None:
    wrong = reply_text().replace("We drive along the coast tonight", "We drive along the coast today")
    worse = wrong.replace("We sing together with the crowd", "We sing together in the rain")
    written = write_with_chat(SPEC, client(Script(wrong, worse)))
    assert written.attempts == 2 and not written.report["ok"]
    assert written.song.sections[0].lines[3] == "We sing together with the crowd"
    assert len(written.report["problems"]) == 1


def test_a_reply_still_without_the_sections_fails_the_job() -> None:
    script = Script("Here is a poem about summer.\nIt has no tags.", "[Verse 1]\nOnly one verse")
    with pytest.raises(TaskError, match="did not write the sections asked for: sections are verse, not"):
        write_with_chat(SPEC, client(script))


def test_other_languages_are_asked_for_by_name_and_checked_for_structure() -> None:
    spanish = "\n\n".join(
        f"[{tag}]\n" + "\n".join(f"Línea {tag} {i}" for i in range(4))
        for tag in ("Verso 1", "Estribillo", "Verso 2", "Estribillo")
    )
    english_tags = spanish.replace("Verso", "Verse").replace("Estribillo", "Chorus")
    script = Script(english_tags)
    spec = LyricsSpec(
        prompt="el mar", kinds=KINDS, scheme="AABB", lines=4, syllables=8, language="es", seed=1
    )
    written = write_with_chat(spec, client(script))
    assert "in Spanish about: el mar" in script.bodies()[0]["messages"][1]["content"]
    assert written.report["ok"] and written.report["rhyme_scheme_ok"] is None


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (httpx.Response(500, text="model not loaded"), "answered 500: model not loaded"),
        (httpx.Response(200, json={"error": "nope"}), "sent no chat completion"),
        (httpx.Response(200, json=completion("   ")), "sent an empty reply"),
    ],
)
def test_server_failures_fail_with_the_servers_words(answer: httpx.Response, message: str) -> None:
    with pytest.raises(TaskError, match=message):
        write_with_chat(SPEC, client(Script(answer)))


def test_an_unreachable_server_names_its_url() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(TaskError, match=r"chat engine at http://llm.local:8080/v1/chat/completions failed"):
        write_with_chat(SPEC, client(refuse))


def test_replies_are_read_leniently() -> None:
    song = song_of(reply_text(decorated=True, repeat_marker=True), PLANS)
    assert [s.tag for s in song.sections] == ["Verse 1", "Chorus", "Verse 2", "Chorus"]
    assert song.sections[0].lines == VERSE_1 and song.sections[3].lines == CHORUS
    assert clean_reply("1. **Hello** there\n- _world_") == "Hello there\nworld"
    assert clean_reply("Chorus:\nla la") == "[Chorus]\nla la"


@pytest.mark.parametrize(
    ("tag", "kind"),
    [
        ("Verse 2", "verse"),
        ("Pre-Chorus", "pre-chorus"),
        ("Hook", "chorus"),
        ("Chorus (x2)", "chorus"),
        ("Verse 1: The Road", "verse"),
        ("Outro", "outro"),
        ("Guitar Solo", None),
    ],
)
def test_tags_are_matched_by_kind(tag: str, kind: str | None) -> None:
    assert kind_of(tag) == kind


@pytest.mark.parametrize(
    ("url", "model", "problem"),
    [
        (None, "m", "not configured: set MIXDOWN_LYRICS_CHAT_URL and MIXDOWN_LYRICS_CHAT_MODEL"),
        ("http://h:1", None, "not configured"),
        ("ftp://h/v1", "m", "must be an http(s) URL"),
        ("http://127.0.0.1:8080", "m", None),
    ],
)
def test_configuration_problems(url: str | None, model: str | None, problem: str | None) -> None:
    found = config_problem(url, model)
    assert found == problem if problem is None else problem in str(found)
