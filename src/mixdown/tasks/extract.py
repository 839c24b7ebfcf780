"""The ``extract`` task (``POST /v1/extract``): named stems of a song, one result per stem.

Engines (``engine``): ``exact`` for the server's own generations (``from_hash``: the stems the
music engine rendered, rendered again; finer names select its parts and drum notes),
``demucs`` (Hybrid Transformer Demucs from ``<models folder>/demucs``), ``embedded`` (DSP:
kernel additive modelling, pitch-tracked vocal comb, multichannel Wiener filtering), and
``auto``: exact with ``from_hash``, else Demucs when installed and able, else embedded. Each
result says which stem it is and how it was made (``meta.method``). See ``docs/extract.md``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator

from mixdown.audio.codec import decode
from mixdown.audio.export import export
from mixdown.audio.formats import get_format
from mixdown.audio.pcm import to_float32
from mixdown.engines.separation import api
from mixdown.engines.separation.names import parse_stems
from mixdown.engines.separation.preprocess import ORDER
from mixdown.errors import InputError, ValidationFailed
from mixdown.jobs.cost import CostBasis, CostRule
from mixdown.jobs.states import TaskCategory
from mixdown.tasks.base import Availability, TaskContext, TaskInputs, TaskSpec
from mixdown.tasks.convert import KeepFormatParams

Engine = Literal["auto", "embedded", "demucs", "exact"]
# Embedded: measured ~0.4 s per second of 44.1 kHz stereo (bench/bench_extract.py, busy 2-core
# machine). Demucs: not measured here (no weights on the bench machine); htdemucs on 2 CPU cores
# is roughly real time, so 1.2 errs high. An exact rebuild of 20 s plus six part stems took 1.9 s.
_SECONDS_PER_SECOND = {"embedded": 0.6, "demucs": 1.2, "auto": 1.2}
_OVERHEAD_SECONDS = 1.0
_EXACT_SECONDS = 20.0  # the generation's length is unknown until its record is read


class ExtractParams(KeepFormatParams):
    """Parameters of ``extract``."""

    stems: list[str] = Field(
        default_factory=lambda: ["vocals", "instrumental"],
        min_length=1,
        max_length=24,
        description="Stem names (MusicGPT's list plus other): vocals, instrumental, drums, bass, "
        "other, piano, keys, guitar, strings, winds, kick_drum, snare_drum, hi_hat ...",
    )
    engine: Engine = Field(
        default="auto",
        description="auto, embedded (DSP), demucs (local weights) or exact (from_hash, own generations)",
    )
    from_hash: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="A generation of this key (its hash): its exact stems, rendered again",
    )
    preprocessing_options: list[str] = Field(
        default_factory=list, description="Clean-up first: any of denoise, deecho, dereverb"
    )
    demucs_model: str | None = Field(
        default=None, max_length=64, description="Demucs model name in the models folder (default htdemucs)"
    )

    @field_validator("stems")
    @classmethod
    def _known_stems(cls, value: list[str]) -> list[str]:
        try:
            return list(parse_stems(value))
        except ValidationFailed as exc:
            raise ValueError(str(exc).removeprefix("stems: ")) from None

    @field_validator("preprocessing_options")
    @classmethod
    def _known_steps(cls, value: list[str]) -> list[str]:
        steps = [str(v).strip().lower() for v in value]
        unknown = [s for s in steps if s not in ORDER]
        if unknown:
            raise ValueError(f"unknown option {unknown[0]!r}; use some of {', '.join(ORDER)}")
        return [s for s in ORDER if s in steps]

    @property
    def exact(self) -> bool:
        """Whether this is an exact extraction of a generation."""
        return self.from_hash is not None

    def check_inputs(self, inputs: TaskInputs) -> None:
        """The audio (or hash) must be there, and the engine must serve the stems (422 otherwise)."""
        has_audio = "audio" in inputs.audio
        if self.engine == "exact" and not self.exact:
            raise ValidationFailed(
                "engine: 'exact' extracts a generation of this key: give from_hash", field="engine"
            )
        if self.exact and self.engine not in ("auto", "exact"):
            raise ValidationFailed(
                "engine: from_hash gives exact stems: use engine 'exact' (or auto)", field="engine"
            )
        if self.exact:
            _check_exact(self, has_audio)
            return
        if not has_audio:
            raise InputError(
                "Give the audio: audio_url, audio_file or input_audio (or from_hash for a generation).",
                field="audio_url",
            )
        if inputs.main.channels > 2:
            raise ValidationFailed(
                f"input_audio: {inputs.main.channels} channels; separation takes mono or stereo "
                "(convert it first)",
                field="input_audio",
            )
        super().check_inputs(inputs)
        api.plan(self.stems, self.engine, demucs_model=self.demucs_model)  # type: ignore[arg-type]


def _check_exact(params: ExtractParams, has_audio: bool) -> None:
    from mixdown.engines.separation.exact import check_names

    if has_audio:
        raise ValidationFailed(
            "from_hash: give the audio or from_hash, not both (a generation's stems come from its record)",
            field="from_hash",
        )
    if params.preprocessing_options:
        raise ValidationFailed(
            "preprocessing_options: exact stems are rendered, not cleaned up; leave it empty",
            field="preprocessing_options",
        )
    check_names(params.stems)


def run(inputs: TaskInputs, params: ExtractParams, ctx: TaskContext) -> None:
    """Separate (or rebuild) the stems, then store one result per stem."""
    started = time.perf_counter()
    folder = ctx.work_dir / "stems"
    extra: dict[str, Any] = {}
    if params.exact:
        files = _exact(params, ctx, folder)
    else:
        files, extra = _separated(inputs, params, ctx, folder)
    fmt = params.output_format or (params.format_for(inputs.main) if "audio" in inputs.audio else "wav")
    ctx.progress(0.86, "encoding")
    for stem, path in files.paths.items():
        _store(ctx, stem, path, fmt, files.method[stem])
    ctx.set_metadata(
        engine=files.engine,
        model=files.model,
        stems={stem: files.method[stem] for stem in files.paths},
        preprocessing=list(params.preprocessing_options),
        inference_time=round(time.perf_counter() - started, 3),
        **files.extra,
        **extra,
    )
    ctx.progress(1.0, "done")


def _exact(params: ExtractParams, ctx: TaskContext, folder: Path) -> api.SeparatedFiles:
    from mixdown.engines.separation.exact import exact_stems
    from mixdown.settings import Settings

    ctx.progress(0.05, "rebuilding the generation")
    soundfont = Settings().soundfont
    assert params.from_hash is not None
    return exact_stems(ctx, params.from_hash, params.stems, folder, soundfont=soundfont)


def _separated(
    inputs: TaskInputs, params: ExtractParams, ctx: TaskContext, folder: Path
) -> tuple[api.SeparatedFiles, dict[str, Any]]:
    from mixdown.engines.separation.preprocess import preprocess

    ctx.progress(0.02, "decoding")
    source = decode(inputs.main.path)
    samples = to_float32(source.samples)
    if params.preprocessing_options:
        ctx.progress(0.05, "preprocessing")
        samples = preprocess(
            samples, source.sample_rate, params.preprocessing_options, lambda d: ctx.progress(0.05 + 0.15 * d)
        )
    chosen = api.plan(params.stems, params.engine, demucs_model=params.demucs_model)  # type: ignore[arg-type]
    ctx.progress(0.2, f"separating ({chosen.engine})")
    files = api.separate_to_files(
        samples, source.sample_rate, chosen, folder, on_progress=lambda d: ctx.progress(0.2 + 0.65 * d)
    )
    return files, {"decoder": source.backend}


def _store(ctx: TaskContext, stem: str, path: Path, fmt: str, method: str) -> None:
    import soundfile as sf

    out = ctx.work_dir / f"{stem}.{get_format(fmt).extension}"
    export(path, out, format=fmt)
    info = sf.info(str(path))
    ctx.add_result(
        out,
        kind="stem",
        format=get_format(fmt).name,
        stem=stem,
        method=method,
        duration=info.frames / info.samplerate,
        sample_rate=info.samplerate,
        channels=info.channels,
    )


def estimate(params: Any, inputs: TaskInputs) -> float:
    """Rough compute time: per second of input for the engine, or a fixed guess for a rebuild."""
    if params.from_hash:
        return _EXACT_SECONDS
    seconds = inputs.seconds()
    return _OVERHEAD_SECONDS + seconds * (
        _SECONDS_PER_SECOND[params.engine] + 0.3 * len(params.preprocessing_options)
    )


def availability() -> Availability:
    """Always available: the embedded separator needs nothing beyond the install."""
    return Availability(True)


def warm_up() -> None:
    """Import the DSP stack and run one tiny separation (loads librosa's and scipy's modules)."""
    import numpy as np

    from mixdown.engines.separation.embedded import separate_block

    noise = np.random.default_rng(0).normal(0, 0.1, (22050, 2)).astype(np.float32)
    separate_block(noise, 22050)


def _cacheable(params: Any) -> bool:
    """Same input and parameters give the same stems; a hash is resolved per key, so never shared."""
    return params.from_hash is None


TASK = TaskSpec(
    name="extract",
    summary="Stem extraction: vocals, instrumental, drums, bass, other and finer stems of a song.",
    params_model=ExtractParams,
    run=run,
    cost_rule=CostRule(per_second=0.03, minimum=0.2, basis=CostBasis.INPUT),
    category=TaskCategory.CONVERSION,
    takes_audio=True,
    audio_required=False,
    queue="audio",
    engine="embedded",
    estimate_seconds=estimate,
    availability=availability,
    warm_up=warm_up,
    cacheable=_cacheable,
)
