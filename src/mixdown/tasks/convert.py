"""The ``convert`` task: re-encode audio to another format, rate, depth or channel count."""

from __future__ import annotations

import time
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from mixdown.audio.codec import decode, encode
from mixdown.audio.conform import conform
from mixdown.audio.formats import (
    BitDepth,
    FormatName,
    check_bit_depth,
    check_rate,
    get_format,
    normalize_bit_depth,
    normalize_format,
)
from mixdown.audio.pcm import DecodedAudio
from mixdown.errors import ValidationFailed
from mixdown.jobs.cost import CostBasis, CostRule
from mixdown.jobs.states import TaskCategory
from mixdown.tasks.base import InputAudio, TaskContext, TaskInputs, TaskParams, TaskSpec, always_cacheable

# Measured: a minute of 44.1 kHz stereo takes ~1.9 s to MP3 (LAME is the slowest
# encoder), ~1.3 s to M4A and < 0.1 s to FLAC on one core; this errs high.
_SECONDS_PER_AUDIO_SECOND = 0.04
_OVERHEAD_SECONDS = 0.5


class ConvertParams(TaskParams):
    """Parameters of ``convert``; anything not given is kept from the input."""

    target_format: FormatName = Field(description="wav, mp3, flac, ogg (vorbis), opus, m4a (aac) or aiff")
    target_sr: int | None = Field(default=None, ge=8000, le=192000, description="Output sample rate in Hz")
    target_bit_depth: BitDepth | None = Field(
        default=None, description="16, 24 or 32 (float); lossless formats only"
    )
    channels: Literal[1, 2] | None = Field(default=None, description="1 or 2")
    bitrate: int | None = Field(default=None, ge=32, le=320, description="kbps; lossy formats only")

    @field_validator("target_format", mode="before")
    @classmethod
    def _canonical_format(cls, value: object) -> object:
        return normalize_format(value) if isinstance(value, str) else value

    @field_validator("target_bit_depth", mode="before")
    @classmethod
    def _canonical_bit_depth(cls, value: object) -> object:
        if isinstance(value, (int, str)) and not isinstance(value, bool):
            return normalize_bit_depth(value)
        return value

    @field_validator("target_sr")
    @classmethod
    def _rate_fits_format(cls, value: int | None, info: ValidationInfo) -> int | None:
        fmt = info.data.get("target_format")
        if value is not None and fmt is not None:
            check_rate(get_format(fmt), value)
        return value

    @field_validator("target_bit_depth")
    @classmethod
    def _depth_fits_format(cls, value: BitDepth | None, info: ValidationInfo) -> BitDepth | None:
        fmt = info.data.get("target_format")
        if value is not None and fmt is not None:
            check_bit_depth(get_format(fmt), value)
        return value

    @field_validator("bitrate")
    @classmethod
    def _bitrate_needs_lossy(cls, value: int | None, info: ValidationInfo) -> int | None:
        fmt = info.data.get("target_format")
        if value is not None and fmt is not None and get_format(fmt).lossless:
            raise ValueError(f"bitrate applies to lossy formats only; {fmt} is lossless")
        return value

    def check_inputs(self, inputs: TaskInputs) -> None:
        """Refuse channel counts the output cannot be mixed to."""
        check_channels(inputs.main.channels, self.target_format, self.channels)


class KeepFormatParams(TaskParams):
    """Parameters of tasks whose output keeps the input's format unless ``output_format`` says.

    Tasks that transform audio (cut, speed, master, cleanup) inherit it.
    """

    output_format: FormatName | None = Field(
        default=None,
        description="wav, mp3, flac, ogg, opus, m4a or aiff; default: the input's (WAV if unknown)",
    )

    @field_validator("output_format", mode="before")
    @classmethod
    def _canonical_output_format(cls, value: object) -> object:
        return normalize_format(value) if isinstance(value, str) else value

    def check_inputs(self, inputs: TaskInputs) -> None:
        """Refuse a format that cannot hold the input's channels."""
        check_channels(inputs.main.channels, self.format_for(inputs.main), None)

    def format_for(self, source: InputAudio) -> FormatName:
        """The output format: the one asked for, else the input's (WAV if unsupported)."""
        if self.output_format is not None:
            return self.output_format
        try:
            return normalize_format(source.format)
        except ValueError:
            return "wav"


