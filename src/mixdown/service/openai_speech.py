"""OpenAI-compatible speech (``POST /v1/audio/speech``): a ``tts`` job, waited for.

The request becomes an ordinary ``tts`` submit, so credits, the parallel-generation cap, job
history and the warm Festival in the workers all apply unchanged; the route then waits for the
job and answers with the audio bytes. OpenAI's voice names map to installed voices (with a
small pitch offset where two names share one voice); our own voice ids are accepted too.
"""

from __future__ import annotations

import asyncio
import io
import re
import time
from dataclasses import dataclass
from typing import Any, Literal

import soundfile as sf
from pydantic import BaseModel, ConfigDict, Field, field_validator

from mixdown.engines.tts.catalogue import Catalogue, catalogue
from mixdown.errors import MixdownError, ServiceUnavailable, TaskError, ValidationFailed
from mixdown.jobs.states import JobStatus
from mixdown.service.container import Services
from mixdown.service.jobs import cancel_job, get_job, own_artifact
from mixdown.service.keys import Caller
from mixdown.service.submit import SubmitRequest, Submitter

MAX_INPUT_CHARS = 4096  # OpenAI's limit
PCM_RATE = 24000  # OpenAI's "pcm": raw 24 kHz 16-bit signed little-endian mono
WAIT_SECONDS = 300.0
POLL_SECONDS = 0.02
MODEL_PATTERN = re.compile(r"^(tts-1(-hd)?(-\d{4})?|gpt-4o(-mini)?-tts(-[\w-]+)?|mixdown-tts)$")
ResponseFormat = Literal["mp3", "opus", "aac", "flac", "wav", "pcm"]
# Our format name and the content type OpenAI answers with, per response_format.
FORMATS: dict[str, tuple[str, str]] = {
    "mp3": ("mp3", "audio/mpeg"),
    "opus": ("opus", "audio/ogg"),
    "aac": ("m4a", "audio/mp4"),
    "flac": ("flac", "audio/flac"),
    "wav": ("wav", "audio/wav"),
    "pcm": ("wav", "audio/pcm"),
}


@dataclass(frozen=True)
class VoiceMapping:
    """An OpenAI voice name: installed voices to try in order, its gender, a pitch offset."""

    candidates: tuple[str, ...]
    gender: Literal["female", "male"]
    pitch: float = 0.0


_HTS = "festival-cmu_us_slt_arctic_hts"
_FEMALE = (_HTS, "flite-slt", "espeak-en-us-female")
_FLITE_FEMALE = ("flite-slt", _HTS, "espeak-en-us-female")
_MALE = ("flite-rms", "festival-kal_diphone", "espeak-en-us-male")
_DIPHONE_MALE = ("festival-kal_diphone", "flite-rms", "espeak-en-us-male")
_BRITISH_MALE = ("flite-awb", "espeak-en-gb-male", "flite-rms")
OPENAI_VOICES = {
    "alloy": VoiceMapping(_FEMALE, "female"),
    "nova": VoiceMapping(_FLITE_FEMALE, "female"),
    "shimmer": VoiceMapping(_FEMALE, "female", 2.0),
    "coral": VoiceMapping(_FLITE_FEMALE, "female", 1.0),
    "sage": VoiceMapping(_FEMALE, "female", -1.0),
    "marin": VoiceMapping(_FLITE_FEMALE, "female", -1.0),
    "echo": VoiceMapping(_MALE, "male"),
    "onyx": VoiceMapping(_MALE, "male", -3.0),
    "verse": VoiceMapping(_MALE, "male", 2.0),
    "ash": VoiceMapping(_DIPHONE_MALE, "male"),
    "cedar": VoiceMapping(_DIPHONE_MALE, "male", -2.0),
    "fable": VoiceMapping(_BRITISH_MALE, "male"),
    "ballad": VoiceMapping(_BRITISH_MALE, "male", -1.0),
}


class VoiceRef(BaseModel):
    """OpenAI's object form of ``voice``."""

    id: str = Field(min_length=1, max_length=100)


