"""MusicAPI request bodies, their limits, and the ``mv`` model names mapped to native models.

Field names, task types and length limits follow docs.musicapi.ai (Sonic instructions, error
handling); fields MusicAPI documents but mixdown cannot honour (``persona_id``, ``auto_lyrics``,
``vocal_gender``, ``style_weight``...) are accepted and ignored, as the vendor ignores unknown ones.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mixdown.errors import ValidationFailed
from mixdown.service.submit import validation_error

# Every Sonic version (and the Suno-era chirp names older clients send) is the embedded composer:
# mixdown has one text-to-music engine, so the version picks nothing but the prompt length limit.
SONIC_MODELS = ("sonic-v3-5", "sonic-v4", "sonic-v4-5", "sonic-v4-5-plus", "sonic-v5")
CHIRP_MODELS = ("chirp-v3-5", "chirp-v4", "chirp-v4-5", "chirp-v4-5-plus", "chirp-v5")
NATIVE_MODELS = ("mixdown-composer", "musicgen")
SHORT_PROMPT_MODELS = frozenset({"sonic-v3-5", "sonic-v4", "chirp-v3-5", "chirp-v4"})
DEFAULT_MV = "sonic-v5"
MAX_BATCH = 10

M = TypeVar("M", bound=BaseModel)


def native_model(mv: str) -> str:
    """The native model behind a MusicAPI ``mv`` value (a native name passes through)."""
    return mv if mv in NATIVE_MODELS else "mixdown-composer"


class TaskType(StrEnum):
    """``task_type`` of ``POST /api/v1/sonic/create``."""

    CREATE = "create_music"
    EXTEND = "extend_music"
    COVER = "cover_music"
    CONCAT = "concat_music"
    PERSONA = "persona_music"
    EXTEND_UPLOAD = "extend_upload_music"
    COVER_UPLOAD = "cover_upload_music"


class VendorModel(BaseModel):
    """Unknown fields are ignored, as MusicAPI does."""

    model_config = ConfigDict(extra="ignore")


class CreateRequest(VendorModel):
    """``POST /api/v1/sonic/create``."""

    task_type: TaskType = TaskType.CREATE
    custom_mode: bool = False
    mv: str = DEFAULT_MV
    prompt: str | None = Field(default=None, max_length=5000, description="Lyrics (custom mode).")
    gpt_description_prompt: str | None = Field(default=None, max_length=400)
    title: str | None = Field(default=None, max_length=80)
    tags: str | None = Field(default=None, max_length=200)
    negative_tags: str | None = Field(default=None, max_length=200)
    make_instrumental: bool = False
    vocal_gender: str | None = None
    continue_clip_id: str | None = None
    continue_at: float | None = Field(default=None, ge=0)
    webhook_url: str | None = None
    webhook_secret: str | None = None
    # mixdown extension: MusicAPI has no duration control (the Sonic models pick the length).
    duration: float | None = Field(default=None, gt=0, le=1200, description="Seconds of new music.")

    @field_validator("mv")
    @classmethod
    def _known_mv(cls, value: str) -> str:
        if value not in (*SONIC_MODELS, *CHIRP_MODELS, *NATIVE_MODELS):
            names = ", ".join(repr(m) for m in SONIC_MODELS)
            raise ValueError(f"The 'mv' field is invalid. The model should be one of {names}.")
        return value

    @model_validator(mode="after")
    def _prompt_length(self) -> CreateRequest:
        if self.prompt and self.mv in SHORT_PROMPT_MODELS and len(self.prompt) > 3000:
            raise ValueError(f"The prompt character length should be less than 3000 for {self.mv}.")
        return self

    def lyrics(self) -> str:
        """The lyrics given (custom mode), else nothing."""
        return (self.prompt or "").strip() if self.custom_mode else ""


class ClipRequest(VendorModel):
    """Bodies that name one clip: stems, wav, midi, bpm, aligned lyrics."""

    clip_id: str = Field(min_length=1)


class UploadRequest(VendorModel):
    """``POST /api/v1/sonic/upload``."""

    url: str = Field(min_length=1)


class BatchRequest(VendorModel):
    """``POST /api/v1/sonic/batch``: up to ten create bodies."""

    items: list[dict[str, Any]] = Field(min_length=1)

    @field_validator("items")
    @classmethod
    def _at_most_ten(cls, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if len(value) > MAX_BATCH:
            raise ValueError(f"at most {MAX_BATCH} items per batch")
        return value


def parse(model: type[M], body: dict[str, Any], prefix: str = "") -> M:
    """``body`` validated as ``model``; a 422 naming the first bad field otherwise."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise _named(validation_error(exc, prefix)) from None


def _named(error: ValidationFailed) -> ValidationFailed:
    """Vendor messages already name their field: drop pydantic's 'Value error, ' prefix."""
    error.message = error.message.replace("Value error, ", "")
    for item in error.details.get("errors", []):
        item["message"] = item["message"].replace("Value error, ", "")
    return error
