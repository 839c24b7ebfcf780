"""The lyrics engines as ``GET /v1/models`` lists them (kind ``lyrics``).

``lyrics-embedded`` (``engine="embedded"``) needs nothing and is the default; ``lyrics-chat``
(``engine="chat"``) is available once a chat server is configured, and says what to set when it
is not. Whether the server answers is only known when
a job asks it (a listing does not call it).
"""

from __future__ import annotations

from mixdown.engines.lyrics.chat import ChatConfig, config_problem
from mixdown.engines.registry import EngineInfo, EngineRegistry
from mixdown.tasks.base import Availability

KIND = "lyrics"


class ChatLyricsEngine:
    """The OpenAI-compatible chat engine, as configured (or not)."""

    name = "lyrics-chat"
    kind = KIND

    def __init__(self, url: str | None, model: str | None) -> None:
        self.url = url
        self.model = model

    def availability(self) -> Availability:
        """Available when a URL and a model are set."""
        problem = config_problem(self.url, self.model)
        return Availability(problem is None, problem)

    def info(self) -> EngineInfo:
        """Its entry: the endpoint and model when configured."""
        state = self.availability()
        details = {}
        if state.available and self.url and self.model:
            details = {"endpoint": ChatConfig(self.url, self.model).endpoint, "model": self.model}
        return EngineInfo(
            name=self.name,
            kind=self.kind,
            description="Any OpenAI-compatible chat-completions server (llama.cpp, vLLM, ...); "
            "its lyrics are checked like the embedded engine's",
            available=state.available,
            reason=state.reason,
            details=details,
        )


def register_lyrics_engines(
    registry: EngineRegistry, *, chat_url: str | None, chat_model: str | None
) -> None:
    """Add the embedded engine (default) and the chat engine to ``registry``."""
    registry.register_static(
        "lyrics-embedded",
        kind=KIND,
        description="Grammar and word bank with CMUdict rhymes; theme words by MiniLM similarity; English",
        default=True,
        languages=["en"],
    )
    registry.register(ChatLyricsEngine(chat_url, chat_model))
