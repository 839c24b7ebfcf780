"""The ``lyrics`` task (``POST /v1/lyrics``, and ``GET /v1/lyrics?prompt=`` answered at once).

Structured lyrics on the prompt's theme: ``[Verse 1]``, ``[Chorus]``, ``[Bridge]``... with a
rhyme scheme (CMUdict rhymes), a syllable target per line and a chorus sung the same each time.
The embedded engine writes from a grammar and a word bank, choosing theme words by sentence-
embedding similarity; ``engine="chat"`` asks an OpenAI-compatible chat server instead. Either
way the song is checked and the report comes with it. The job metadata holds ``lyrics`` (the
text) and the check's flags; the one result (``kind="lyrics"``, JSON) holds everything, per-line
syllables and rhyme sounds included. Method and measured numbers: docs/lyrics.md.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from mixdown.engines.lyrics.chat import ChatClient, ChatConfig, config_problem
from mixdown.engines.lyrics.structure import DEFAULT_STRUCTURE, parse_scheme, parse_structure
from mixdown.engines.lyrics.writer import LyricsSpec, Written, write_embedded, write_with_chat
from mixdown.errors import EngineUnavailable
from mixdown.jobs.cost import CostBasis, CostRule
from mixdown.jobs.states import TaskCategory
from mixdown.settings import Settings
from mixdown.tasks.base import TaskContext, TaskInputs, TaskParams, TaskSpec

MAX_PROMPT_CHARS = 1000
# Measured (bench/bench_lyrics.py): the embedded engine takes 0.05-0.2 s per song on a busy
# machine, plus ~2 s once per worker to load CMUdict and the embedding model. A local chat model
# takes as long as it takes: tens of seconds on a CPU.
_EMBEDDED_SECONDS = 1.0
_CHAT_SECONDS = 30.0
Engine = Literal["embedded", "chat"]


class LyricsParams(TaskParams):
    """Parameters of ``lyrics``."""

    prompt: str = Field(min_length=1, max_length=MAX_PROMPT_CHARS, description="What the song is about")
    structure: tuple[str, ...] = Field(
        default=DEFAULT_STRUCTURE,
        description="Sections in order: a list, or text such as 'verse-chorus-verse-chorus-bridge-chorus'; "
        "kinds: intro, verse, pre-chorus, chorus, bridge, outro",
    )
    rhyme_scheme: str = Field(
        default="AABB", description="Per section, e.g. AABB, ABAB, ABCB, AAAA (2-16 letters)"
    )
    syllables: int = Field(default=8, ge=4, le=16, description="Target syllables per line (each within ±1)")
    lines_per_section: int | None = Field(
        default=None,
        ge=2,
        le=16,
        description="Lines per section, a multiple of the scheme's length; default the scheme's length",
    )
    engine: Engine = Field(default="embedded", description="embedded, or chat (a configured chat server)")
    language: str = Field(
        default="en", max_length=35, description="en for the embedded engine; any language with chat"
    )
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1, description="Random seed; random when absent")

    @field_validator("structure", mode="before")
    @classmethod
    def _sections(cls, value: object) -> object:
        if isinstance(value, (str, list, tuple)) and all(isinstance(v, str) for v in value):
            return parse_structure(value if isinstance(value, str) else list(value))
        return value

    @field_validator("rhyme_scheme")
    @classmethod
    def _scheme(cls, value: str) -> str:
        return parse_scheme(value)

    @field_validator("lines_per_section")
    @classmethod
    def _whole_schemes(cls, value: int | None, info: ValidationInfo) -> int | None:
        scheme = info.data.get("rhyme_scheme")
        if value is not None and scheme is not None and value % len(scheme):
            raise ValueError(
                f"lines_per_section must be a multiple of the rhyme scheme's {len(scheme)} lines"
            )
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str, info: ValidationInfo) -> str:
        tag = value.strip().lower().replace("_", "-")
        if not tag or not all(part.isalnum() for part in tag.split("-")):
            raise ValueError(f"language must be a tag such as en, es or pt-br, not {value!r}")
        if tag.split("-")[0] != "en" and info.data.get("engine") != "chat":
            raise ValueError(
                "the embedded engine writes English only (language 'en'); other languages need engine "
                "'chat' (a chat server set with MIXDOWN_LYRICS_CHAT_URL and MIXDOWN_LYRICS_CHAT_MODEL)"
            )
        return tag

    @property
    def lines(self) -> int:
        """Lines per section."""
        return self.lines_per_section or len(self.rhyme_scheme)

    def check_inputs(self, inputs: TaskInputs) -> None:
        """At submit: ``engine="chat"`` needs a configured chat server (503 naming ``engine``)."""
        if self.engine == "chat":
            chat_config()

    def spec(self, seed: int) -> LyricsSpec:
        """The engine-side request."""
        return LyricsSpec(
            prompt=self.prompt,
            kinds=self.structure,
            scheme=self.rhyme_scheme,
            lines=self.lines,
            syllables=self.syllables,
            language=self.language,
            seed=seed,
        )


def chat_config(settings: Settings | None = None) -> ChatConfig:
    """The configured chat engine; ``EngineUnavailable`` saying what to set when there is none."""
    settings = settings or Settings()  # workers export their settings as MIXDOWN_* variables
    problem = config_problem(settings.lyrics_chat_url, settings.lyrics_chat_model)
    if problem is not None:
        raise EngineUnavailable(f"The lyrics chat engine is unavailable: {problem}", field="engine")
    key = settings.lyrics_chat_api_key
    return ChatConfig(
        url=str(settings.lyrics_chat_url),
        model=str(settings.lyrics_chat_model),
        api_key=key.get_secret_value() if key is not None else None,
    )


def run(_inputs: TaskInputs, params: LyricsParams, ctx: TaskContext) -> None:
    """Write the lyrics, check them, store the JSON and put the text in the metadata."""
    started = time.perf_counter()
    seed = params.seed if params.seed is not None else secrets.randbelow(2**31)
    spec = params.spec(seed)
    if params.engine == "chat":
        ctx.progress(0.05, "asking the chat engine")
        written = write_with_chat(spec, ChatClient(chat_config()), progress=lambda m: ctx.progress(0.5, m))
    else:
        ctx.progress(0.05, "choosing theme words")
        written = write_embedded(spec)
    ctx.progress(0.95, "writing the lyrics")
    _store(ctx, written, spec)
    ctx.set_metadata(**_metadata(written, spec), inference_time=round(time.perf_counter() - started, 3))
    ctx.progress(1.0, "done")


def _store(ctx: TaskContext, written: Written, spec: LyricsSpec) -> None:
    path = ctx.work_dir / "lyrics.json"
    path.write_text(json.dumps(written.to_json(spec), indent=1, ensure_ascii=False), encoding="utf-8")
    ctx.add_result(
        path,
        kind="lyrics",
        format="json",
        sections=len(written.song.sections),
        lines=written.song.line_count(),
    )


def _metadata(written: Written, spec: LyricsSpec) -> dict[str, Any]:
    return {
        "engine": written.engine,
        "model": written.model,
        "lyrics": written.song.text(),
        "seed": spec.seed,
        "language": spec.language,
        "sections": len(written.song.sections),
        "lines": written.song.line_count(),
        "theme_words": written.theme_words,
        "attempts": written.attempts,
        "check": written.summary(),
    }


def estimate_seconds(params: Any, _inputs: TaskInputs) -> float:
    """Rough compute time of one song."""
    return _CHAT_SECONDS if params.engine == "chat" else _EMBEDDED_SECONDS


def no_audio_seconds(_params: Any, _inputs: TaskInputs) -> float:
    """Lyrics make no audio: the flat minimum is the price."""
    return 0.0


def embedded_seeded(params: Any) -> bool:
    """Cacheable: the embedded engine with a seed (a chat server need not be deterministic)."""
    return params.seed is not None and params.engine == "embedded"


def warm_up() -> None:
    """Load CMUdict, the word bank, its vectors and the embedding model."""
    write_embedded(LyricsParams(prompt="warm up").spec(0))


TASK = TaskSpec(
    name="lyrics",
    summary="Lyrics: verses, chorus and bridge on the prompt's theme, with a rhyme scheme (CMUdict), "
    "balanced syllables and a check report; embedded writer or any OpenAI-compatible chat server.",
    params_model=LyricsParams,
    run=run,
    cost_rule=CostRule(per_second=0.0, minimum=0.02, basis=CostBasis.OUTPUT),
    cost_seconds=no_audio_seconds,
    category=TaskCategory.GENERATION,
    takes_audio=False,
    queue="audio",
    engine="embedded",
    estimate_seconds=estimate_seconds,
    warm_up=warm_up,
    cacheable=embedded_seeded,
)
