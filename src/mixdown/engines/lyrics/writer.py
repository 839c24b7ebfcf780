"""Writing lyrics with either engine, checked the same way, as one JSON body.

The embedded engine is always used for English unless ``chat`` is asked for. The chat engine's
reply is checked (:mod:`.check`); when the check finds problems the engine is asked once more,
with the problems listed, and the better of the two replies is kept (sections as asked first,
then fewer problems). A reply whose sections are still not the ones asked for fails the job:
the chat engine was asked for explicitly, so its failure is not covered up with other lyrics.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mixdown.engines.lyrics.bank import word_bank
from mixdown.engines.lyrics.chat import ChatClient
from mixdown.engines.lyrics.check import Expected, check_song
from mixdown.engines.lyrics.compose import Request, write_song
from mixdown.engines.lyrics.prompting import Brief, feedback, messages_for, song_of
from mixdown.engines.lyrics.pronounce import pronouncer
from mixdown.engines.lyrics.song import Song
from mixdown.engines.lyrics.structure import SectionPlan, plan_song
from mixdown.engines.lyrics.theme import Embedder, theme_of
from mixdown.errors import TaskError

THEME_WORDS = 12
_FLAGS = ("ok", "structure_ok", "rhyme_scheme_ok", "syllables_ok", "no_repeated_lines", "chorus_repeated")


@dataclass(frozen=True, kw_only=True)
class LyricsSpec:
    """A lyrics request, validated: prompt, sections, scheme, lines, syllables, language, seed."""

    prompt: str
    kinds: tuple[str, ...]
    scheme: str
    lines: int
    syllables: int
    language: str = "en"
    seed: int = 0

    def expected(self) -> Expected:
        """What the check compares the song with."""
        return Expected(
            kinds=self.kinds,
            scheme=self.scheme,
            lines=self.lines,
            syllables=self.syllables,
            english=self.language.split("-")[0] == "en",
        )


@dataclass(frozen=True, kw_only=True)
class Written:
    """A song, its check report, and how it was made."""

    song: Song
    report: dict[str, Any]
    engine: str
    model: str | None = None
    theme_words: list[str] = field(default_factory=list)
    attempts: int = 1

    def to_json(self, spec: LyricsSpec) -> dict[str, Any]:
        """The result body: text, request echo, sections with per-line details, check flags."""
        return {
            "lyrics": self.song.text(),
            "engine": self.engine,
            "model": self.model,
            "prompt": spec.prompt,
            "language": spec.language,
            "seed": spec.seed,
            "structure": list(spec.kinds),
            "rhyme_scheme": spec.scheme,
            "lines_per_section": spec.lines,
            "syllables": spec.syllables,
            "theme_words": self.theme_words,
            "attempts": self.attempts,
            "sections": self.report["sections"],
            "check": {key: value for key, value in self.report.items() if key != "sections"},
        }

    def summary(self) -> dict[str, Any]:
        """The check's flags, for the job metadata."""
        return {key: self.report[key] for key in _FLAGS}


def write_embedded(spec: LyricsSpec, *, embedder: Embedder | None = None) -> Written:
    """Lyrics from the grammar and word bank, on the prompt's theme."""
    theme = theme_of(spec.prompt, embedder=embedder)
    request = Request(
        prompt=spec.prompt,
        kinds=spec.kinds,
        scheme=spec.scheme,
        lines=spec.lines,
        syllables=spec.syllables,
        seed=spec.seed,
    )
    dictionary = pronouncer()
    song = write_song(request, theme=theme, bank=word_bank(), dictionary=dictionary)
    report = check_song(song, spec.expected(), dictionary)
    words = [word for word, _ in theme.top(THEME_WORDS)]
    return Written(song=song, report=report, engine="embedded", theme_words=words)


def write_with_chat(
    spec: LyricsSpec, client: ChatClient, *, progress: Callable[[str], None] | None = None
) -> Written:
    """Lyrics from the chat engine: one retry with the problems listed, the better reply kept."""
    plans = tuple(plan_song(spec.kinds, spec.scheme, spec.lines))
    brief = Brief(
        prompt=spec.prompt,
        plans=plans,
        scheme=spec.scheme,
        lines=spec.lines,
        syllables=spec.syllables,
        language=spec.language,
    )
    messages = messages_for(brief)
    reply = client.complete(messages, seed=spec.seed)
    first = _checked(reply, plans, spec)
    best, attempts = first, 1
    if not first.report["ok"]:
        if progress is not None:
            progress("asking the chat engine again")
        retry = [*messages, {"role": "assistant", "content": reply}, feedback(first.report["problems"])]
        second = _checked(client.complete(retry, seed=spec.seed), plans, spec)
        best, attempts = min((first, second), key=lambda a: _rank(a, spec.kinds)), 2
    if best.kinds != spec.kinds:
        problem = best.report["problems"][0]
        raise TaskError(f"The lyrics chat engine did not write the sections asked for: {problem}")
    return Written(
        song=best.song, report=best.report, engine="chat", model=client.config.model, attempts=attempts
    )


@dataclass(frozen=True)
class _Attempt:
    song: Song
    report: dict[str, Any]

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(s.kind for s in self.song.sections)


def _checked(reply: str, plans: tuple[SectionPlan, ...], spec: LyricsSpec) -> _Attempt:
    song = song_of(reply, plans)
    return _Attempt(song, check_song(song, spec.expected(), pronouncer()))


def _rank(attempt: _Attempt, kinds: tuple[str, ...]) -> tuple[bool, int]:
    """Sections as asked first, then fewer problems (the first reply wins a tie)."""
    return (attempt.kinds != kinds, len(attempt.report["problems"]))
