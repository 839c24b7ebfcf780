"""What the three cleanup tasks (denoise, dereverb, deecho) share: output format and the run loop.

Each task decodes its input, hands float32 ``(frames, channels)`` samples to an engine
function of :mod:`mixdown.engines.cleanup`, and stores the result at the input's sample rate
and length, in the input's sample layout (16-bit in, 16-bit out), in the format asked for.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from mixdown.audio.codec import decode
from mixdown.audio.pcm import DecodedAudio, like, to_float32
from mixdown.tasks.base import TaskContext, TaskInputs
from mixdown.tasks.convert import KeepFormatParams, check_channels, conform_or_fail, write_audio_result

# Decoding and encoding (see convert), on top of the engine's own time.
_CODEC_SECONDS_PER_SECOND = 0.05
_OVERHEAD_SECONDS = 0.5

Progress = Callable[[float], None]


@dataclass(frozen=True)
class Cleaned:
    """An engine's output samples and what to add to the job's metadata."""

    samples: npt.NDArray[np.float32]
    metadata: dict[str, Any] = field(default_factory=dict)


Process = Callable[[npt.NDArray[np.float32], int, Progress], Cleaned]


class CleanupParams(KeepFormatParams):
    """The output format, common to every cleanup task."""

    def check_inputs(self, inputs: TaskInputs) -> None:
        """Refuse a format that cannot hold the input's channels."""
        check_channels(inputs.main.channels, self.format_for(inputs.main), None)


def run_cleanup(
    inputs: TaskInputs,
    params: CleanupParams,
    ctx: TaskContext,
    *,
    name: str,
    process: Process,
) -> None:
    """Decode, clean with ``process``, store in the input's layout; progress 0.1..0.85 is the engine's."""
    started = time.perf_counter()
    ctx.progress(0.02, "decoding")
    source = decode(inputs.main.path)
    ctx.progress(0.1, name)
    cleaned = process(
        to_float32(source.samples), source.sample_rate, lambda done: ctx.progress(0.1 + 0.75 * done, name)
    )
    audio = DecodedAudio(
        samples=like(cleaned.samples, source.samples),
        sample_rate=source.sample_rate,
        lossless=source.lossless,
        backend=source.backend,
    )
    fmt = params.format_for(inputs.main)
    ctx.progress(0.85, "encoding")
    write_audio_result(ctx, conform_or_fail(audio, format=fmt), format=fmt, name=name)
    ctx.set_metadata(
        **cleaned.metadata,
        decoder=source.backend,
        inference_time=round(time.perf_counter() - started, 3),
    )
    ctx.progress(1.0, "done")


def estimate_seconds(inputs: TaskInputs, *, per_channel_second: float, fixed: float = 0.0) -> float:
    """Overhead + codec time + the engine's time per second of each channel."""
    seconds = inputs.seconds()
    channels = max((a.channels for a in inputs.audio.values()), default=1)
    engine = per_channel_second * seconds * channels
    return _OVERHEAD_SECONDS + fixed + _CODEC_SECONDS_PER_SECOND * seconds + engine