def check_channels(source: int, format: str, requested: int | None) -> None:
    """Raise ``ValidationFailed`` on ``channels`` when ``source`` cannot become the output."""
    fmt = get_format(format)
    if requested is None and source > fmt.max_channels:
        raise ValidationFailed(
            f"the input has {source} channels and {fmt.name} holds at most "
            f"{fmt.max_channels}; set channels to 1 or 2",
            field="channels",
        )
    if requested is not None and requested > 1 and source not in (1, requested):
        raise ValidationFailed(
            f"cannot mix {source} input channels to {requested}; use channels=1",
            field="channels",
        )


def write_audio_result(
    ctx: TaskContext,
    audio: DecodedAudio,
    *,
    format: FormatName,
    name: str,
    bitrate: int | None = None,
) -> None:
    """Encode ``audio`` (already conformed) into ``ctx.work_dir`` and add it as a result."""
    fmt = get_format(format)
    path = ctx.work_dir / f"{name}.{fmt.extension}"
    encode(
        audio.samples,
        audio.sample_rate,
        path,
        format=fmt.name,
        bit_depth=audio.bit_depth,
        bitrate=bitrate,
    )
    extra: dict[str, Any] = {}
    if not fmt.lossless:
        extra["bitrate"] = bitrate or fmt.default_bitrate
    ctx.add_result(
        path,
        kind="audio",
        format=fmt.name,
        duration=audio.duration,
        sample_rate=audio.sample_rate,
        channels=audio.channels,
        bit_depth=audio.bit_depth,
        **extra,
    )


def conform_or_fail(audio: DecodedAudio, **options: Any) -> DecodedAudio:
    """:func:`conform`, with its refusals as ``ValidationFailed``."""
    try:
        return conform(audio, **options)
    except ValueError as exc:
        raise ValidationFailed(str(exc)) from exc


def run(inputs: TaskInputs, params: ConvertParams, ctx: TaskContext) -> None:
    """Decode the main input, convert it, and store the converted file."""
    started = time.perf_counter()
    ctx.progress(0.05, "decoding")
    source = decode(inputs.main.path)
    ctx.progress(0.35, "converting")
    audio = conform_or_fail(
        source,
        format=params.target_format,
        sample_rate=params.target_sr,
        channels=params.channels,
        bit_depth=params.target_bit_depth,
    )
    ctx.progress(0.6, "encoding")
    write_audio_result(ctx, audio, format=params.target_format, name="converted", bitrate=params.bitrate)
    ctx.set_metadata(
        engine=get_format(params.target_format).backend,
        decoder=source.backend,
        inference_time=round(time.perf_counter() - started, 3),
    )
    ctx.progress(1.0, "done")


def estimate_seconds(_params: Any, inputs: TaskInputs) -> float:
    """Rough compute time: a fixed overhead plus a fraction of the input length."""
    return _OVERHEAD_SECONDS + _SECONDS_PER_AUDIO_SECOND * inputs.seconds()


TASK = TaskSpec(
    name="convert",
    summary="Convert audio to another format, sample rate, bit depth or channel count.",
    params_model=ConvertParams,
    run=run,
    cost_rule=CostRule(per_second=0.01, minimum=0.1, basis=CostBasis.INPUT),
    category=TaskCategory.CONVERSION,
    takes_audio=True,
    queue="audio",
    engine="dsp",
    estimate_seconds=estimate_seconds,
    cacheable=always_cacheable,
)
