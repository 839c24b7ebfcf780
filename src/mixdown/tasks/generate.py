"""``generate``: text (and Muzaic-style params) to finished, mixed, mastered music with stems and MIDI.

The request shape follows the common AI-music API pattern (seed 001). The embedded engine
(``mixdown-composer``) composes, renders, mixes and masters; ``musicgen`` runs a local
MusicGen checkpoint when its weights are installed.

Building on audio (embedded engine only; ``docs/music-conditioning.md``): ``input_audio`` (or
``audio_url`` / ``audio_file``) plus ``continuation_start`` continues a piece; ``melody_audio``
plus ``melody_strength`` conditions the lead on a melody; ``from_hash`` plus ``operation``
(``extend`` with ``extend_seconds``, ``inpaint`` with ``replace_start``/``replace_end``, ``remix``
with a new prompt) builds on one of the key's own generations.

Vocals (embedded engine only; ``docs/music-engine.md``, "Vocals"): ``lyrics`` (with ``instrumental``
false, its default then) are sung by a Festival voice over the composed piece; the sung song is the
mix, the voice a ``vocals`` stem, word timings are in the metadata. Without a ``duration`` the
piece is made long enough for the lyrics.
"""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator, model_validator

from mixdown.engines.music.engine import (
    DEFAULT_MODEL,
    MODEL_ALIASES,
    GenerationRequest,
    engine_for,
    model_availability,
)
from mixdown.errors import ValidationFailed
from mixdown.jobs.cost import CostBasis, CostRule
from mixdown.jobs.states import TaskCategory
from mixdown.tasks._sung import (
    check_lyrics,
    check_no_voice,
    fitted_seconds,
    singable,
    singing_estimate,
    vocal_request,
    with_vocal,
)
from mixdown.tasks.base import TaskContext, TaskInputs, TaskParams, TaskSpec, seeded_cacheable

if TYPE_CHECKING:
    from mixdown.engines.music.building import BuildRequest
    from mixdown.engines.music.sung import VocalRequest

SampleRate = Literal[22050, 32000, 44100, 48000]
OutputFormat = Literal["wav", "mp3", "flac", "ogg", "opus", "m4a", "aiff"]


