"""Generations rebuilt from their records, and the operations that derive new ones from them.

A plain record (``composer_engine.generation_record``) holds the spec, the seed the delivered
attempt was composed with and its master gains: composing, rendering and mastering with those
gives the delivered mix again, sample for sample. A derived record names its base by hash and
the operation applied (``build``); rebuilding it rebuilds the base first (recursively) and applies
the operation again, which is deterministic too.

Operations (``apply``):

- ``extend``: ``derive.extended`` rendered and mastered with the base's gains; the render is
  continuous, so the base's samples run unchanged into the new material.
- ``inpaint``: ``derive.inpainted`` rendered and mastered with the base's gains; output = that
  render up to the end of the replaced span, an equal-power crossfade of one beat back into the
  base, then the base's own samples.
- ``remix``: the base's plan, chords and lead (``derive.remixed``) in another spec's style,
  produced and mastered afresh (nothing is kept sample for sample).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mixdown.engines.music.compose.context import Context
from mixdown.engines.music.produce.master import MasterGains
from mixdown.engines.music.score import Score, Stem
from mixdown.engines.music.spec import MusicSpec
from mixdown.engines.music.splice import (
    Segment,
    Take,
    first_difference,
    master_with,
    render_to_files,
    write_spliced,
)
from mixdown.errors import NotFound, ValidationFailed
from mixdown.tasks.base import TaskContext

RECORD_NAMESPACE = "music"
MAX_DEPTH = 12  # derived from derived from ...: deeper chains are refused
MAX_SECONDS = 1200.0  # the longest piece the engine produces
OPERATIONS = ("extend", "inpaint", "remix")


@dataclass
class Piece:
    """A generation as audio files, with what new material needs to match it."""

    score: Score
    mix: Path
    stems: dict[Stem, Path]
    gains: MasterGains
    spec: MusicSpec  # what new material is composed from (with ``seed``)
    seed: int
    kept: dict[str, Any] = field(default_factory=dict)  # where it equals its base, for metadata


@dataclass(frozen=True, kw_only=True)
class Operation:
    """One derivation: what to do to the base and with which material seed."""

    name: str  # "extend" | "inpaint" | "remix"
    material_seed: int
    seconds: float | None = None  # extend
    start: float | None = None  # inpaint
    end: float | None = None  # inpaint
    spec: MusicSpec | None = None  # remix: the new style (pinned to the base's tempo and key)

    def to_dict(self) -> dict[str, Any]:
        """JSON form for the derived record."""
        data: dict[str, Any] = {"operation": self.name, "material_seed": self.material_seed}
        for name in ("seconds", "start", "end"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        if self.spec is not None:
            data["spec"] = self.spec.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Operation:
        """Inverse of ``to_dict``."""
        spec = MusicSpec.from_dict(data["spec"]) if data.get("spec") else None
        return cls(
            name=data["operation"],
            material_seed=int(data["material_seed"]),
            seconds=data.get("seconds"),
            start=data.get("start"),
            end=data.get("end"),
            spec=spec,
        )


def recall(ctx: TaskContext, digest: str, *, field: str = "from_hash") -> dict[str, Any]:
    """The record of a generation of this API key (404 naming ``field`` otherwise)."""
    record = ctx.recall(RECORD_NAMESPACE, digest)
    if record is None:
        raise NotFound(f"No generation with hash {digest!r} for this key.", field=field)
    return record


def derived_hash(base: str, operation: Operation) -> str:
    """The hash of a derived generation: its base's hash plus the operation."""
    blob = json.dumps({"base": base, "build": operation.to_dict()}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def derived_record(base: str, operation: Operation, piece: Piece) -> dict[str, Any]:
    """What ``remember`` keeps of a derived generation."""
    return {
        "spec": piece.spec.to_dict(),
        "seed": piece.seed,
        "build": {**operation.to_dict(), "base": base},
        "gains": [piece.gains.bus_db, piece.gains.limiter_db],
    }


@dataclass(frozen=True)
class Builder:
    """Rebuilds and derives pieces in a scratch folder, for one job."""

    ctx: TaskContext
    folder: Path
    soundfont: str | os.PathLike[str] | None = None

    def rebuild(self, record: dict[str, Any], name: str = "base", depth: int = 0) -> Piece:
        """The generation a record describes, as files (its base rebuilt first when derived)."""
        if depth > MAX_DEPTH:
            raise ValidationFailed(
                "from_hash: the generation is derived too many times over", field="from_hash"
            )
        build = record.get("build")
        if build is None:
            return self._plain(record, self.folder / name)
        base_record = recall(self.ctx, build["base"])
        base = self.rebuild(base_record, f"{name}-base", depth + 1)
        return self.apply(base, Operation.from_dict(build), name, base_record=base_record)

    def _plain(self, record: dict[str, Any], folder: Path) -> Piece:
        from mixdown.engines.music.compose import compose
        from mixdown.engines.music.produce import produce_to_files

        spec = MusicSpec.from_dict(record["spec"])
        seed = int(record.get("composed_seed", record["seed"]))
        score = compose(spec, seed)
        if "gains" not in record:  # recorded before gains were kept: the files path masters alike
            files = produce_to_files(
                score, sample_rate=spec.sample_rate, directory=folder, soundfont=self.soundfont
            )
            return Piece(score, files.mix, dict(files.stems), files.gains, spec, seed)
        gains = MasterGains(*(float(g) for g in record["gains"]))
        rendered = render_to_files(score, spec.sample_rate, folder, self.soundfont)
        master_with(rendered.premaster, folder / "mix.wav", score.mix, spec.sample_rate, gains)
        return Piece(score, folder / "mix.wav", dict(rendered.stems), gains, spec, seed)

    def apply(self, base: Piece, op: Operation, name: str, *, base_record: dict[str, Any]) -> Piece:
        """``op`` applied to ``base``, as files under ``name``."""
        if op.name == "extend":
            return self._extend(base, op, self.folder / name)
        if op.name == "inpaint":
            return self._inpaint(base, op, self.folder / name)
        if op.name == "remix":
            return self._remix(base, op, self.folder / name, base_record)
        raise ValidationFailed(
            f"operation: unknown {op.name!r}; use one of {list(OPERATIONS)}", field="operation"
        )

    def _render(self, score: Score, base: Piece, folder: Path) -> tuple[Path, dict[Stem, Path]]:
        rate = base.spec.sample_rate
        rendered = render_to_files(score, rate, folder, self.soundfont)
        master_with(rendered.premaster, folder / "mix.wav", score.mix, rate, base.gains)
        return folder / "mix.wav", dict(rendered.stems)

    def _extend(self, base: Piece, op: Operation, folder: Path) -> Piece:
        from mixdown.engines.music.compose.derive import extended, pinned

        seconds = float(op.seconds or 0.0)
        if base.score.duration + seconds > MAX_SECONDS:
            raise ValidationFailed(
                f"extend_seconds: {base.score.duration:g} s + {seconds:g} s is longer than {MAX_SECONDS:g} s",
                field="extend_seconds",
            )
        derived = extended(base.spec, base.seed, base.score, seconds, material_seed=op.material_seed)
        mix, stems = self._render(derived.score, base, folder)
        spec = pinned(base.spec, base.score, duration=derived.score.duration)
        kept = {
            "identical_until": first_difference(base.mix, mix) / spec.sample_rate,
            "changed_from": derived.start,
        }
        return Piece(derived.score, mix, stems, base.gains, spec, base.seed, kept)

    def _inpaint(self, base: Piece, op: Operation, folder: Path) -> Piece:
        from mixdown.engines.music.compose.derive import inpainted

        start, end = float(op.start or 0.0), float(op.end or 0.0)
        if start >= base.score.duration:
            raise ValidationFailed(
                f"replace_start: {start:g} s is past the end of the {base.score.duration:g} s piece",
                field="replace_start",
            )
        derived = inpainted(base.spec, base.seed, base.score, start, end, material_seed=op.material_seed)
        mix, stems = self._render(derived.score, base, folder / "render")
        rate = base.spec.sample_rate
        frames = round(base.score.duration * rate)
        back = None if derived.end is None else round(derived.end * rate)
        fade = 0 if back is None else min(round(base.score.beat_seconds * rate), frames - back)
        out_mix = folder / "mix.wav"
        write_spliced(out_mix, _segments(Take(mix), Take(base.mix), back, fade, frames), rate)
        out_stems = {}
        for stem in sorted(set(stems) | set(base.stems), key=list(Stem).index):
            out_stems[stem] = folder / f"stem-{stem.value}.wav"
            new, old = stems.get(stem), base.stems.get(stem)
            segments = _segments(Take(new) if new else None, Take(old) if old else None, back, fade, frames)
            write_spliced(out_stems[stem], segments, rate)
        kept = {
            "identical_until": first_difference(base.mix, out_mix) / rate,
            "changed_from": derived.start,
            "changed_until": derived.end,
            "identical_from": None if back is None else (back + fade) / rate,
        }
        return Piece(derived.score, out_mix, out_stems, base.gains, base.spec, base.seed, kept)

    def _remix(self, base: Piece, op: Operation, folder: Path, base_record: dict[str, Any]) -> Piece:
        from mixdown.engines.music.compose.derive import remixed
        from mixdown.engines.music.produce import produce_to_files

        assert op.spec is not None
        score = remixed(self.context(base_record), op.spec, material_seed=op.material_seed)
        files = produce_to_files(
            score, sample_rate=base.spec.sample_rate, directory=folder, soundfont=self.soundfont
        )
        return Piece(score, files.mix, dict(files.stems), files.gains, op.spec, op.material_seed, {})

    def context(self, record: dict[str, Any], depth: int = 0) -> Context:
        """The composition context of a plain generation or a remix (what a remix rearranges)."""
        from mixdown.engines.music.compose import build_context
        from mixdown.engines.music.compose.derive import remix_context

        build = record.get("build")
        if build is None:
            return build_context(
                MusicSpec.from_dict(record["spec"]), int(record.get("composed_seed", record["seed"]))
            )
        if build["operation"] != "remix" or depth > MAX_DEPTH:
            raise ValidationFailed(
                "from_hash: remix works on a plain generation or a remix, "
                "not on an extended or inpainted one",
                field="from_hash",
            )
        op = Operation.from_dict(build)
        assert op.spec is not None
        return remix_context(
            self.context(recall(self.ctx, build["base"]), depth + 1), op.spec, material_seed=op.material_seed
        )


def _segments(new: Take | None, old: Take | None, back: int | None, fade: int, frames: int) -> list[Segment]:
    """The new render up to ``back``, a crossfade of ``fade`` frames into the old, then the old."""
    if back is None:
        return [Segment(0, frames, new)]
    return [
        Segment(0, back, new),
        Segment(back, back + fade, old, fade_from=new),
        Segment(back + fade, frames, old),
    ]
