"""Building on audio: the generate task's continuation, melody, extend, inpaint and remix paths.

``BuildRequest`` carries what the generate request asked beyond plain text to music;
``run_build`` dispatches to a continuation of the input audio (``continuation.py``) or to an
operation on one of the key's own generations by hash (``rebuild.py``), and delivers the results
as the plain path does: the mix (``kind="audio"``), stems and MIDI. ``with_melody`` conditions a
plain generation's spec on an extracted melody. See ``docs/music-conditioning.md``.
"""

from __future__ import annotations

import hashlib
import secrets
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mixdown.audio.export import export
from mixdown.engines.music.composer_engine import (
    RECORD_NAMESPACE,
    ComposerEngine,
    ComposerPlan,
    understand_request,
    understood,
)
from mixdown.engines.music.engine import GenerationRequest
from mixdown.engines.music.rebuild import Builder, Operation, Piece, derived_hash, derived_record, recall
from mixdown.engines.music.score import Score, Stem
from mixdown.errors import InputError
from mixdown.tasks.base import TaskContext

if TYPE_CHECKING:
    from mixdown.engines.music.melody_extract import Melody

DEFAULT_MELODY_STRENGTH = 0.8


@dataclass(frozen=True, kw_only=True)
class BuildRequest:
    """The building parts of a generate request (all optional)."""

    operation: str | None = None  # "extend" | "inpaint" | "remix", with from_hash
    from_hash: str | None = None
    extend_seconds: float | None = None
    replace_start: float | None = None
    replace_end: float | None = None
    input_audio: Path | None = None  # continuation
    continuation_start: float | None = None
    melody_audio: Path | None = None
    melody_strength: float = DEFAULT_MELODY_STRENGTH
    seed: int | None = None
    num_variations: int = 1
    sample_rate_explicit: bool = False
    rebuild: bool = False  # from_hash names a derived generation: deliver it again, exactly

    @property
    def builds(self) -> bool:
        """Whether this is a continuation, an operation or a derived generation rebuilt (a melody
        alone rides the plain path)."""
        return self.operation is not None or self.input_audio is not None or self.rebuild


@dataclass(frozen=True)
class Delivery:
    """The files of one result to deliver."""

    mix: Path
    stems: dict[Stem, Path]
    score: Score  # for the MIDI file


def deliver(
    ctx: TaskContext,
    plan: ComposerPlan,
    delivery: Delivery,
    *,
    name: str,
    meta: dict[str, Any],
    mix_meta: dict[str, Any] | None = None,
    part_meta: dict[str, Any] | None = None,
) -> None:
    """Export and store the mix, then (when asked) the stems and the MIDI file.

    ``meta`` goes on every result, ``mix_meta`` on the mix only, ``part_meta`` on stems and MIDI.
    """
    fmt = plan.output_format
    mix = ctx.work_dir / f"{name}-mix.{fmt}"
    export(delivery.mix, mix, format=fmt)
    ctx.add_result(mix, kind="audio", format=fmt, **_audio_meta(delivery.mix), **meta, **(mix_meta or {}))
    if not plan.stems:
        return
    extra = part_meta or {}
    for stem, path in delivery.stems.items():
        out = ctx.work_dir / f"{name}-{stem.value}.{fmt}"
        export(path, out, format=fmt)
        ctx.add_result(out, kind="stem", format=fmt, stem=stem.value, **_audio_meta(path), **meta, **extra)
    from mixdown.engines.music.midi import score_to_midi

    midi = score_to_midi(delivery.score, ctx.work_dir / f"{name}.mid")
    ctx.add_result(midi, kind="midi", format="mid", **meta, **extra)


def _audio_meta(path: Path) -> dict[str, Any]:
    import soundfile

    info = soundfile.info(str(path))
    return {
        "duration": info.frames / info.samplerate,
        "sample_rate": info.samplerate,
        "channels": info.channels,
    }


def report(path: Path, score: Score, *, target_lufs: float = -14.0) -> dict[str, Any]:
    """The quality report of a built piece (attached to the result; never fails the job)."""
    import soundfile

    from mixdown.engines.music.quality import quality_report

    info = soundfile.info(str(path))
    return quality_report(
        path,
        info.samplerate,
        expected_duration=info.frames / info.samplerate,
        expected_bpm=score.bpm,
        expected_key=(score.key_tonic, score.mode),
        target_lufs=target_lufs,
    )


def with_melody(
    plan: ComposerPlan, melody_audio: Path, strength: float
) -> tuple[ComposerPlan, dict[str, Any]]:
    """``plan`` with its spec conditioned on the melody of ``melody_audio``, and what was heard."""
    from mixdown.engines.music.melody_extract import condition

    melody = heard_melody(melody_audio)
    spec = condition(plan.spec, melody, strength)
    return replace(plan, spec=spec), melody_summary(melody, strength)


def heard_melody(path: Path) -> Melody:
    """The melody extracted from an input file (``InputError`` naming ``melody_audio`` if none)."""
    from mixdown.engines.music.continuation import load_input
    from mixdown.engines.music.melody_extract import extract_melody

    audio, rate = load_input(path)
    try:
        return extract_melody(audio, rate)
    except ValueError as exc:
        raise InputError(f"melody_audio: {exc}", field="melody_audio") from None


