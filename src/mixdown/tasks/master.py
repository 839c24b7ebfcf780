"""The ``master`` task: loudness to a target under a true-peak ceiling, a preset colour, reference matching.

The chain is :func:`mixdown.engines.mastering.master`; ``docs/master.md`` describes it. The output
keeps the input's channels and rate (unless the output format cannot hold the rate: then the input is
resampled first, so the loudness and true peak are measured on what is written).
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field, ValidationInfo, field_validator

from mixdown.audio.codec import decode
from mixdown.audio.formats import FormatName, get_format
from mixdown.audio.pcm import DecodedAudio, to_float32
from mixdown.audio.resample import resample
from mixdown.engines.mastering import (
    PRESETS,
    Mastered,
    MasterSettings,
    PresetName,
    Profile,
    measure,
    prepare,
)
from mixdown.engines.mastering import profile as spectral_profile
from mixdown.engines.mastering.delivery import deliver
from mixdown.errors import ValidationFailed
from mixdown.jobs.cost import CostBasis, CostRule
from mixdown.jobs.states import TaskCategory
from mixdown.tasks.base import TaskContext, TaskInputs, TaskSpec, always_cacheable
from mixdown.tasks.convert import KeepFormatParams, conform_or_fail

REFERENCE = "reference"
MIN_TARGET, MAX_TARGET = -30.0, -5.0
# Loudness this close under the ceiling needs a near-square wave: refuse less headroom than this.
MIN_PEAK_TO_LOUDNESS = 4.0
MIN_SECONDS = 0.5  # BS.1770 gates 400 ms blocks: shorter audio has no integrated loudness
MAX_SECONDS = 1800.0  # the chain holds the whole piece in memory (30 min stereo float: ~640 MB)
EQ_REPORT_HZ = (31.5, 63.0, 125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0, 16000.0)
# Measured (bench/bench_master.py): ~20-40x real time warm on one core; this errs high.
_SECONDS_PER_INPUT_SECOND = 0.06
_SECONDS_PER_REFERENCE_SECOND = 0.02
_OVERHEAD_SECONDS = 0.5


class MasterParams(KeepFormatParams):
    """Parameters of ``master``."""

    true_peak_db: float = Field(
        default=-1.0, ge=-9.0, le=0.0, allow_inf_nan=False, description="True-peak ceiling, dBTP (-9 to 0)"
    )
    target_lufs: float | None = Field(
        default=None,
        ge=MIN_TARGET,
        le=MAX_TARGET,
        allow_inf_nan=False,
        description="Integrated loudness to reach, LUFS (-30 to -5). Default: the preset's (-14; podcast "
        "-16), or with reference_audio the reference's loudness",
    )
    preset: PresetName | None = Field(
        default=None,
        description="Colour: none, balanced, warm, bright, streaming or podcast. Default: balanced, or "
        "none with reference_audio",
    )
    max_eq_db: float = Field(
        default=6.0,
        ge=0.0,
        le=12.0,
        allow_inf_nan=False,
        description="With reference_audio: the largest boost or cut of the matching EQ, dB",
    )

    @field_validator("target_lufs")
    @classmethod
    def _headroom(cls, value: float | None, info: ValidationInfo) -> float | None:
        ceiling = info.data.get("true_peak_db")
        if value is not None and ceiling is not None and ceiling - value < MIN_PEAK_TO_LOUDNESS:
            raise ValueError(
                f"target_lufs {value} is too close to true_peak_db {ceiling}: "
                f"keep at least {MIN_PEAK_TO_LOUDNESS:g} dB between them"
            )
        return value

    def check_inputs(self, inputs: TaskInputs) -> None:
        """Refuse inputs the chain cannot master (channels, length) and a too-short reference."""
        main = inputs.main
        if main.channels > 2:
            raise ValidationFailed(
                f"mastering takes mono or stereo; the input has {main.channels} channels", field="input_audio"
            )
        if not MIN_SECONDS <= main.duration <= MAX_SECONDS:
            raise ValidationFailed(
                f"the input lasts {main.duration:.2f} s; mastering takes "
                f"{MIN_SECONDS:g} s to {MAX_SECONDS:.0f} s",
                field="input_audio",
            )
        reference = inputs.audio.get(REFERENCE)
        if reference is not None and reference.duration < MIN_SECONDS:
            raise ValidationFailed(
                f"the reference lasts {reference.duration:.2f} s; it needs at least {MIN_SECONDS:g} s",
                field="reference_audio",
            )

    def preset_for(self, *, with_reference: bool) -> PresetName:
        """The preset asked for, else ``none`` with a reference and ``balanced`` without."""
        if self.preset is not None:
            return self.preset
        return "none" if with_reference else "balanced"


def target_for(params: MasterParams, preset: PresetName, reference_lufs: float | None) -> tuple[float, str]:
    """The loudness target and where it came from (request, reference or preset)."""
    if params.target_lufs is not None:
        return params.target_lufs, "request"
    if reference_lufs is not None:
        ceiling = params.true_peak_db - MIN_PEAK_TO_LOUDNESS
        return min(max(reference_lufs, MIN_TARGET), MAX_TARGET, ceiling), "reference"
    return PRESETS[preset].target_lufs, "preset"


def settings_for(params: MasterParams, reference_info: dict[str, Any]) -> tuple[MasterSettings, str]:
    """The chain's settings, and where the loudness target came from."""
    preset = params.preset_for(with_reference=bool(reference_info))
    reference_lufs = reference_info.get("loudness", {}).get("integrated_lufs")
    target, target_source = target_for(params, preset, reference_lufs)
    settings = MasterSettings(
        target_lufs=target, true_peak_db=params.true_peak_db, preset=preset, max_eq_db=params.max_eq_db
    )
    return settings, target_source