class GenerateParams(TaskParams):
    """Parameters of ``POST /v1/generate``."""

    prompt: str = Field(default="", max_length=3000, description="Text description of the music.")
    duration: float = Field(
        default=30.0, gt=0, le=1200, description="Seconds; the output is exactly this long."
    )
    sample_rate: SampleRate = 44100
    num_variations: int = Field(
        default=1, ge=1, le=8, description="Outputs to generate (seeds seed, seed+1, ...)."
    )
    guidance_scale: float = Field(
        default=3.0, ge=0, le=20, description="How far the prompt pulls from style defaults."
    )
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1, description="Random seed; random when absent.")
    temperature: float = Field(default=1.0, gt=0, le=5, description="Diversity of the engine's choices.")
    top_k: int = Field(default=0, ge=0, le=1000, description="Keep only the k likeliest options (0 = all).")
    top_p: float = Field(default=1.0, gt=0, le=1, description="Nucleus sampling threshold.")
    output_format: OutputFormat = "wav"
    instrumental: bool = True
    model: str = Field(default=DEFAULT_MODEL, description="mixdown-composer (embedded) or musicgen.")
    params: dict[str, Any] | None = Field(
        default=None, description="Muzaic-style intensity, tempo, rhythm, tone, variance: 1..9 or keyframes."
    )
    tags: list[int] = Field(default_factory=list, description="Tag ids from GET /v1/tags.")
    stems: bool = Field(default=True, description="Also deliver per-instrument stems and a MIDI file.")
    stream: bool = Field(
        default=False,
        description="Stream audio while rendering (set by WebSocket /v1/stream; one variation).",
    )
    from_hash: str | None = Field(default=None, description="Regenerate a previous generation by its hash.")
    variation: Literal["exact", "similar"] = Field(
        default="exact", description="With from_hash: the same piece, or a similar one with a new seed."
    )
    operation: Literal["extend", "inpaint", "remix"] | None = Field(
        default=None,
        description="With from_hash: extend the piece, recompose a span of it (inpaint), or play its "
        "form, harmony and melody in the prompt's style (remix).",
    )
    extend_seconds: float | None = Field(
        default=None, gt=0, le=1200, description="operation=extend: seconds to add."
    )
    replace_start: float | None = Field(
        default=None, ge=0, le=1200, description="operation=inpaint: start of the span to recompose (s)."
    )
    replace_end: float | None = Field(
        default=None, gt=0, le=1200, description="operation=inpaint: end of the span to recompose (s)."
    )
    continuation_start: float | None = Field(
        default=None,
        ge=0,
        le=7200,
        description="With input_audio: seconds into it where the new music takes over (moved to the "
        "nearest downbeat); default: its end. duration is the length of the new part.",
    )
    lyrics: str | None = Field(
        default=None,
        max_length=5000,
        description="Words to sing, one lyric line per line, [Verse]/[Chorus]/[Bridge] tags start "
        "sections; sung when instrumental is false (its default when lyrics are given).",
    )
    gender: Literal["female", "male"] | None = Field(
        default=None,
        description="With lyrics: a female or male singing voice (default: the prompt's, else female).",
    )
    voice_id: str | None = Field(
        default=None,
        max_length=100,
        description="With lyrics: a singing voice id (GET /v1/voices, Festival).",
    )
    vocal_level_db: float | None = Field(
        default=None,
        ge=-12,
        le=12,
        allow_inf_nan=False,
        description="With lyrics: vocal loudness above the backing's before mastering, dB (default 5; "
        "the prompt's loud 7, quiet 2).",
    )
    melody_strength: float = Field(
        default=0.8,
        ge=0,
        le=1,
        description="With melody_audio: 1 plays the melody note for note; lower values let the engine "
        "develop it (each note changes with probability 1 - strength).",
    )

    @field_validator("model")
    @classmethod
    def _known_model(cls, value: str) -> str:
        name = MODEL_ALIASES.get(value.lower())
        if name is None:
            raise ValueError(f"unknown model {value!r}; use one of {sorted(set(MODEL_ALIASES.values()))}")
        return name

    @field_validator("lyrics")
    @classmethod
    def _singable(cls, value: str | None) -> str | None:
        return singable(value)

    @field_validator("params")
    @classmethod
    def _muzaic_params(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        from mixdown.engines.music.params import parse_params

        parse_params(value)  # the same rules understanding applies; ValueError names the param
        return value

    @field_validator("tags")
    @classmethod
    def _known_tags(cls, value: list[int]) -> list[int]:
        from mixdown.engines.music.tags import validate_tags

        return list(validate_tags(value))

    def check_inputs(self, inputs: TaskInputs) -> None:
        """At submit: the model must be able to run here (503 with the reason otherwise), and the
        audio inputs must fit the request (422 naming the field)."""
        engine = engine_for(self.model)
        given = [name for name, present in _building_fields(self, inputs) if present]
        # MusicGen follows a melody itself (a MusicGen-Melody checkpoint); nothing else builds on audio.
        building = [name for name in given if not (name == "melody_audio" and self.model == "musicgen")]
        if building and self.model != DEFAULT_MODEL:
            raise ValidationFailed(
                f"{building[0]}: only the {DEFAULT_MODEL} model builds on audio", field=building[0]
            )
        if "melody_audio" in given and self.model == "musicgen":
            _check_melody_checkpoint(engine)
        if "input_audio" in given and self.from_hash:
            raise ValidationFailed(
                "input_audio: continue an input or build on from_hash, not both", field="input_audio"
            )
        if "melody_audio" in given and self.from_hash:
            raise ValidationFailed(
                "melody_audio: a melody conditions a new generation, not from_hash", field="melody_audio"
            )
        if self.stream and ("input_audio" in given or self.operation):
            raise ValidationFailed(
                "stream: continuations and operations on a hash are not streamed", field="stream"
            )
        if self.continuation_start is not None:
            _check_continuation(self.continuation_start, inputs)
        if self.lyrics is not None:
            check_lyrics(self, given)
        else:
            check_no_voice(self)

    @property
    def sung(self) -> bool:
        """Whether lyrics are given: they are sung (``instrumental: true`` with lyrics is refused)."""
        return self.lyrics is not None

    def seconds(self) -> float:
        """The length asked for: ``duration``, or with lyrics and no duration, one that fits them."""
        if not self.sung or "duration" in self.model_fields_set:
            return self.duration
        return fitted_seconds(self)

    def vocal(self) -> VocalRequest:
        """What to sing (the lyrics, the voice, the prompt's singing words)."""
        return vocal_request(self)

    @model_validator(mode="after")
    def _something_to_generate(self) -> GenerateParams:
        if not (self.prompt.strip() or self.tags or self.params or self.from_hash):
            raise ValueError("give a prompt, tags, params or from_hash")
        if self.stream and self.num_variations != 1:
            raise ValueError("a streamed generation has exactly one variation")
        return self

    @model_validator(mode="after")
    def _operation_fields(self) -> GenerateParams:
        op = self.operation
        if op is not None and not self.from_hash:
            raise ValueError(f"operation {op!r} needs from_hash (the generation to build on)")
        if (self.extend_seconds is not None) != (op == "extend"):
            raise ValueError("extend_seconds goes with operation='extend' (and is required there)")
        spans = (self.replace_start, self.replace_end)
        if (None not in spans) != (op == "inpaint") or (op != "inpaint" and spans != (None, None)):
            raise ValueError(
                "replace_start and replace_end go with operation='inpaint' (both required there)"
            )
        if op == "inpaint" and self.replace_end <= self.replace_start:  # type: ignore[operator]
            raise ValueError("replace_end must be greater than replace_start")
        if op == "remix" and not (self.prompt.strip() or self.tags or self.params):
            raise ValueError("operation='remix' needs a prompt, tags or params (the new style)")
        return self


def _building_fields(params: GenerateParams, inputs: TaskInputs) -> list[tuple[str, bool]]:
    return [
        ("input_audio", "audio" in inputs.audio),
        ("melody_audio", "melody" in inputs.audio),
        ("operation", params.operation is not None),
        ("continuation_start", params.continuation_start is not None),
    ]


def _check_melody_checkpoint(engine: object) -> None:
    """A melody needs a MusicGen-Melody checkpoint in the models folder (422 naming the field)."""
    from mixdown.engines.music.musicgen_adapter import MusicGenAdapter

    assert isinstance(engine, MusicGenAdapter)
    if not engine.engine.info().details["melody"]:
        raise ValidationFailed(
            "melody_audio: no MusicGen-Melody checkpoint is installed (add a musicgen-melody folder "
            "to the models folder, see docs/musicgen.md), or use the mixdown-composer model",
            field="melody_audio",
        )


def _check_continuation(start: float, inputs: TaskInputs) -> None:
    if "audio" not in inputs.audio:
        raise ValidationFailed(
            "continuation_start: needs input_audio (or audio_url / audio_file), the piece to continue",
            field="continuation_start",
        )
    length = inputs.audio["audio"].duration
    if start > length:
        raise ValidationFailed(
            f"continuation_start: {start:g} s is past the end of the {length:.3f} s input",
            field="continuation_start",
        )


def _request(params: GenerateParams) -> GenerationRequest:
    return GenerationRequest(
        prompt=params.prompt,
        duration=params.seconds(),
        sample_rate=params.sample_rate,
        guidance_scale=params.guidance_scale,
        temperature=params.temperature,
        top_k=params.top_k,
        top_p=params.top_p,
        instrumental=params.instrumental and not params.sung,
        params=params.params,
        tags=tuple(params.tags),
        output_format=params.output_format,
        stems=params.stems,
        stream=params.stream,
        duration_explicit="duration" in params.model_fields_set,
    )


def _names_derived(params: GenerateParams, ctx: TaskContext) -> bool:
    """Whether a plain ``from_hash`` names an extended, inpainted, remixed (derived) generation."""
    if (
        not params.from_hash
        or params.operation
        or params.variation != "exact"
        or params.model != DEFAULT_MODEL
    ):
        return False
    from mixdown.engines.music.rebuild import RECORD_NAMESPACE

    record = ctx.recall(RECORD_NAMESPACE, params.from_hash)
    return record is not None and "build" in record


def _build_request(params: GenerateParams, inputs: TaskInputs, ctx: TaskContext) -> BuildRequest:
    from mixdown.engines.music.building import BuildRequest

    audio, melody = inputs.audio.get("audio"), inputs.audio.get("melody")
    return BuildRequest(
        operation=params.operation,
        from_hash=params.from_hash,
        extend_seconds=params.extend_seconds,
        replace_start=params.replace_start,
        replace_end=params.replace_end,
        input_audio=audio.path if audio else None,
        continuation_start=params.continuation_start,
        melody_audio=melody.path if melody else None,
        melody_strength=params.melody_strength,
        seed=params.seed,
        num_variations=params.num_variations,
        sample_rate_explicit="sample_rate" in params.model_fields_set,
        rebuild=_names_derived(params, ctx),
    )


def _run_build(inputs: TaskInputs, params: GenerateParams, ctx: TaskContext, started: float) -> bool:
    """Run a continuation or an operation on a hash; False when the request is neither."""
    build = _build_request(params, inputs, ctx)
    if not build.builds:
        return False
    from mixdown.engines.music.building import run_build
    from mixdown.engines.music.composer_engine import ComposerEngine

    engine = engine_for(params.model)
    assert isinstance(engine, ComposerEngine)
    result = run_build(engine, _request(params), build, ctx)
    elapsed = round(time.monotonic() - started, 3)
    ctx.set_metadata(model=engine.name, prompt=params.prompt, inference_time=elapsed, **result)
    return True


def run(inputs: TaskInputs, params: GenerateParams, ctx: TaskContext) -> None:
    """Generate ``num_variations`` pieces; each result lists its seed and hash."""
    started = time.monotonic()
    if _run_build(inputs, params, ctx, started):
        return
    engine = engine_for(params.model)
    base_seed = params.seed if params.seed is not None else secrets.randbelow(2**31 - params.num_variations)
    plan, base_seed = engine.resolve(_request(params), ctx, params.from_hash, params.variation, base_seed)
    extra: dict[str, Any] = {}
    if params.sung:
        plan = with_vocal(engine, plan, params)
    if "melody" in inputs.audio:
        plan, extra["melody"] = engine.with_melody(plan, inputs.audio["melody"].path, params.melody_strength)
    understood: dict[str, Any] = {}
    hashes: list[str] = []
    vocals: list[dict[str, Any]] = []
    for index in range(params.num_variations):

        def report(fraction: float, i: int = index) -> None:
            ctx.progress((i + fraction) / params.num_variations, f"variation {i + 1}/{params.num_variations}")

        understood = engine.generate(plan, seed=base_seed + index, variation=index, ctx=ctx, progress=report)
        hashes.append(understood.pop("hash"))
        if "vocal" in understood:
            vocals.append(understood.pop("vocal"))
    ctx.set_metadata(
        model=engine.name,
        prompt=params.prompt,
        seed=base_seed,
        hashes=hashes,
        inference_time=round(time.monotonic() - started, 3),
        **understood,
        **extra,
        **(vocals[0] if vocals else {}),  # the first variation's; each mix lists its own word_timings
    )


def warm_up() -> None:
    """Load the prompt embedder, embed the styles and load the soundfont once per worker."""
    from mixdown.engines.music.composer_engine import warm_up as warm_composer

    warm_composer()


def _new_seconds(params: GenerateParams) -> float:
    """Seconds of new music per variation (what is priced): extension, replaced span or duration."""
    if params.operation == "extend" and params.extend_seconds is not None:
        return params.extend_seconds
    if params.operation == "inpaint" and params.replace_start is not None and params.replace_end is not None:
        return params.replace_end - params.replace_start
    return params.seconds()


def _output_seconds(params: GenerateParams, _inputs: TaskInputs) -> float:
    return _new_seconds(params) * params.num_variations


def _estimate(params: GenerateParams, inputs: TaskInputs) -> float:
    rebuild = 30.0 if params.operation else 0.0  # the original is re-rendered first
    singing = singing_estimate(_new_seconds(params) * params.num_variations) if params.sung else 0.0
    return (
        1.0
        + (_new_seconds(params) * params.num_variations + rebuild) / 20.0
        + inputs.seconds() / 60.0
        + singing
    )


TASK = TaskSpec(
    name="generate",
    summary="Text to music: composed, arranged, rendered, mixed and mastered, with stems and MIDI.",
    params_model=GenerateParams,
    run=run,
    cost_rule=CostRule(per_second=0.05, minimum=0.5, basis=CostBasis.OUTPUT),
    cost_seconds=_output_seconds,
    category=TaskCategory.GENERATION,
    takes_audio=True,
    audio_inputs=("audio", "melody"),
    audio_required=False,
    queue="music",
    engine=DEFAULT_MODEL,
    estimate_seconds=_estimate,
    availability=model_availability,
    warm_up=warm_up,
    cacheable=seeded_cacheable,
)
