"""The ``voice-change`` task (``POST /v1/voice-change``): WORLD pitch and formant changes, presets.

The WORLD vocoder (``pyworld``) splits the voice into F0, spectral envelope and aperiodicity;
``pitch`` moves F0 (formants kept), ``formant`` warps the envelope (pitch kept), and a
``voice_id`` preset adds its own shifts and extras (see :mod:`mixdown.engines.voice`). The output
keeps the input's rate, channels, sample layout and exact length, at roughly its loudness.

``remove_background`` separates the voice from its backing first (the separation engine, looked
up at run time) and returns the changed voice alone (``output=voice``) or over the backing
(``output=mix``); without a separation engine it is refused with a 422 naming the field.
"""

from __future__ import annotations

import time
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import Field, field_validator

from mixdown.audio.codec import decode
from mixdown.audio.pcm import DecodedAudio, like, to_float32
from mixdown.engines.voice import (
    MAX_FORMANT_SEMITONES,
    MAX_PITCH_SEMITONES,
    PresetName,
    Quality,
    Recipe,
    VoiceChanged,
    change,
    recipe,
)
from mixdown.engines.voice.background import remixed, separation_availability, split_voice
from mixdown.engines.voice.presets import normalize_preset_name, preset_table
from mixdown.engines.voice.world import pyworld
from mixdown.errors import EngineUnavailable, ValidationFailed
from mixdown.jobs.cost import CostBasis, CostRule
from mixdown.jobs.states import TaskCategory
from mixdown.tasks.base import Availability, TaskContext, TaskInputs, TaskSpec, always_cacheable
from mixdown.tasks.convert import KeepFormatParams, conform_or_fail, write_audio_result

# WORLD holds the whole output in memory besides its bounded segments: 30 min of stereo is ~600 MB.
MAX_INPUT_SECONDS = 1800.0
# Measured (bench/bench_voice_change.py, busy 2-core machine, 44.1 kHz): the F0 pass runs once on
# the mid, envelope + aperiodicity + synthesis once per distinct channel; these err high.
_F0_SECONDS_PER_SECOND: dict[str, float] = {"high": 0.3, "fast": 0.04}
_CHANNEL_SECONDS_PER_SECOND = 0.3
_CODEC_SECONDS_PER_SECOND = 0.05
_OVERHEAD_SECONDS = 0.5
_TRACKERS = {"high": "harvest", "fast": "dio+stonemask"}

Audio = npt.NDArray[np.float32]


class VoiceChangeParams(KeepFormatParams):
    """Parameters of ``voice-change``."""

    voice_id: PresetName | None = Field(
        default=None,
        description=f"A preset (case, spaces and underscores do not matter): {preset_table()}. "
        "Default: none, only pitch and formant",
    )
    pitch: float = Field(
        default=0.0,
        ge=-MAX_PITCH_SEMITONES,
        le=MAX_PITCH_SEMITONES,
        allow_inf_nan=False,
        description="Pitch shift in semitones (-24 to 24), added to the preset's; formants stay",
    )
    formant: float = Field(
        default=0.0,
        ge=-MAX_FORMANT_SEMITONES,
        le=MAX_FORMANT_SEMITONES,
        allow_inf_nan=False,
        description="Formant shift in semitones (-12 to 12; +12 doubles every formant frequency), "
        "added to the preset's; pitch stays. Positive: smaller, brighter; negative: bigger, darker",
    )
    quality: Quality = Field(
        default="high",
        description="high: Harvest F0 tracking (fewer voicing errors); fast: DIO + StoneMask, "
        "several times faster",
    )
    remove_background: bool = Field(
        default=False,
        description="Separate the voice from its backing first (needs a voice separation engine)",
    )
    output: Literal["voice", "mix"] | None = Field(
        default=None,
        description="With remove_background: voice (the changed voice alone, default) or mix "
        "(over the original backing)",
    )

    @field_validator("voice_id", mode="before")
    @classmethod
    def _canonical_voice(cls, value: object) -> object:
        if isinstance(value, str):
            name = normalize_preset_name(value)
            return None if name == "none" else name
        return value

    @property
    def recipe(self) -> Recipe:
        """The preset and the request's shifts together (the ranges are checked by ``check_inputs``)."""
        return recipe(preset=self.voice_id, pitch_semitones=self.pitch, formant_semitones=self.formant)

    def check_inputs(self, inputs: TaskInputs) -> None:
        """Refuse long inputs, totals out of range, options that do nothing or cannot run here."""
        super().check_inputs(inputs)
        if inputs.main.duration > MAX_INPUT_SECONDS:
            raise ValidationFailed(
                f"the input lasts {inputs.main.duration:.0f} s; at most {MAX_INPUT_SECONDS:.0f} s",
                field="input_audio",
            )
        self._check_totals()
        self._check_background()

    def _check_totals(self) -> None:
        try:
            plan = self.recipe
        except ValueError as exc:
            field = "formant" if "formant" in str(exc) else "pitch"
            raise ValidationFailed(f"{field}: {exc} (the preset's shift included)", field=field) from exc
        if not plan.needs_world and plan.effect == "none" and not self.remove_background:
            raise ValidationFailed("nothing to change: give voice_id, pitch or formant", field="voice_id")

    def _check_background(self) -> None:
        if self.output is not None and not self.remove_background:
            raise ValidationFailed("output applies only with remove_background=true", field="output")
        if self.remove_background:
            found = separation_availability()
            if not found.available:
                raise ValidationFailed(
                    f"remove_background: not available yet: {found.reason}", field="remove_background"
                )