def load_reference(inputs: TaskInputs) -> tuple[Profile | None, dict[str, Any]]:
    """The reference's spectral profile and loudness report, if one was given."""
    given = inputs.audio.get(REFERENCE)
    if given is None:
        return None, {}
    decoded = decode(given.path)
    samples = to_float32(decoded.samples)
    found = spectral_profile(samples, decoded.sample_rate)
    if found is None:
        raise ValidationFailed("the reference is silent: nothing to match", field="reference_audio")
    report = measure(samples, decoded.sample_rate).as_dict()
    return found, {"loudness": report, "width": _rounded(found.width)}


def working_audio(source: DecodedAudio, fmt: FormatName) -> tuple[np.ndarray, int]:
    """The input as float32 at the rate the output will have (resampled first if the format needs it)."""
    rate = get_format(fmt).nearest_rate(source.sample_rate)
    samples = to_float32(source.samples)
    if rate != source.sample_rate:
        samples = resample(samples, from_rate=source.sample_rate, to_rate=rate)
    return np.ascontiguousarray(samples), rate


def output_audio(samples: np.ndarray, rate: int, source: DecodedAudio, fmt: FormatName) -> DecodedAudio:
    """The master in the output format's layout, at the source's bit depth when the format holds it."""
    spec = get_format(fmt)
    depth = source.bit_depth
    keep = depth if depth is not None and spec.lossless and spec.allows_bit_depth(depth) else None
    # lossless=False: without a kept depth, conform writes 16-bit (not float) for lossless formats.
    floats = DecodedAudio(samples=samples, sample_rate=rate, lossless=False, backend=source.backend)
    return conform_or_fail(floats, format=fmt, bit_depth=keep)


