"""The ``cut`` task: keep ``[start_time, end_time)`` of the input, with optional fades.

The cut is sample-accurate: frame ``round(t * sample_rate)`` on the input's
own timeline, so the output holds exactly
``round(end_time * sr) - round(start_time * sr)`` frames (before any
resampling the output format forces).
"""

from __future__ import annotations

import time
from typing import Any

from pydantic import Field, ValidationInfo, field_validator

from mixdown.audio.codec import decode
from mixdown.audio.edit import apply_fades, slice_frames, time_to_frame
from mixdown.audio.formats import get_format
from mixdown.audio.pcm import DecodedAudio
from mixdown.errors import ValidationFailed
from mixdown.jobs.cost import CostBasis, CostRule
from mixdown.jobs.states import TaskCategory
from mixdown.tasks.base import TaskContext, TaskInputs, TaskSpec, always_cacheable
from mixdown.tasks.convert import KeepFormatParams, check_channels, conform_or_fail, write_audio_result

# An end this little past the input is taken as "the end": clients round the
# duration they were shown (often to the millisecond).
END_TOLERANCE_SECONDS = 0.001
# Decoding the whole input is cheap; encoding the kept part dominates (see convert).
_DECODE_SECONDS_PER_SECOND = 0.005
_ENCODE_SECONDS_PER_SECOND = 0.04
_OVERHEAD_SECONDS = 0.5


class CutParams(KeepFormatParams):
    """Parameters of ``cut``: times in seconds, fades in milliseconds."""

    start_time: float = Field(ge=0, allow_inf_nan=False, description="Start, seconds")
    end_time: float = Field(gt=0, allow_inf_nan=False, description="End, seconds")
    fade_in: float = Field(default=0.0, ge=0, allow_inf_nan=False, description="ms")
    fade_out: float = Field(default=0.0, ge=0, allow_inf_nan=False, description="ms")

    @field_validator("end_time")
    @classmethod
    def _after_start(cls, value: float, info: ValidationInfo) -> float:
        start = info.data.get("start_time")
        if start is not None and value <= start:
            raise ValueError(f"end_time ({value}) must be greater than start_time ({start})")
        return value

    def check_inputs(self, inputs: TaskInputs) -> None:
        """Refuse an end beyond the input, or a format that cannot hold its channels."""
        main = inputs.main
        input_frames = round(main.duration * main.sample_rate)
        cut_frame_range(self, sample_rate=main.sample_rate, input_frames=input_frames)
        check_channels(main.channels, self.format_for(main), None)


def cut_frame_range(params: CutParams, *, sample_rate: int, input_frames: int) -> range:
    """The input frames the cut keeps; ``ValidationFailed`` naming ``end_time`` if none fit."""
    start = time_to_frame(params.start_time, sample_rate=sample_rate)
    end = time_to_frame(params.end_time, sample_rate=sample_rate)
    slack = time_to_frame(END_TOLERANCE_SECONDS, sample_rate=sample_rate)
    if end > input_frames + slack:
        raise ValidationFailed(
            f"end_time {params.end_time} s is beyond the end of the input "
            f"({input_frames / sample_rate:.3f} s)",
            field="end_time",
        )
    end = min(end, input_frames)
    if end <= start:
        raise ValidationFailed(
            "the cut holds no samples: end_time must be later than start_time "
            "and start_time inside the input",
            field="end_time",
        )
    return range(start, end)


def run(inputs: TaskInputs, params: CutParams, ctx: TaskContext) -> None:
    """Decode the main input, cut and fade it, and store the result."""
    started = time.perf_counter()
    ctx.progress(0.05, "decoding")
    source = decode(inputs.main.path)
    ctx.progress(0.4, "cutting")
    piece = cut(source, params)
    fmt = params.format_for(inputs.main)
    audio = conform_or_fail(piece, format=fmt)
    ctx.progress(0.6, "encoding")
    write_audio_result(ctx, audio, format=fmt, name="cut")
    ctx.set_metadata(
        engine=get_format(fmt).backend,
        decoder=source.backend,
        inference_time=round(time.perf_counter() - started, 3),
    )
    ctx.progress(1.0, "done")


def cut(source: DecodedAudio, params: CutParams) -> DecodedAudio:
    """The frames of ``source`` that ``params`` keep, with its fades applied."""
    frames = cut_frame_range(params, sample_rate=source.sample_rate, input_frames=source.frames)
    piece = slice_frames(source.samples, start=frames.start, stop=frames.stop)
    faded = apply_fades(
        piece,
        sample_rate=source.sample_rate,
        fade_in_ms=params.fade_in,
        fade_out_ms=params.fade_out,
    )
    return DecodedAudio(
        samples=faded,
        sample_rate=source.sample_rate,
        lossless=source.lossless,
        backend=source.backend,
    )


def output_seconds(params: Any, _inputs: TaskInputs) -> float:
    """Seconds the cut keeps: what the cost rule counts."""
    return float(params.end_time - params.start_time)


def estimate_seconds(params: Any, inputs: TaskInputs) -> float:
    """Rough compute time: decode the whole input, encode the kept part."""
    decoding = _DECODE_SECONDS_PER_SECOND * inputs.seconds()
    return _OVERHEAD_SECONDS + decoding + _ENCODE_SECONDS_PER_SECOND * output_seconds(params, inputs)


TASK = TaskSpec(
    name="cut",
    summary="Cut a time range out of audio, sample-accurate, with optional fades.",
    params_model=CutParams,
    run=run,
    cost_rule=CostRule(per_second=0.01, minimum=0.1, basis=CostBasis.OUTPUT),
    cost_seconds=output_seconds,
    category=TaskCategory.CONVERSION,
    takes_audio=True,
    queue="audio",
    engine="dsp",
    estimate_seconds=estimate_seconds,
    cacheable=always_cacheable,
)