def run(inputs: TaskInputs, params: VoiceChangeParams, ctx: TaskContext) -> None:
    """Decode the main input, change the voice (separated first if asked), store the result."""
    started = time.perf_counter()
    ctx.progress(0.02, "decoding")
    source = decode(inputs.main.path)
    audio = to_float32(source.samples)
    voice, backing = _separated(audio, source.sample_rate, params, ctx)
    changed = change(
        voice,
        source.sample_rate,
        params.recipe,
        quality=params.quality,
        on_progress=lambda done: ctx.progress(0.15 + 0.7 * done, "changing the voice"),
    )
    out = changed.samples if backing is None or params.output != "mix" else remixed(changed.samples, backing)
    result = DecodedAudio(
        samples=like(out, source.samples),
        sample_rate=source.sample_rate,
        lossless=source.lossless,
        backend=source.backend,
    )
    fmt = params.format_for(inputs.main)
    ctx.progress(0.88, "encoding")
    write_audio_result(ctx, conform_or_fail(result, format=fmt), format=fmt, name="voice")
    ctx.set_metadata(
        **_metadata(params, changed, source),
        decoder=source.backend,
        inference_time=round(time.perf_counter() - started, 3),
    )
    ctx.progress(1.0, "done")


def _separated(
    audio: Audio, rate: int, params: VoiceChangeParams, ctx: TaskContext
) -> tuple[Audio, Audio | None]:
    """``(voice, backing)``: the separation engine's split, or the input and None."""
    if not params.remove_background:
        return audio, None
    ctx.progress(0.05, "separating the voice")
    try:
        return split_voice(audio, rate)
    except RuntimeError as exc:
        raise EngineUnavailable(str(exc), field="remove_background") from exc


def _metadata(params: VoiceChangeParams, changed: VoiceChanged, source: DecodedAudio) -> dict[str, Any]:
    plan = changed.recipe
    meta: dict[str, Any] = {
        "engine": "world" if plan.needs_world else "effects",
        "f0_tracker": _TRACKERS[params.quality] if plan.needs_world else None,
        "voice_id": plan.preset,
        "pitch_semitones": plan.pitch,
        "formant_semitones": plan.formant,
        "effect": plan.effect,
        "f0_in_hz": _rounded(changed.f0_in_hz),
        "f0_out_hz": _rounded(changed.f0_out_hz),
        "voiced_fraction": round(changed.voiced_fraction, 4),
        "segments": changed.segments,
        "input_duration": round(source.duration, 6),
        "output_duration": round(changed.samples.shape[0] / source.sample_rate, 6),
        "remove_background": params.remove_background,
        "output": (params.output or "voice") if params.remove_background else "voice",
    }
    if plan.contour == "whisper" and params.pitch != 0.0:
        meta["warnings"] = ["pitch: a whisper has no pitch; the shift was ignored"]
    return meta


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def estimate_seconds(params: Any, inputs: TaskInputs) -> float:
    """Rough compute time: the F0 pass once, the envelope and synthesis per channel."""
    seconds = inputs.seconds()
    channels = max((a.channels for a in inputs.audio.values()), default=1)
    work = _F0_SECONDS_PER_SECOND[params.quality] + _CHANNEL_SECONDS_PER_SECOND * channels
    return _OVERHEAD_SECONDS + (_CODEC_SECONDS_PER_SECOND + work) * seconds


def availability() -> Availability:
    """The WORLD vocoder (``pyworld``) imports here."""
    try:
        pyworld()
    except ImportError as exc:
        return Availability(False, f"pyworld is not installed ({exc}); pip install pyworld")
    return Availability(True)


TASK = TaskSpec(
    name="voice-change",
    summary="Change a voice: WORLD vocoder pitch and formant shifts and presets (deep-male, "
    "bright-female, child, elder, robot, whisper, monster, radio, chipmunk).",
    params_model=VoiceChangeParams,
    run=run,
    cost_rule=CostRule(per_second=0.02, minimum=0.1, basis=CostBasis.INPUT),
    category=TaskCategory.CONVERSION,
    takes_audio=True,
    queue="audio",
    engine="world",
    estimate_seconds=estimate_seconds,
    availability=availability,
    cacheable=always_cacheable,
)
