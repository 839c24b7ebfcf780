"""The ``lyrics`` task: parameters (422 naming the field), a run through the in-memory context,
its result and metadata, caching and the chat engine's configuration."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from mixdown.engines.lyrics.engines import register_lyrics_engines
from mixdown.engines.lyrics.pronounce import pronouncer
from mixdown.engines.registry import EngineRegistry, engines_view
from mixdown.errors import EngineUnavailable
from mixdown.settings import Settings
from mixdown.tasks.base import TaskInputs
from mixdown.tasks.lyrics import TASK, LyricsParams, chat_config
from mixdown.tasks.testing import MemoryTaskContext


def params(**fields: Any) -> LyricsParams:
    return LyricsParams.model_validate({"prompt": "a summer road trip", **fields})


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"prompt": ""}, "prompt"),
        ({"rhyme_scheme": "A"}, "rhyme_scheme"),
        ({"rhyme_scheme": "AB1B"}, "rhyme_scheme"),
        ({"syllables": 3}, "syllables"),
        ({"syllables": 17}, "syllables"),
        ({"lines_per_section": 6}, "lines_per_section"),  # not a multiple of AABB's 4
        ({"structure": "verse-solo-chorus"}, "structure"),
        ({"structure": []}, "structure"),
        ({"structure": 3}, "structure"),
        ({"language": "fr"}, "language"),  # the embedded engine writes English
        ({"language": "e n"}, "language"),
        ({"engine": "gpt"}, "engine"),
        ({"seed": -1}, "seed"),
        ({"tempo": 120}, "tempo"),
    ],
)
def test_bad_parameters_name_their_field(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        params(**fields)
    assert caught.value.errors()[0]["loc"][0] == field


def test_parameters_accept_text_forms_and_fill_defaults() -> None:
    given = params(
        structure="Verse, Pre-Chorus, Hook", rhyme_scheme="abcb", syllables="10", lines_per_section="8"
    )
    assert given.structure == ("verse", "pre-chorus", "chorus")
    assert given.rhyme_scheme == "ABCB" and given.syllables == 10 and given.lines == 8
    default = params()
    assert default.structure == ("verse", "chorus", "verse", "chorus", "bridge", "chorus")
    assert default.rhyme_scheme == "AABB" and default.lines == 4 and default.language == "en"
    assert params(engine="chat", language="pt_BR").language == "pt-br"


def test_a_run_stores_the_lyrics_json_and_the_text_in_the_metadata(tmp_path: Path) -> None:
    ctx = MemoryTaskContext(work_dir=tmp_path)
    TASK.run(TaskInputs(), params(rhyme_scheme="ABAB", syllables=7, seed=11), ctx)
    [result] = ctx.results
    assert result["kind"] == "lyrics" and result["format"] == "json"
    assert result["sections"] == 6 and result["lines"] == 24
    body = json.loads(result["data"])
    assert body["lyrics"] == ctx.metadata["lyrics"] and body["lyrics"].startswith("[Verse 1]\n")
    assert body["engine"] == "embedded" and body["seed"] == 11 and body["rhyme_scheme"] == "ABAB"
    assert body["check"]["ok"] and body["check"]["problems"] == [] and ctx.metadata["check"]["ok"]
    assert {"road", "highway", "travel"} & set(body["theme_words"])
    cmu = pronouncer()
    for section in body["sections"]:
        lines = section["lines"]
        assert [line["rhyme"] for line in lines] == ["A", "B", "A", "B"]
        assert cmu.rhymes(lines[0]["end_word"], lines[2]["end_word"])
        assert cmu.rhymes(lines[1]["end_word"], lines[3]["end_word"])
        assert all(abs(cmu.line_syllables(line["text"]) - 7) <= 1 for line in lines)
    assert ctx.fractions[-1] == 1.0 and ctx.metadata["inference_time"] > 0


def test_without_a_seed_one_is_drawn_and_reported(tmp_path: Path) -> None:
    ctx = MemoryTaskContext(work_dir=tmp_path)
    TASK.run(TaskInputs(), params(), ctx)
    assert isinstance(ctx.metadata["seed"], int)


def test_only_seeded_embedded_requests_are_cached() -> None:
    assert TASK.cacheable is not None
    assert TASK.cacheable(params(seed=1)) and not TASK.cacheable(params())
    assert not TASK.cacheable(params(seed=1, engine="chat"))
    assert TASK.credits(params(), TaskInputs()) == 0.02
    assert not TASK.takes_audio


def test_the_chat_engine_needs_a_url_and_a_model() -> None:
    with pytest.raises(EngineUnavailable) as caught:
        chat_config(Settings(lyrics_chat_url="http://127.0.0.1:8080"))
    assert caught.value.field == "engine" and "MIXDOWN_LYRICS_CHAT_MODEL" in caught.value.message
    with pytest.raises(EngineUnavailable, match="http"):
        chat_config(Settings(lyrics_chat_url="127.0.0.1:8080", lyrics_chat_model="m"))
    config = chat_config(
        Settings(
            lyrics_chat_url="http://127.0.0.1:8080/v1", lyrics_chat_model="qwen", lyrics_chat_api_key="k"
        )
    )
    assert config.endpoint == "http://127.0.0.1:8080/v1/chat/completions" and config.api_key == "k"


def test_submitting_chat_without_a_server_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(EngineUnavailable):
        TASK.check_params(params(engine="chat"), TaskInputs())
    monkeypatch.setenv("MIXDOWN_LYRICS_CHAT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("MIXDOWN_LYRICS_CHAT_MODEL", "m")
    TASK.check_params(params(engine="chat"), TaskInputs())  # configured: accepted


def test_the_engines_list_says_why_chat_is_unavailable() -> None:
    registry = EngineRegistry()
    register_lyrics_engines(registry, chat_url=None, chat_model=None)
    rows = {row["name"]: row for row in engines_view(registry, kind="lyrics")}
    assert rows["lyrics-embedded"]["available"] and rows["lyrics-embedded"]["default"]
    assert not rows["lyrics-chat"]["available"] and "MIXDOWN_LYRICS_CHAT_URL" in rows["lyrics-chat"]["reason"]
    configured = EngineRegistry()
    register_lyrics_engines(configured, chat_url="http://127.0.0.1:8080", chat_model="qwen2.5-3b")
    chat = configured.resolve("lyrics", "lyrics-chat").info().to_dict()
    assert chat["available"] and chat["endpoint"] == "http://127.0.0.1:8080/v1/chat/completions"
    assert chat["model"] == "qwen2.5-3b"
