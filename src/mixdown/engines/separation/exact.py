"""Exact stems of the server's own generations: rendered again from their records, not estimated.

A generation's record (``composer_engine.generation_record``; derived ones via ``rebuild``)
rebuilds its score and its stems sample for sample. Stem groups the engine delivers (drums,
bass, vocals and their sums) are those files. Finer names select parts by General MIDI program
(piano, guitar, strings...) or drum notes by GM key (kick, snare, hi-hat...) and render just
that selection through the same per-part chains, stem buses and sidechain (ducked by the whole
piece's kick), so parts that partition the piece add up to its premaster. Split drums are the
exception: the kit's compressor then hears each drum alone, so kick + snare + ... differs a
little from the drums stem (measured in ``docs/extract.md``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import soundfile as sf

from mixdown.engines.music.score import Note, Part, Score, Stem
from mixdown.engines.separation.api import SeparatedFiles
from mixdown.engines.separation.names import INSTRUMENTAL, OTHER, parse_stems, refuse
from mixdown.errors import ValidationFailed
from mixdown.tasks.base import TaskContext

Atom = tuple[str, str]  # (part name, drum class or "" for a whole pitched part)
PartTest = Callable[[Part, bool], bool]  # (part, the piece has a vocal line) -> selected

DRUM_CLASSES = {
    "kick_drum": frozenset({35, 36}),
    "snare_drum": frozenset({37, 38, 40}),
    "toms": frozenset({41, 43, 45, 47, 48, 50}),
    "hi_hat": frozenset({42, 44, 46}),
    "ride": frozenset({51, 53, 59}),
    "crash": frozenset({49, 52, 55, 57}),
}
PERCUSSION = "percussion"  # drum notes in none of the classes (claps, shakers, cowbell...)


def _programs(*spans: tuple[int, int]) -> PartTest:
    wanted = {p for low, high in spans for p in range(low, high + 1)}
    return lambda part, _line: not part.is_drum and part.program in wanted


def _group(stem: Stem) -> PartTest:
    return lambda part, _line: part.stem is stem


def _guitar_role(roles: set[Stem]) -> PartTest:
    return lambda part, line: _programs((24, 31))(part, line) and part.stem in roles


PART_STEMS: dict[str, PartTest] = {
    "drums": _group(Stem.DRUMS),
    "bass": _group(Stem.BASS),
    "vocals": _group(Stem.VOCALS),
    "lead_vocal": lambda part, line: part.stem is Stem.VOCALS and line,
    "back_vocal": lambda part, line: part.stem is Stem.VOCALS and not line,
    "piano": _programs((0, 7)),
    "keys": _programs((0, 20)),
    "guitar": _programs((24, 31)),
    "acoustic_guitar": _programs((24, 25)),
    "electric_guitar": _programs((26, 31)),
    "rhythm_guitar": _guitar_role({Stem.CHORDS, Stem.PADS}),
    "solo_guitar": _guitar_role({Stem.MELODY}),
    "strings": _programs((40, 46), (48, 51), (110, 110)),
    "winds": _programs((56, 79), (109, 109), (111, 111)),
}
SERVED = (INSTRUMENTAL, OTHER, *PART_STEMS, *DRUM_CLASSES)
METHODS = {
    "drums": "exact: the generation's drums stem, rendered again from its record",
    "bass": "exact: the generation's bass stem, rendered again from its record",
    "vocals": "exact: the generation's vocals stem (GM voice parts), rendered again from its record",
    "lead_vocal": "exact: the generation's vocal line (its vocals stem), rendered again from its record",
    "back_vocal": "exact: the generation's vocal texture (its vocals stem), rendered again from its record",
}


@dataclass(frozen=True)
class Selection:
    """What one requested stem takes: atoms, and whether whole delivered stem groups make it."""

    atoms: frozenset[Atom]
    groups: frozenset[Stem] | None  # the delivered groups it equals, or None (render the atoms)


def atoms_of(score: Score) -> dict[Atom, Part]:
    """Every atom of a score: each pitched part whole, each drum part per drum class present."""
    out: dict[Atom, Part] = {}
    for part in score.parts:
        if not part.notes:
            continue
        if not part.is_drum:
            out[(part.name, "")] = part
            continue
        for note in part.notes:
            out[(part.name, drum_class(note))] = part
    return out


def drum_class(note: Note) -> str:
    """The MusicGPT drum stem a GM drum key belongs to (``percussion`` for the rest)."""
    return next((name for name, keys in DRUM_CLASSES.items() if note.pitch in keys), PERCUSSION)


def select(stems: Sequence[str], score: Score, vocal_line: bool) -> dict[str, Selection]:
    """Each requested stem's atoms; see :mod:`.names` for ``instrumental`` and ``other``."""
    atoms = atoms_of(score)
    chosen: dict[str, frozenset[Atom]] = {}
    for stem in stems:
        if stem in DRUM_CLASSES:
            chosen[stem] = frozenset(a for a in atoms if a[1] == stem)
        elif stem == INSTRUMENTAL:
            chosen[stem] = frozenset(a for a, p in atoms.items() if p.stem is not Stem.VOCALS)
        elif stem != OTHER:
            test = PART_STEMS[stem]
            chosen[stem] = frozenset(a for a, p in atoms.items() if test(p, vocal_line))
    if OTHER in stems:
        taken = frozenset().union(*(v for k, v in chosen.items() if k != INSTRUMENTAL))
        chosen[OTHER] = frozenset(a for a in atoms if a not in taken)
    return {stem: Selection(chosen[stem], _whole_groups(chosen[stem], atoms)) for stem in stems}


