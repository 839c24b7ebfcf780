"""Muzaic's request bodies and their translation into native ``generate`` fields and regions.

Field names, defaults and limits are Muzaic's (docs.muzaic.ai): ``duration`` 60 s by default and at
most 1200 s; ``tags`` tag ids (ours: ``GET /getTags``); ``params`` intensity, tempo, rhythm, tone,
variance as 1-9 or keyframes ``[[position %, value], ...]`` (the ``generate`` task checks them);
soundtrack regions with ``time``, ``duration``, ``action``, ``method`` and ``sourceHash``.
"""

from __future__ import annotations

import json
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mixdown.audio.timeline import Method
from mixdown.errors import BadRequest
from mixdown.service.soundtrack import Action, RegionRequest
from mixdown.service.submit import validation_error

MAX_SECONDS = 1200.0
# Muzaic's documented default for every parameter, sent only when a request gives neither tags
# nor params (the engine needs something to go on; a style-matched piece needs no defaults).
DEFAULT_PARAMS = {"intensity": 5, "tempo": 5, "rhythm": 5, "tone": 5, "variance": 5}
Normalize = Literal["none", "auto", "high"]
TARGET_LUFS: dict[str, float | None] = {"none": None, "auto": -14.0, "high": -11.0}
WRONG_BODY = "Wrong request JSON Object"
M = TypeVar("M", bound=BaseModel)


class _Body(BaseModel):
    """Unknown fields are ignored, as Muzaic ignores them."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class SingleFileBody(_Body):
    """``POST /singleFile``."""

    duration: float = Field(default=60.0, gt=0, le=MAX_SECONDS, description="Seconds (default 60, max 1200).")
    tags: list[int] = Field(default_factory=list, description="Tag ids from GET /getTags.")
    params: dict[str, Any] | None = Field(
        default=None, description="intensity, tempo, rhythm, tone, variance."
    )
    normalize: bool | str | None = Field(default=None, description="Accepted; a single file is mastered.")


class HashBody(_Body):
    """``POST /audioFromHash``."""

    hash: str = Field(min_length=1, max_length=128, description="A hash from an earlier answer.")


class RegionBody(_Body):
    """One soundtrack region."""

    time: float = Field(ge=0, le=MAX_SECONDS, description="Start on the timeline, seconds.")
    duration: float = Field(default=60.0, gt=0, le=MAX_SECONDS, description="Seconds (default 60).")
    tags: list[int] = Field(default_factory=list)
    params: dict[str, Any] | None = None
    source_hash: str | None = Field(
        default=None, alias="sourceHash", max_length=128, description="For copy, regenerate, extend."
    )
    action: Action = "generate"
    method: Method = "strict"

    @model_validator(mode="after")
    def _ends_in_time(self) -> RegionBody:
        if self.time + self.duration > MAX_SECONDS:
            raise ValueError(f"a region must end by {MAX_SECONDS:g} s (time + duration)")
        return self


class SoundtrackBody(_Body):
    """``POST /soundtrack``."""

    regions: list[RegionBody]
    normalize: Normalize = Field(default="auto", description="none, auto or high (true/false accepted).")

    @field_validator("normalize", mode="before")
    @classmethod
    def _boolean_variant(cls, value: Any) -> Any:
        """Muzaic's OpenAPI variant sends a boolean: true is "auto", false "none"."""
        if isinstance(value, bool):
            return "auto" if value else "none"
        return value


def json_object(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object (an empty body is ``{}``); 400 "Wrong request JSON Object" else."""
    try:
        value = json.loads(raw or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadRequest(WRONG_BODY, field="body") from None
    if not isinstance(value, dict):
        raise BadRequest(WRONG_BODY, field="body")
    return value


def parse_body(model: type[M], body: dict[str, Any]) -> M:
    """``body`` as ``model`` (422 naming the field otherwise)."""
    if model is SoundtrackBody and not body.get("regions"):
        raise BadRequest("No regions list", field="regions")
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise validation_error(exc) from None


def generate_fields(tags: list[int], params: dict[str, Any] | None) -> tuple[dict[str, Any], list[str]]:
    """Native ``generate`` fields for Muzaic tags and params, and the warnings Muzaic reports."""
    warnings = [] if params is not None else ["no params object"]
    fields: dict[str, Any] = {"tags": list(tags)}
    if params:
        fields["params"] = dict(params)
    elif not tags:
        fields["params"] = dict(DEFAULT_PARAMS)
    return fields, warnings


def region_request(region: RegionBody) -> RegionRequest:
    """A Muzaic region as the soundtrack service's region."""
    fields, _ = generate_fields(region.tags, region.params)
    return RegionRequest(
        time=region.time,
        duration=region.duration,
        action=region.action,
        method=region.method,
        fields=fields if region.action == "generate" else {},
        source_hash=region.source_hash,
    )
