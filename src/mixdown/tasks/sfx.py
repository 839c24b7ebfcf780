"""The ``sfx`` task ("Sound Generator", ``POST /v1/sfx``): procedural sound effects from a prompt.

The prompt is matched once to a recipe and traits (see
:mod:`mixdown.engines.sfx.matching`); each of ``num_variations`` results is then
rendered with its own seed: ``seed``, ``seed + 1``, ... Without a ``seed`` one is
drawn at random and reported in the job metadata (``seed``) and on every result,
so any take can be rendered again exactly.
"""

from __future__ import annotations

import secrets
import time
from typing import Any, Literal

from pydantic import Field, field_validator

from mixdown.audio.codec import encode
from mixdown.audio.formats import get_format, normalize_format
from mixdown.engines.sfx.matching import match_prompt
from mixdown.engines.sfx.matching import warm_up as warm_matching
from mixdown.engines.sfx.render import SfxResult, render_sfx
from mixdown.jobs.cost import CostBasis, CostRule
from mixdown.jobs.states import TaskCategory
from mixdown.tasks.base import TaskContext, TaskInputs, TaskParams, TaskSpec, seeded_cacheable

SfxFormat = Literal["wav", "mp3", "flac", "ogg"]
SfxRate = Literal[22050, 32000, 44100, 48000]

MAX_SEED = 2**31 - 1
# Measured on one busy core at 44.1 kHz: rendering runs 14x (drone) to 100x (coin) real
# time, ~40x on average; MP3 encoding adds ~0.03 s per second. This errs high. The
# sentence-embedding model's first load (~4-10 s) comes on top when a prompt needs it.
_SECONDS_PER_AUDIO_SECOND = 0.08
_OVERHEAD_SECONDS = 1.0


class SfxParams(TaskParams):
    """Parameters of ``sfx``."""

    prompt: str = Field(min_length=1, max_length=300, description="What the sound is, e.g. 'distant thunder'")
    duration: float = Field(
        default=5.0, ge=0.1, le=30.0, allow_inf_nan=False, description="Seconds per variation"
    )
    num_variations: int = Field(default=1, ge=1, le=8, description="How many takes, each with its own seed")
    seed: int | None = Field(
        default=None,
        ge=0,
        le=MAX_SEED - 8,
        description="Seed of the first take; random (and reported) if absent",
    )
    sample_rate: SfxRate = Field(default=44100, description="22050, 32000, 44100 or 48000 Hz")
    output_format: SfxFormat = Field(default="wav", description="wav, mp3, flac or ogg")

    @field_validator("prompt")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("prompt must contain some words")
        return value.strip()

    @field_validator("output_format", mode="before")
    @classmethod
    def _canonical_format(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return normalize_format(value)
            except ValueError:
                return value  # the Literal then names the allowed formats
        return value


def run(_inputs: TaskInputs, params: SfxParams, ctx: TaskContext) -> None:
    """Match the prompt once, render every variation, encode and store each."""
    started = time.perf_counter()
    seed = params.seed if params.seed is not None else secrets.randbelow(MAX_SEED - 8)
    ctx.progress(0.02, "matching prompt")
    match = match_prompt(params.prompt)
    count = params.num_variations
    for index in range(count):
        ctx.progress(0.05 + 0.9 * index / count, f"rendering variation {index + 1} of {count}")
        result = render_sfx(
            params.prompt,
            duration=params.duration,
            sample_rate=params.sample_rate,
            seed=seed + index,
            match=match,
        )
        _store(ctx, result, params, index=index)
    ctx.set_metadata(
        engine="procedural-sfx",
        prompt=params.prompt,
        recipe=match.recipe,
        recipes=[match.recipe] * count,
        match_method=match.method,
        match_scores=[list(pair) for pair in match.scores],
        traits=match.traits.as_dict(),
        seed=seed,
        seeds=[seed + i for i in range(count)],
        inference_time=round(time.perf_counter() - started, 3),
    )
    ctx.progress(1.0, "done")


def _store(ctx: TaskContext, result: SfxResult, params: SfxParams, *, index: int) -> None:
    """Encode one take into the scratch folder and add it as a result."""
    fmt = get_format(params.output_format)
    path = ctx.work_dir / f"sfx_{index + 1}_{result.recipe}.{fmt.extension}"
    encode(result.audio, result.sample_rate, path, format=fmt.name, bit_depth=24 if fmt.lossless else None)
    extra: dict[str, Any] = {"bit_depth": 24} if fmt.lossless else {"bitrate": fmt.default_bitrate}
    ctx.add_result(
        path,
        kind="audio",
        format=fmt.name,
        duration=result.duration,
        sample_rate=result.sample_rate,
        channels=2,
        seed=result.seed,
        recipe=result.recipe,
        traits=result.traits.as_dict(),
        loudness_lufs=result.loudness,
        peak_dbfs=result.peak_dbfs,
        **extra,
    )


def output_seconds(params: Any, _inputs: TaskInputs) -> float:
    """Seconds of audio the job makes: what the cost rule counts."""
    return float(params.duration * params.num_variations)


def estimate_seconds(params: Any, inputs: TaskInputs) -> float:
    """Rough compute time: a fixed overhead plus a fraction of the audio made."""
    return _OVERHEAD_SECONDS + _SECONDS_PER_AUDIO_SECOND * output_seconds(params, inputs)


TASK = TaskSpec(
    name="sfx",
    summary="Sound Generator: procedural sound effects (rain, thunder, laser, footsteps...) from a prompt.",
    params_model=SfxParams,
    run=run,
    cost_rule=CostRule(per_second=0.05, minimum=0.25, basis=CostBasis.OUTPUT),
    cost_seconds=output_seconds,
    category=TaskCategory.GENERATION,
    takes_audio=False,
    queue="audio",
    engine="procedural-sfx",
    estimate_seconds=estimate_seconds,
    warm_up=lambda: warm_matching().join(),
    cacheable=seeded_cacheable,
)
