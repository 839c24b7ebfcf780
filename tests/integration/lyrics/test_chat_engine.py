"""``engine="chat"`` against a local OpenAI-compatible chat server, over real HTTP both ways."""

from __future__ import annotations

import pytest

from tests.harness import wait_for_job
from tests.integration.conftest import Stack, StackFactory
from tests.integration.lyrics.chat_server import MODEL, ChatServer
from tests.lyrics_songs import CHORUS, VERSE_1, reply_text

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

QUERY = {
    "prompt": "a summer road trip",
    "engine": "chat",
    "structure": "verse-chorus-verse-chorus",
    "seed": "9",
}


def chat_stack(make_stack: StackFactory, monkeypatch: pytest.MonkeyPatch, server: ChatServer) -> Stack:
    # Workers read their settings from MIXDOWN_* variables, as `mixdown serve` passes them on.
    monkeypatch.setenv("MIXDOWN_LYRICS_CHAT_URL", server.url)
    monkeypatch.setenv("MIXDOWN_LYRICS_CHAT_MODEL", MODEL)
    monkeypatch.setenv("MIXDOWN_LYRICS_CHAT_API_KEY", "sk-local-test")
    return make_stack()


def test_the_chat_engine_writes_checked_lyrics(
    make_stack: StackFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ChatServer(reply_text(decorated=True, repeat_marker=True)) as server:
        stack = chat_stack(make_stack, monkeypatch, server)
        response = stack.client.get("/v1/lyrics", params=QUERY)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["engine"] == "chat" and body["model"] == MODEL and body["attempts"] == 1
    assert body["check"]["ok"] and body["sections"][3]["lines"][0]["text"] == CHORUS[0]
    assert body["lyrics"].startswith(f"[Verse 1]\n{VERSE_1[0]}\n")
    [request] = server.requests
    assert request["headers"]["Authorization"] == "Bearer sk-local-test"
    assert request["body"]["model"] == MODEL and request["body"]["seed"] == 9
    assert "[Verse 1], [Chorus], [Verse 2], [Chorus]" in request["body"]["messages"][1]["content"]


def test_a_faulty_reply_is_retried_once_with_the_problems(
    make_stack: StackFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_tags = "\n".join(VERSE_1)
    with ChatServer(no_tags, reply_text()) as server:
        stack = chat_stack(make_stack, monkeypatch, server)
        accepted = stack.client.post("/v1/lyrics", json={**QUERY, "language": "en"})
        job = wait_for_job(stack.client, accepted.json()["job_id"])
    assert job["status"] == "complete", job["error"]
    assert job["metadata"]["attempts"] == 2 and job["metadata"]["check"]["ok"]
    feedback = server.requests[1]["body"]["messages"][-1]["content"]
    assert "sections are untagged, not verse-chorus-verse-chorus" in feedback


def test_other_languages_go_to_the_chat_engine(
    make_stack: StackFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    spanish = "\n\n".join(
        f"[{tag}]\n" + "\n".join(lines)
        for tag, lines in (
            (
                "Verse 1",
                (
                    "El sol brilla en la carretera",
                    "Cantamos juntos sin parar",
                    "El mar nos llama",
                    "Y el viento",
                ),
            ),
            ("Chorus", ("Vamos, vamos", "Hasta el final", "Bajo el cielo", "Sin mirar atrás")),
            (
                "Verse 2",
                ("La noche cae despacio", "Las luces de la ciudad", "Tu mano en la mía", "Y nada más"),
            ),
            ("Chorus", ("Vamos, vamos", "Hasta el final", "Bajo el cielo", "Sin mirar atrás")),
        )
    )
    with ChatServer(spanish) as server:
        stack = chat_stack(make_stack, monkeypatch, server)
        body = stack.client.get("/v1/lyrics", params={**QUERY, "language": "es"}).json()
    assert body["language"] == "es" and body["check"]["ok"] and body["check"]["rhyme_scheme_ok"] is None
    assert "Spanish" in server.requests[0]["body"]["messages"][1]["content"]


def test_a_failing_server_fails_the_request_with_its_answer(
    make_stack: StackFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ChatServer(500) as server:
        stack = chat_stack(make_stack, monkeypatch, server)
        response = stack.client.get("/v1/lyrics", params=QUERY)
    assert response.status_code == 503
    assert "answered 500" in response.json()["error"]["message"]
    assert "scripted failure" in response.json()["error"]["message"]