def run(inputs: TaskInputs, params: MasterParams, ctx: TaskContext) -> None:
    """Decode, master and store the main input; report loudness before and after."""
    started = time.perf_counter()
    ctx.progress(0.05, "decoding")
    source = decode(inputs.main.path)
    reference, reference_info = load_reference(inputs)
    fmt = params.format_for(inputs.main)
    samples, rate = working_audio(source, fmt)
    settings, target_source = settings_for(params, reference_info)
    ctx.progress(0.2, "mastering")
    prepared = prepare(samples, rate, settings, reference=reference)
    ctx.progress(0.6, "limiting")
    path = ctx.work_dir / f"master.{get_format(fmt).extension}"
    delivered = deliver(
        prepared,
        path,
        fmt=fmt,
        ceiling_db=params.true_peak_db,
        layout=lambda audio: output_audio(audio, rate, source, fmt),
    )
    ctx.progress(0.9, "storing")
    add_audio_result(ctx, path, delivered.audio, fmt)
    encoded = {} if delivered.decoded is None else {"encoded": delivered.decoded.as_dict()}
    ctx.set_metadata(
        **_metadata(delivered.mastered, settings, target_source, reference_info),
        **encoded,
        decoder=source.backend,
        inference_time=round(time.perf_counter() - started, 3),
    )
    ctx.progress(1.0, "done")


def add_audio_result(ctx: TaskContext, path: Path, audio: DecodedAudio, fmt: FormatName) -> None:
    """Add the encoded master as the job's result (the fields ``write_audio_result`` reports)."""
    spec = get_format(fmt)
    extra: dict[str, Any] = {} if spec.lossless else {"bitrate": spec.default_bitrate}
    ctx.add_result(
        path,
        kind="audio",
        format=spec.name,
        duration=audio.duration,
        sample_rate=audio.sample_rate,
        channels=audio.channels,
        bit_depth=audio.bit_depth,
        **extra,
    )


def _metadata(
    done: Mastered, settings: MasterSettings, target_source: str, reference_info: dict[str, Any]
) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "engine": "dsp",
        "preset": settings.preset,
        "target_lufs": round(settings.target_lufs, 2),
        "target_source": target_source,
        "true_peak_ceiling_db": settings.true_peak_db,
        "input": done.before.as_dict(),
        "output": done.after.as_dict(),
        "limiter": {
            "gain_db": round(done.limited.gain_db, 2),
            "max_reduction_db": round(done.limited.max_reduction_db, 2),
            "ceiling_db": round(done.ceiling_db, 2),
            "mode": done.limited.mode,
            "passes": done.limited.passes,
        },
        "notes": done.notes,
    }
    if done.match is not None:
        reference_info = {**reference_info, **_match_info(done)}
    if reference_info:
        meta["reference"] = reference_info
    return meta


def _match_info(done: Mastered) -> dict[str, Any]:
    assert done.match is not None
    freqs, gains = done.match.freqs, done.match.gain_db
    eq = {f"{hz:g}": round(float(np.interp(hz, freqs, gains)), 2) for hz in EQ_REPORT_HZ if hz <= freqs[-1]}
    return {"eq_db": eq, "side_gain": round(done.match.side_gain, 3)}


def _rounded(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, 3)


def cost_seconds(_params: Any, inputs: TaskInputs) -> float:
    """The main input's seconds: what the cost rule counts (a reference is only analysed)."""
    return float(inputs.main.duration)


def estimate_seconds(_params: Any, inputs: TaskInputs) -> float:
    """Rough compute time: the chain scales with the input, the reference analysis with the reference."""
    reference = inputs.audio.get(REFERENCE)
    extra = _SECONDS_PER_REFERENCE_SECOND * reference.duration if reference is not None else 0.0
    return _OVERHEAD_SECONDS + _SECONDS_PER_INPUT_SECOND * inputs.main.duration + extra


TASK = TaskSpec(
    name="master",
    summary="Master audio: loudness to a LUFS target under a true-peak ceiling, preset tonal curves, "
    "optional matching to a reference track.",
    params_model=MasterParams,
    run=run,
    cost_rule=CostRule(per_second=0.01, minimum=0.1, basis=CostBasis.INPUT),
    cost_seconds=cost_seconds,
    category=TaskCategory.CONVERSION,
    takes_audio=True,
    audio_inputs=("audio", REFERENCE),
    queue="audio",
    engine="dsp",
    estimate_seconds=estimate_seconds,
    cacheable=always_cacheable,
)