def melody_summary(melody: Melody, strength: float) -> dict[str, Any]:
    """What the job's metadata says about the melody input."""
    from mixdown.engines.music.spec import NOTE_NAMES

    return {
        "notes": len(melody.steps),
        "bpm": round(melody.bpm, 2),
        "key": f"{NOTE_NAMES[melody.key_tonic]} {melody.mode}",
        "strength": strength,
    }


def run_build(
    engine: ComposerEngine, request: GenerationRequest, build: BuildRequest, ctx: TaskContext
) -> dict[str, Any]:
    """Run a continuation or an operation; returns the job's metadata (with ``hashes``)."""
    if build.input_audio is not None:
        from mixdown.engines.music.continuation import continue_input

        return continue_input(engine, request, build, ctx)
    return by_hash(engine, request, build, ctx)


def _mixed_seed(seed: int, label: str) -> int:
    digest = hashlib.sha256(f"{label}:{seed}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def operation_for(
    build: BuildRequest, base: Piece, request: GenerationRequest, variation: int, seed: int
) -> Operation:
    """The operation of one variation, with its material seed."""
    name = build.operation or ""
    if name == "extend":
        return Operation(name=name, material_seed=seed + variation, seconds=build.extend_seconds)
    if name == "inpaint":
        start, end = build.replace_start, build.replace_end
        return Operation(
            name=name, material_seed=_mixed_seed(seed + variation, "inpaint"), start=start, end=end
        )
    from mixdown.engines.music.compose.derive import pinned

    heard = understand_request(request, seed + variation)
    spec = pinned(heard, base.score, duration=base.score.duration, sample_rate=base.spec.sample_rate)
    return Operation(name=name, material_seed=seed + variation, spec=spec)


def by_hash(
    engine: ComposerEngine, request: GenerationRequest, build: BuildRequest, ctx: TaskContext
) -> dict[str, Any]:
    """Extend, inpaint or remix one of this key's generations, once per variation."""
    assert build.from_hash is not None
    base_record = recall(ctx, build.from_hash)
    builder = Builder(ctx, Path(tempfile.mkdtemp(prefix="build-", dir=ctx.work_dir)), engine.soundfont)
    ctx.progress(0.05, "rebuilding the original")
    base = builder.rebuild(base_record)
    if build.operation is None:
        return _again(ctx, request, engine, build.from_hash, base_record, base)
    seed = _base_seed(build, base)
    plan = ComposerPlan(base.spec, request.output_format, request.stems, False, engine.soundfont)
    hashes: list[str] = []
    info: dict[str, Any] = {}
    for variation in range(build.num_variations):
        ctx.progress(0.3 + 0.7 * variation / build.num_variations, f"variation {variation + 1}")
        op = operation_for(build, base, request, variation, seed)
        piece = builder.apply(base, op, f"v{variation}", base_record=base_record)
        digest = derived_hash(build.from_hash, op)
        meta = {
            "seed": seed + variation,
            "hash": digest,
            "variation": variation,
            "operation": op.name,
            "base_hash": build.from_hash,
        }
        quality = report(piece.mix, piece.score, target_lufs=piece.score.mix.target_lufs)
        mix_meta = {"quality": quality, **({"kept": piece.kept} if piece.kept else {})}
        deliver(
            ctx,
            plan,
            Delivery(piece.mix, piece.stems, piece.score),
            name=f"v{variation}",
            meta=meta,
            mix_meta=mix_meta,
        )
        ctx.remember(RECORD_NAMESPACE, digest, derived_record(build.from_hash, op, piece))
        hashes.append(digest)
        info = {**understood(piece.spec, piece.score), "operation": op.name, "base_hash": build.from_hash}
        if piece.kept:
            info["kept"] = piece.kept
    ctx.progress(1.0)
    return {"seed": seed, "hashes": hashes, **info}


def _again(
    ctx: TaskContext,
    request: GenerationRequest,
    engine: ComposerEngine,
    digest: str,
    record: dict[str, Any],
    piece: Piece,
) -> dict[str, Any]:
    """A derived generation delivered again, exactly, under its own hash."""
    operation = record["build"]["operation"]
    plan = ComposerPlan(piece.spec, request.output_format, request.stems, False, engine.soundfont)
    meta = {"seed": piece.seed, "hash": digest, "variation": 0, "operation": operation}
    quality = report(piece.mix, piece.score, target_lufs=piece.score.mix.target_lufs)
    deliver(
        ctx,
        plan,
        Delivery(piece.mix, piece.stems, piece.score),
        name="v0",
        meta=meta,
        mix_meta={"quality": quality},
    )
    ctx.progress(1.0)
    return {
        "seed": piece.seed,
        "hashes": [digest],
        **understood(piece.spec, piece.score),
        "operation": operation,
    }


def _base_seed(build: BuildRequest, base: Piece) -> int:
    """Extend and remix reuse the original's seed unless one is given (same material, same song);
    inpaint draws new material from the given seed or a random one."""
    if build.seed is not None:
        return build.seed
    if build.operation == "inpaint":
        return secrets.randbelow(2**31 - build.num_variations)
    return base.seed