class SpeechRequest(BaseModel):
    """The body of OpenAI's ``POST /v1/audio/speech``; unknown fields are ignored, as OpenAI's are."""

    model_config = ConfigDict(extra="ignore")

    model: str = Field(max_length=100, description="tts-1, tts-1-hd, gpt-4o-mini-tts or mixdown-tts")
    input: str = Field(
        min_length=1, max_length=MAX_INPUT_CHARS, description="The text, up to 4096 characters"
    )
    voice: str | VoiceRef = Field(description="An OpenAI voice name (alloy, echo, ...) or a voice id of ours")
    response_format: ResponseFormat = "mp3"
    speed: float = Field(default=1.0, ge=0.25, le=4.0, allow_inf_nan=False)
    instructions: str | None = Field(default=None, max_length=4096, description="Accepted; not used")
    stream_format: Literal["audio"] = Field(default="audio", description="Only 'audio' (no SSE)")

    @field_validator("model")
    @classmethod
    def _known_model(cls, value: str) -> str:
        if not MODEL_PATTERN.match(value):
            raise ValueError("model must be tts-1, tts-1-hd, gpt-4o-mini-tts or mixdown-tts")
        return value

    @property
    def voice_name(self) -> str:
        """The voice as a string, whichever form it came in."""
        return self.voice if isinstance(self.voice, str) else self.voice.id


def resolve_voice(name: str, found: Catalogue) -> tuple[str, float]:
    """(our voice id, pitch offset) for an OpenAI voice name or one of our ids."""
    if found.get(name) is not None:
        return name, 0.0
    mapping = OPENAI_VOICES.get(name.lower())
    if mapping is None:
        known = ", ".join(OPENAI_VOICES)
        raise ValidationFailed(
            f"voice: {name!r} is neither an OpenAI voice ({known}) nor a voice id from GET /v1/voices",
            field="voice",
        )
    for candidate in mapping.candidates:
        if found.get(candidate) is not None:
            return candidate, mapping.pitch
    return found.choose(voice_id=None, language="en", gender=mapping.gender).id, mapping.pitch


def tts_fields(request: SpeechRequest, found: Catalogue | None = None) -> dict[str, Any]:
    """The ``tts`` job fields for an OpenAI request."""
    voice_id, pitch = resolve_voice(request.voice_name, found or catalogue())
    fields: dict[str, Any] = {
        "text": request.input,
        "voice_id": voice_id,
        "speed": request.speed,
        "pitch": pitch,
        "output_format": FORMATS[request.response_format][0],
    }
    if request.response_format == "pcm":
        fields["sample_rate"] = PCM_RATE
    return fields


def submit_speech(services: Services, caller: Caller, request: SpeechRequest) -> str:
    """Queue the ``tts`` job; its id."""
    submitted = Submitter(services).submit(caller, SubmitRequest(task="tts", fields=tts_fields(request)))
    return str(submitted.body["job_id"])


async def wait_for_speech(services: Services, caller: Caller, job_id: str, base_url: str) -> dict[str, Any]:
    """The finished job; cancelled (credits back) if it takes longer than ``WAIT_SECONDS``."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        job = await asyncio.to_thread(get_job, services, caller, job_id, base_url)
        if JobStatus(job["status"]).is_final:
            return job
        if time.monotonic() > deadline:
            await asyncio.to_thread(cancel_job, services, caller, job_id, base_url)
            raise ServiceUnavailable(
                f"Speech job {job_id} did not finish within {WAIT_SECONDS:.0f} s; cancelled."
            )
        await asyncio.sleep(POLL_SECONDS)


def speech_bytes(services: Services, caller: Caller, job: dict[str, Any], response_format: str) -> bytes:
    """The audio of a finished job, as OpenAI's ``response_format`` asks."""
    if job["status"] != JobStatus.COMPLETE:
        raise job_error(job)
    artifact = own_artifact(services, caller, job["results"][0]["id"])
    data = services.store.local_path(artifact.storage_key).read_bytes()
    return pcm_from_wav(data) if response_format == "pcm" else data


def pcm_from_wav(data: bytes) -> bytes:
    """The raw 16-bit little-endian samples of a WAV file."""
    samples, _ = sf.read(io.BytesIO(data), dtype="int16")
    return bytes(samples.astype("<i2").tobytes())


def job_error(job: dict[str, Any]) -> MixdownError:
    """The failure of a job as an error to answer with."""
    error = job.get("error") or {}
    code = error.get("code") or job["status"]
    message = error.get("message") or f"The speech job {job['job_id']} ended {job['status']}."
    if code == "validation_error":
        return ValidationFailed(message)
    return TaskError(message, job_id=job["job_id"], cause=code)
