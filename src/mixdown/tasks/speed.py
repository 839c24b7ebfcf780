"""The ``speed`` task: play audio faster or slower, keeping its pitch (time stretch) or not (varispeed).

The output lasts exactly ``round(frames / speed_change_factor)`` frames of the input's rate (before
any resampling the output format forces); see :mod:`mixdown.audio.speed` for the engines.
"""

from __future__ import annotations

import time
from typing import Any

from pydantic import Field

from mixdown.audio.codec import decode
from mixdown.audio.pcm import DecodedAudio, like
from mixdown.audio.speed import MAX_FACTOR, MIN_FACTOR, change_speed, engine_for, pitch_change
from mixdown.errors import ValidationFailed
from mixdown.jobs.cost import CostBasis, CostRule
from mixdown.jobs.states import TaskCategory
from mixdown.tasks.base import TaskContext, TaskInputs, TaskSpec, always_cacheable
from mixdown.tasks.convert import KeepFormatParams, check_channels, conform_or_fail, write_audio_result

# Rubber Band holds the whole input and output in memory: 30 min of stereo float is ~640 MB.
MAX_OUTPUT_SECONDS = 1800.0
# Measured on one core (bench/bench_speed.py): Rubber Band runs ~8x (factor 0.25) to ~40x (factor 4)
# real time in output seconds; this errs high.
_STRETCH_SECONDS_PER_OUTPUT_SECOND = 0.08
_ENCODE_SECONDS_PER_SECOND = 0.04
_OVERHEAD_SECONDS = 0.5


class SpeedParams(KeepFormatParams):
    """Parameters of ``speed``."""

    speed_change_factor: float = Field(
        ge=MIN_FACTOR,
        le=MAX_FACTOR,
        allow_inf_nan=False,
        description="Playback speed, 0.25 to 4: 2 is twice as fast (half the duration), 0.5 half as fast",
    )
    preserve_pitch: bool = Field(
        default=True,
        description="True: time stretch, the pitch stays (Rubber Band). False: varispeed, the pitch "
        "follows the speed like a tape (12 * log2(factor) semitones)",
    )
    pitch_semitones: float = Field(
        default=0.0,
        ge=-12.0,
        le=12.0,
        allow_inf_nan=False,
        description="Extra pitch shift in semitones (-12 to 12), done in the same Rubber Band pass",
    )

    def check_inputs(self, inputs: TaskInputs) -> None:
        """Refuse outputs too long to hold, or a format that cannot hold the input's channels."""
        main = inputs.main
        seconds = main.duration / self.speed_change_factor
        if seconds > MAX_OUTPUT_SECONDS:
            raise ValidationFailed(
                f"the output would last {seconds:.0f} s; at most {MAX_OUTPUT_SECONDS:.0f} s: "
                "raise speed_change_factor or send a shorter input",
                field="speed_change_factor",
            )
        check_channels(main.channels, self.format_for(main), None)

    @property
    def engine(self) -> str:
        """The engine these settings use (see :func:`mixdown.audio.speed.engine_for`)."""
        return engine_for(
            self.speed_change_factor, preserve_pitch=self.preserve_pitch, pitch_semitones=self.pitch_semitones
        )


def speed_changed(source: DecodedAudio, params: SpeedParams) -> DecodedAudio:
    """``source`` at the new speed, in the source's own sample layout (integer PCM stays integer)."""
    out = change_speed(
        source.samples,
        source.sample_rate,
        factor=params.speed_change_factor,
        preserve_pitch=params.preserve_pitch,
        pitch_semitones=params.pitch_semitones,
    )
    return DecodedAudio(
        samples=like(out, source.samples),
        sample_rate=source.sample_rate,
        lossless=source.lossless,
        backend=source.backend,
    )


def run(inputs: TaskInputs, params: SpeedParams, ctx: TaskContext) -> None:
    """Decode the main input, change its speed, and store the result."""
    started = time.perf_counter()
    ctx.progress(0.05, "decoding")
    source = decode(inputs.main.path)
    ctx.progress(0.15, "changing speed")
    changed = speed_changed(source, params)
    fmt = params.format_for(inputs.main)
    audio = conform_or_fail(changed, format=fmt)
    ctx.progress(0.8, "encoding")
    write_audio_result(ctx, audio, format=fmt, name="speed")
    ctx.set_metadata(
        **_metadata(params, source, changed), inference_time=round(time.perf_counter() - started, 3)
    )
    ctx.progress(1.0, "done")


def _metadata(params: SpeedParams, source: DecodedAudio, changed: DecodedAudio) -> dict[str, Any]:
    factor = params.speed_change_factor
    pitch = pitch_change(factor, preserve_pitch=params.preserve_pitch, pitch_semitones=params.pitch_semitones)
    return {
        "engine": params.engine,
        "decoder": source.backend,
        "input_duration": round(source.duration, 6),
        "output_duration": round(changed.duration, 6),
        "speed_change_factor": factor,
        "preserve_pitch": params.preserve_pitch,
        "pitch_semitones": params.pitch_semitones,
        "pitch_change_semitones": round(pitch, 4),
    }


def output_seconds(params: Any, inputs: TaskInputs) -> float:
    """Seconds of output: what the cost rule counts."""
    return float(inputs.seconds() / params.speed_change_factor)


def estimate_seconds(params: Any, inputs: TaskInputs) -> float:
    """Rough compute time: the stretch and the encoding both scale with the output."""
    per_second = _ENCODE_SECONDS_PER_SECOND
    if params.engine != "none":
        per_second += _STRETCH_SECONDS_PER_OUTPUT_SECOND
    return _OVERHEAD_SECONDS + per_second * output_seconds(params, inputs)


TASK = TaskSpec(
    name="speed",
    summary="Change the speed of audio, keeping its pitch (time stretch) or not (varispeed), "
    "with an optional pitch shift.",
    params_model=SpeedParams,
    run=run,
    cost_rule=CostRule(per_second=0.01, minimum=0.1, basis=CostBasis.OUTPUT),
    cost_seconds=output_seconds,
    category=TaskCategory.CONVERSION,
    takes_audio=True,
    queue="audio",
    engine="rubberband",
    estimate_seconds=estimate_seconds,
    cacheable=always_cacheable,
)
