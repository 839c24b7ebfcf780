"""The ``cover`` task (``POST /v1/cover``): a song sung by a changed voice, over its own backing.

The song is split into vocals and accompaniment by the separation engine
(:func:`mixdown.engines.separation.separate`, Demucs when installed, else the embedded separator),
the vocals go through the voice changer (WORLD pitch and formant shifts and the ``voice_id``
presets, the ``voice-change`` task's parameters), and the changed vocals are mixed back over the
untouched accompaniment. Every step keeps the input's length, so the timing is the song's; the
cover is levelled to the input's loudness and scaled down rather than clipped.

Results: the cover (``kind="audio"``), the changed vocals (``kind="stem"``, ``stem="vocals"``) and
the accompaniment (``stem="instrumental"``), both at the cover's gain so they sum to it.
"""

from __future__ import annotations

import copy
import time
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import Field, field_validator

from mixdown.audio.codec import decode, encode
from mixdown.audio.formats import get_format
from mixdown.audio.pcm import DecodedAudio, like, to_float32
from mixdown.engines.separation import Separation, separate
from mixdown.engines.voice import PresetName, Quality, VoiceChanged, change
from mixdown.engines.voice.background import remixed, separation_availability
from mixdown.engines.voice.loudness import match_loudness
from mixdown.errors import ValidationFailed
from mixdown.jobs.cost import CostBasis, CostRule
from mixdown.jobs.states import TaskCategory
from mixdown.tasks import voice_change
from mixdown.tasks.base import Availability, TaskContext, TaskInputs, TaskSpec, always_cacheable
from mixdown.tasks.convert import KeepFormatParams, conform_or_fail, write_audio_result
from mixdown.tasks.voice_change import VoiceChangeParams

# Separation holds every stem of the whole song in memory, and the voice changer its own copies:
# ~6 float32 copies of the input, ~600 MB for 10 min of 44.1 kHz stereo.
MAX_INPUT_SECONDS = 600.0
MAX_VOCAL_LEVEL_DB = 12.0
MIN_VOCAL_LEVEL_DB = -24.0
STEMS = ("vocals", "instrumental")
# Separation per second of input (bench/bench_extract.py), added to voice-change's own estimate.
_SEPARATION_SECONDS_PER_SECOND = 1.2

Audio = npt.NDArray[np.float32]


def _voice_field(name: str) -> Any:
    """voice-change's definition of the field ``name`` (range, default, description)."""
    return copy.copy(VoiceChangeParams.model_fields[name])


class CoverParams(KeepFormatParams):
    """Parameters of ``cover``: voice-change's voice settings plus the re-mix balance."""

    voice_id: PresetName | None = _voice_field("voice_id")
    pitch: float = _voice_field("pitch")
    formant: float = _voice_field("formant")
    quality: Quality = _voice_field("quality")
    vocal_level_db: float = Field(
        default=0.0,
        ge=MIN_VOCAL_LEVEL_DB,
        le=MAX_VOCAL_LEVEL_DB,
        allow_inf_nan=False,
        description="Gain of the changed vocals against the accompaniment in the re-mix, in dB "
        "(-24 to 12; 0 keeps the song's balance). The cover is then levelled to the input's loudness",
    )

    @field_validator("voice_id", mode="before")
    @classmethod
    def _canonical_voice(cls, value: object) -> object:
        return VoiceChangeParams._canonical_voice(value)

    @property
    def voice(self) -> VoiceChangeParams:
        """The voice settings as voice-change parameters (its recipe and checks)."""
        return VoiceChangeParams(
            voice_id=self.voice_id, pitch=self.pitch, formant=self.formant, quality=self.quality
        )

    def check_inputs(self, inputs: TaskInputs) -> None:
        """Refuse long inputs, totals out of range, a cover that changes nothing, no separator."""
        super().check_inputs(inputs)
        if inputs.main.duration > MAX_INPUT_SECONDS:
            raise ValidationFailed(
                f"the input lasts {inputs.main.duration:.0f} s; at most {MAX_INPUT_SECONDS:.0f} s",
                field="input_audio",
            )
        self.voice._check_totals()
        found = separation_availability()
        if not found.available:
            raise ValidationFailed(f"no voice separation here: {found.reason}", field="input_audio")