def _whole_groups(selected: frozenset[Atom], atoms: dict[Atom, Part]) -> frozenset[Stem] | None:
    """The stem groups ``selected`` is exactly made of, or None when it splits one."""
    groups = frozenset(atoms[a].stem for a in selected)
    whole = frozenset(a for a, p in atoms.items() if p.stem in groups)
    return groups if whole == selected else None


def exact_stems(
    ctx: TaskContext,
    digest: str,
    stems: Sequence[str],
    folder: Path,
    *,
    soundfont: str | os.PathLike[str] | None = None,
) -> SeparatedFiles:
    """The requested stems of generation ``digest`` (this key's), as float WAV files in ``folder``."""
    from mixdown.engines.music.rebuild import Builder, recall

    wanted = parse_stems(stems)
    check_names(wanted)
    record = recall(ctx, digest)
    piece = Builder(ctx, folder / "rebuild", soundfont).rebuild(record)
    selections = select(wanted, piece.score, vocal_line=not piece.spec.instrumental)
    spliced = (record.get("build") or {}).get("operation") == "inpaint"
    rate = piece.spec.sample_rate
    frames = sf.info(str(piece.mix)).frames
    paths: dict[str, Path] = {}
    method: dict[str, str] = {}
    for stem, chosen in selections.items():
        paths[stem] = folder / f"{stem}.wav"
        method[stem] = describe(stem, chosen, piece.score)
        if chosen.groups is not None:
            _sum_files([piece.stems[g] for g in chosen.groups if g in piece.stems], paths[stem], rate, frames)
            continue
        if spliced:
            raise ValidationFailed(
                f"stems: {stem} splits the stem groups of an inpainted generation, whose groups are "
                "spliced from two renders; ask for drums, bass, vocals, instrumental or other",
                field="stems",
            )
        render_selection(piece.score, chosen.atoms, rate, paths[stem], soundfont)
    return SeparatedFiles(paths, method, "exact", None, {"hash": digest})


def check_names(stems: Sequence[str]) -> None:
    """422 naming ``stems`` for names the exact engine cannot serve (singer gender)."""
    refuse(stems, "exact", SERVED, "the engine's vocal parts are GM voice programs with no singer gender")


def describe(stem: str, chosen: Selection, score: Score) -> str:
    """How a stem was made, for its result's ``method``."""
    label = stem.replace("_", " ")
    if not chosen.atoms:
        return f"exact: the generation has no {label} part; silent"
    if chosen.groups is not None and stem in METHODS:
        return METHODS[stem]
    parts = sorted({a[0] for a in chosen.atoms}, key=[p.name for p in score.parts].index)
    what = ", ".join(dict.fromkeys(score.part(p).instrument or p for p in parts))
    if chosen.groups is not None:
        groups = ", ".join(g.value for g in Stem if g in chosen.groups)
        return f"exact: the generation's {what} (its {groups} stems), rendered again from its record"
    if stem in DRUM_CLASSES:
        return f"exact: the generation's {label} notes ({what}) rendered alone through the kit's chain"
    return f"exact: the generation's {what} rendered alone through their own chains and stem buses"


def _sum_files(sources: list[Path], out: Path, rate: int, frames: int) -> None:
    """``out`` = the sum of the float WAV ``sources`` (silence when there are none)."""
    from mixdown.engines.music.splice import BLOCK, writer

    readers = [sf.SoundFile(str(p)) for p in sources]
    try:
        with writer(out, rate) as dest:
            for start in range(0, frames, BLOCK):
                block = np.zeros((min(BLOCK, frames - start), 2), dtype=np.float32)
                for reader in readers:
                    block += reader.read(len(block), dtype="float32", always_2d=True, fill_value=0.0)
                dest.write(block)
    finally:
        for reader in readers:
            reader.close()


def sub_score(score: Score, atoms: frozenset[Atom]) -> Score:
    """``score`` with only the selected parts and drum notes (same form, tempo, length and mix)."""
    parts: list[Part] = []
    for part in score.parts:
        if part.is_drum:
            notes = [n for n in part.notes if (part.name, drum_class(n)) in atoms]
        else:
            notes = list(part.notes) if (part.name, "") in atoms else []
        if notes:
            parts.append(replace(part, notes=notes))
    return replace(score, parts=parts)


def render_selection(
    score: Score, atoms: frozenset[Atom], rate: int, out: Path, soundfont: str | os.PathLike[str] | None
) -> None:
    """Render the ``atoms`` of ``score`` as ``render_chunks`` would render them inside the piece.

    Chains and stem buses are per part and per stem, so a subset of parts renders to exactly its
    share of the piece; only the sidechain needs the whole piece's kicks, which the sub-score's
    mixer is given.
    """
    from mixdown.engines.music.produce.chunks import check_rate, sum_stems
    from mixdown.engines.music.produce.mix import Mixer
    from mixdown.engines.music.produce.render import (
        PartRenderer,
        chunk_spans,
        kick_frames,
        rendered_parts,
        total_frames,
    )
    from mixdown.engines.music.produce.soundfont import POOL, find_soundfont
    from mixdown.engines.music.splice import writer

    check_rate(rate)
    sub = sub_score(score, atoms)
    with writer(out, rate) as dest:
        if not sub.parts:
            dest.write(np.zeros((total_frames(score, rate), 2), dtype=np.float32))
            return
        with POOL.acquire(find_soundfont(soundfont), rate, len(rendered_parts(sub))) as synth:
            renderer, mixer = PartRenderer(sub, rate, synth), Mixer(sub, rate)
            mixer.kicks = kick_frames(score, rate)  # ducking follows the whole piece's kick
            for span in chunk_spans(sub, rate):
                frames = span.end - span.start
                dest.write(sum_stems(mixer.process(span.start, renderer.render(frames)), frames))
