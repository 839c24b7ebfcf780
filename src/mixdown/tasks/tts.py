"""The ``tts`` task (``POST /v1/tts``): text to speech with Festival, Flite or eSpeak NG.

The voice is ``voice_id`` (see ``GET /v1/voices``) or the best installed voice for
``language`` and ``gender``. Long texts are spoken sentence by sentence and joined with pauses
that follow the punctuation (see :mod:`mixdown.engines.tts.text`); the job metadata lists when
each sentence starts and ends.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from mixdown.audio.codec import encode
from mixdown.audio.conform import conform
from mixdown.audio.formats import FormatName, check_rate, get_format, normalize_format
from mixdown.audio.pcm import DecodedAudio
from mixdown.engines.tts.catalogue import catalogue
from mixdown.engines.tts.festival import festival_pool
from mixdown.engines.tts.speech import Speech, speak
from mixdown.engines.tts.voices import Voice, normalize_language
from mixdown.jobs.cost import CostBasis, CostRule
from mixdown.jobs.states import TaskCategory
from mixdown.tasks.base import Availability, TaskContext, TaskInputs, TaskParams, TaskSpec, always_cacheable

MAX_TEXT_CHARS = 20_000
# Spoken English runs ~12 characters per second at speed 1 (pauses included, measured on the
# bench texts): the cost rule bills that estimate, as the length is not known before the run.
CHARS_PER_SECOND = 12.0
# Measured: Festival HTS ~12x real time warm, Flite ~25x, eSpeak ~50x; a pitch shift adds ~0.1 s
# per second of speech. This errs high.
_SECONDS_PER_AUDIO_SECOND = 0.12
_PITCH_SECONDS_PER_AUDIO_SECOND = 0.1
_OVERHEAD_SECONDS = 0.5
SampleRate = Literal[8000, 16000, 22050, 24000, 32000, 44100, 48000]


class TtsParams(TaskParams):
    """Parameters of ``tts``."""

    text: str = Field(
        min_length=1, max_length=MAX_TEXT_CHARS, description="What to say; any length up to 20,000"
    )
    voice_id: str | None = Field(default=None, max_length=100, description="A voice id from GET /v1/voices")
    gender: Literal["female", "male"] | None = Field(
        default=None, description="Without voice_id: female or male"
    )
    language: str | None = Field(
        default=None, max_length=35, description="Language tag, e.g. en, en-gb, de, fr"
    )
    speed: float = Field(
        default=1.0, ge=0.25, le=4.0, allow_inf_nan=False, description="2.0 is twice as fast"
    )
    pitch: float = Field(default=0.0, ge=-12, le=12, allow_inf_nan=False, description="Semitones up or down")
    output_format: FormatName = Field(default="wav", description="wav, mp3, flac, ogg, opus, m4a or aiff")
    sample_rate: SampleRate | None = Field(
        default=None, description="Output rate in Hz; default the voice's own"
    )

    @field_validator("text")
    @classmethod
    def _has_words(cls, value: str) -> str:
        if not any(ch.isalnum() for ch in value):
            raise ValueError("text must contain some words (letters or digits)")
        return value

    @field_validator("language")
    @classmethod
    def _language_tag(cls, value: str | None) -> str | None:
        return normalize_language(value) if value is not None else None

    @field_validator("output_format", mode="before")
    @classmethod
    def _canonical_format(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return normalize_format(value)
            except ValueError:
                return value  # the Literal then names the allowed formats
        return value

    @field_validator("sample_rate")
    @classmethod
    def _rate_fits_format(cls, value: int | None, info: ValidationInfo) -> int | None:
        fmt = info.data.get("output_format")
        if value is not None and fmt is not None:
            check_rate(get_format(fmt), value)
        return value

    def check_inputs(self, inputs: TaskInputs) -> None:
        """Refuse an unknown voice, or a language or gender no installed voice has (422)."""
        self.voice()

    def voice(self) -> Voice:
        """The voice these parameters ask for."""
        return catalogue().choose(voice_id=self.voice_id, language=self.language, gender=self.gender)


def run(_inputs: TaskInputs, params: TtsParams, ctx: TaskContext) -> None:
    """Choose the voice, speak the text, encode and store the audio."""
    started = time.perf_counter()
    voice = params.voice()
    ctx.progress(0.02, f"voice {voice.id}")
    speech = speak(
        params.text,
        voice,
        speed=params.speed,
        pitch=params.pitch,
        work_dir=ctx.work_dir,
        progress=lambda fraction, message: ctx.progress(0.02 + 0.9 * fraction, message),
    )
    ctx.progress(0.93, "encoding")
    _store(ctx, speech, params)
    elapsed = time.perf_counter() - started
    ctx.set_metadata(
        **speech_metadata(speech, params),
        inference_time=round(elapsed, 3),
        real_time_factor=round(speech.duration / max(elapsed, 1e-6), 1),
    )
    ctx.progress(1.0, "done")


def speech_metadata(speech: Speech, params: TtsParams) -> dict[str, Any]:
    """What the job reports about the speech."""
    voice = speech.voice
    return {
        "engine": voice.engine,
        "voice_id": voice.id,
        "voice_name": voice.name,
        "language": voice.language,
        "gender": voice.gender,
        "characters": speech.characters,
        "sentences": len(speech.sentences),
        "sentence_times": [s.as_dict() for s in speech.sentences],
        "duration": round(speech.duration, 3),
        "speed": params.speed,
        "pitch": params.pitch,
    }


def _store(ctx: TaskContext, speech: Speech, params: TtsParams) -> None:
    """Encode the speech in the requested format and rate and add it as the result."""
    fmt = get_format(params.output_format)
    source = DecodedAudio(samples=speech.samples[:, None], sample_rate=speech.sample_rate)
    depth: Literal[16] | None = 16 if fmt.lossless else None
    audio = conform(source, format=fmt.name, sample_rate=params.sample_rate, channels=1, bit_depth=depth)
    path = ctx.work_dir / f"speech.{fmt.extension}"
    encode(audio.samples, audio.sample_rate, path, format=fmt.name, bit_depth=depth)
    extra: dict[str, Any] = {"bit_depth": 16} if fmt.lossless else {"bitrate": fmt.default_bitrate}
    ctx.add_result(
        path,
        kind="audio",
        format=fmt.name,
        duration=round(audio.duration, 3),
        sample_rate=audio.sample_rate,
        channels=1,
        voice_id=speech.voice.id,
        engine=speech.voice.engine,
        **extra,
    )


def speech_seconds(params: Any, _inputs: TaskInputs) -> float:
    """Estimated seconds of speech: what the cost rule counts."""
    return float(len(params.text) / CHARS_PER_SECOND / params.speed)


def estimate_seconds(params: Any, inputs: TaskInputs) -> float:
    """Rough compute time: a fixed overhead plus a fraction of the speech made."""
    per_second = _SECONDS_PER_AUDIO_SECOND + (_PITCH_SECONDS_PER_AUDIO_SECOND if params.pitch else 0.0)
    return _OVERHEAD_SECONDS + per_second * speech_seconds(params, inputs)


def availability() -> Availability:
    """Available when at least one engine brought a voice."""
    found = catalogue()
    if found.voices:
        return Availability(True)
    return Availability(False, "; ".join(f"{e.engine}: {e.reason}" for e in found.engines))


def warm_up() -> None:
    """Discover the voices and start Festival with the default English voice."""
    festival = [v for v in catalogue().for_language("en") if v.engine == "festival"]
    if festival:
        with tempfile.TemporaryDirectory(prefix="tts-warm-") as scratch:
            festival_pool().say(festival[0].engine_voice, "Ready.", Path(scratch) / "warm.wav")


TASK = TaskSpec(
    name="tts",
    summary="Text to speech: Festival, Flite and eSpeak NG voices, with speed, pitch and natural pauses.",
    params_model=TtsParams,
    run=run,
    cost_rule=CostRule(per_second=0.01, minimum=0.1, basis=CostBasis.OUTPUT),
    cost_seconds=speech_seconds,
    category=TaskCategory.GENERATION,
    takes_audio=False,
    queue="audio",
    engine="festival",
    estimate_seconds=estimate_seconds,
    availability=availability,
    warm_up=warm_up,
    cacheable=always_cacheable,
)