def run(inputs: TaskInputs, params: CoverParams, ctx: TaskContext) -> None:
    """Decode, separate, change the vocals, re-mix, and store the cover and its two stems."""
    started = time.perf_counter()
    ctx.progress(0.02, "decoding")
    source = decode(inputs.main.path)
    audio = to_float32(source.samples)
    split = _separated(audio, source.sample_rate, ctx)
    changed = change(
        split.stems["vocals"],
        source.sample_rate,
        params.voice.recipe,
        quality=params.quality,
        on_progress=lambda done: ctx.progress(0.4 + 0.45 * done, "changing the voice"),
    )
    ctx.progress(0.86, "mixing")
    vocals, backing = _balanced(
        changed.samples, split.stems["instrumental"], audio, source.sample_rate, params
    )
    fmt = params.format_for(inputs.main)
    ctx.progress(0.88, "encoding")
    cover = _like_source(vocals + backing, source)
    write_audio_result(ctx, conform_or_fail(cover, format=fmt), format=fmt, name="cover")
    for stem, samples in zip(STEMS, (vocals, backing), strict=True):
        _write_stem(
            ctx, conform_or_fail(_like_source(samples, source), format=fmt), fmt, stem, split.method[stem]
        )
    ctx.set_metadata(
        **_metadata(params, changed, source, split),
        decoder=source.backend,
        inference_time=round(time.perf_counter() - started, 3),
    )
    ctx.progress(1.0, "done")


def _separated(audio: Audio, rate: int, ctx: TaskContext) -> Separation:
    """The song's vocals and instrumental."""
    ctx.progress(0.05, "separating the vocals")
    return separate(audio, rate, list(STEMS), on_progress=lambda done: ctx.progress(0.05 + 0.35 * done))


def _balanced(
    voice: Audio, backing: Audio, song: Audio, rate: int, params: CoverParams
) -> tuple[Audio, Audio]:
    """The vocals and backing at the gains that make their sum the cover: the asked balance, the
    song's loudness, no sample past the peak ceiling.

    Examples
    --------
    >>> rate = 16000
    >>> tone = (0.2 * np.sin(2 * np.pi * 220 * np.arange(rate) / rate)).astype(np.float32)[:, None]
    >>> v, b = _balanced(tone, tone, 2 * tone, rate, CoverParams(pitch=1))
    >>> round(float(np.abs(v + b).max()), 3), bool(np.allclose(v, b))
    (0.4, True)
    """
    voice = voice * np.float32(10.0 ** (params.vocal_level_db / 20.0))
    summed = voice + backing
    cover = match_loudness(remixed(voice, backing), song, rate)
    peak = float(np.abs(summed).max(initial=0.0))
    gain = np.float32(float(np.abs(cover).max(initial=0.0)) / peak if peak > 0.0 else 0.0)
    return np.asarray(voice * gain, dtype=np.float32), np.asarray(backing * gain, dtype=np.float32)


def _like_source(samples: Audio, source: DecodedAudio) -> DecodedAudio:
    return DecodedAudio(
        samples=like(samples, source.samples),
        sample_rate=source.sample_rate,
        lossless=source.lossless,
        backend=source.backend,
    )


def _write_stem(ctx: TaskContext, audio: DecodedAudio, fmt_name: str, stem: str, method: str) -> None:
    """Encode one stem into ``ctx.work_dir`` and add it as a ``kind="stem"`` result."""
    fmt = get_format(fmt_name)
    path = ctx.work_dir / f"{stem}.{fmt.extension}"
    encode(audio.samples, audio.sample_rate, path, format=fmt.name, bit_depth=audio.bit_depth)
    extra: dict[str, Any] = {} if fmt.lossless else {"bitrate": fmt.default_bitrate}
    ctx.add_result(
        path,
        kind="stem",
        format=fmt.name,
        stem=stem,
        method=method,
        duration=audio.duration,
        sample_rate=audio.sample_rate,
        channels=audio.channels,
        bit_depth=audio.bit_depth,
        **extra,
    )


def _metadata(
    params: CoverParams, changed: VoiceChanged, source: DecodedAudio, split: Separation
) -> dict[str, Any]:
    meta = voice_change._metadata(params.voice, changed, source)
    for only_voice_change in ("remove_background", "output"):
        meta.pop(only_voice_change, None)
    meta["voice_engine"] = meta.pop("engine")
    return {
        **meta,
        "separation": {"engine": split.engine, "model": split.model, "stems": dict(split.method)},
        "vocal_level_db": params.vocal_level_db,
    }


def estimate_seconds(params: Any, inputs: TaskInputs) -> float:
    """Rough compute time: the separation, then voice-change's estimate for the vocals."""
    separation = _SEPARATION_SECONDS_PER_SECOND * inputs.seconds()
    return separation + voice_change.estimate_seconds(params, inputs)


def availability() -> Availability:
    """The WORLD vocoder imports and a voice separation engine can run here."""
    voice = voice_change.availability()
    return voice if not voice.available else separation_availability()


TASK = TaskSpec(
    name="cover",
    summary="Cover a song: separate the vocals, change the voice (voice-change's presets, pitch and "
    "formant), re-mix them over the accompaniment with the song's timing and loudness.",
    params_model=CoverParams,
    run=run,
    # voice-change's rule plus extract's: both run on every second of the input
    cost_rule=CostRule(per_second=0.05, minimum=0.2, basis=CostBasis.INPUT),
    category=TaskCategory.CONVERSION,
    takes_audio=True,
    queue="audio",
    engine="world",
    estimate_seconds=estimate_seconds,
    availability=availability,
    cacheable=always_cacheable,
)
