"""Scores derived from a generation: extended, inpainted, remixed (pure, like ``compose``).

A derived score keeps the original's notes where the original is kept and takes new notes where
it changes, switching at a bar line (``splice``). Notes belong to the side of the bar line their
grid position is on: humanised timing moves a note a few ms either way, so the switch is made
half a sixteenth (at most 50 ms) before the bar line.

- ``extended``: the same spec and seed composed at the longer length with the original's tempo and
  key, so the new sections develop the same material; the original is kept up to its last
  section when that is an ending (outro, coda), else up to its last bar.
- ``inpainted``: the same plan (form, tempo, key, instruments) drawn again with another
  ``material_seed``; the sections overlapping the asked span take the new notes.
- ``remixed``: the original's plan, chords and lead line, with the style, instruments, drums,
  bass and accompaniment of another spec.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from mixdown.engines.music.compose import compose, score_of
from mixdown.engines.music.compose.arrange import SUNG
from mixdown.engines.music.compose.blend import blend
from mixdown.engines.music.compose.cast import cast
from mixdown.engines.music.compose.conditioned import GivenLines, octave_shift
from mixdown.engines.music.compose.context import Context, Event
from mixdown.engines.music.compose.intent import intent
from mixdown.engines.music.compose.melody import line_for, plays_lead, write_section
from mixdown.engines.music.plan import ENDINGS
from mixdown.engines.music.sampling import component_rng
from mixdown.engines.music.score import ChordEvent, ControlPoint, Note, Score, Section
from mixdown.engines.music.spec import MusicSpec


@dataclass(frozen=True)
class Derived:
    """A derived score and the span (seconds) where it differs from the original.

    ``end`` is None when the new material runs to the end of the piece.
    """

    score: Score
    start: float
    end: float | None


# New notes start, and kept notes that ring over the bar line stop, this long after it: every
# renderer event of the new side then falls at or after the bar line's first frame (events snap to
# 64-frame synth blocks: 2.9 ms at 22.05 kHz), so the audio before the bar line is untouched.
SWITCH_DELAY = 0.003


def tolerance(score: Score) -> float:
    """How far before a bar line a note still belongs to the bar (half a sixteenth, <= 50 ms)."""
    return min(0.05, score.beat_seconds / 8)


def _kept(notes: list[Note], cut: float, switch: float) -> list[Note]:
    """Notes before the switch; those that belong to the next bar stop at the switch."""
    out = []
    for note in notes:
        if note.start < cut:
            out.append(note)
        elif note.start < switch:
            out.append(replace(note, duration=min(note.duration, switch - note.start)))
    return out


def _taken(notes: list[Note], cut: float, switch: float) -> list[Note]:
    """Notes of the bar line's bar and after, none starting before the switch."""
    out = []
    for note in notes:
        if note.start >= cut:
            start = max(note.start, switch)
            out.append(replace(note, start=start, duration=max(0.01, note.end - start)))
    return out


def _controls(first: list[ControlPoint], second: list[ControlPoint], switch: float) -> list[ControlPoint]:
    """``first``'s points before the switch, then ``second``'s value in force there and its later points."""
    kept = [c for c in first if c.time < switch]
    carried: dict[int, ControlPoint] = {}
    for point in sorted(second, key=lambda c: c.time):
        if point.time <= switch:
            carried[point.controller] = point
    later = [c for c in second if c.time > switch]
    return kept + [replace(c, time=switch) for c in carried.values()] + later


def _sections(first: Score, second: Score, at: float) -> list[Section]:
    out = [replace(s, end=min(s.end, at)) for s in first.sections if s.start < at - 1e-9]
    bar = round(at / first.bar_seconds)
    for s in second.sections:
        if s.end > at + 1e-9:
            start_bar = max(s.start_bar, bar)
            out.append(
                replace(s, start=max(s.start, at), start_bar=start_bar, bars=s.start_bar + s.bars - start_bar)
            )
    return out


def _chords(first: Score, second: Score, at: float) -> list[ChordEvent]:
    out = [replace(c, end=min(c.end, at)) for c in first.chords if c.start < at - 1e-9]
    return out + [replace(c, start=max(c.start, at)) for c in second.chords if c.end > at + 1e-9]


def splice(first: Score, second: Score, at: float) -> Score:
    """``first`` before the bar line ``at`` (seconds), ``second`` from there; ``second``'s length.

    Rendered, the result has exactly ``first``'s stems up to the bar line when ``at`` is a
    section start of both (render chunks are cut there); see ``SWITCH_DELAY``.

    Parts are matched by name; ``first``'s parts keep their order (and so their synth channels),
    parts only ``second`` has come after them.
    """
    cut, switch = at - tolerance(first), at + SWITCH_DELAY
    by_name = {p.name: p for p in second.parts}
    names = [p.name for p in first.parts] + [
        p.name for p in second.parts if p.name not in {q.name for q in first.parts}
    ]
    template = {p.name: p for p in (*second.parts, *first.parts)}
    parts = []
    for name in names:
        old = next((p for p in first.parts if p.name == name), None)
        new = by_name.get(name)
        notes = _kept(old.notes, cut, switch) if old else []
        notes += _taken(new.notes, cut, switch) if new else []
        controls = _controls(old.controls if old else [], new.controls if new else [], switch)
        parts.append(replace(template[name], notes=notes, controls=controls))
    metadata = {**second.metadata, "spliced_at": round(at, 6)}
    return replace(
        second,
        parts=parts,
        sections=_sections(first, second, at),
        chords=_chords(first, second, at),
        mix=first.mix,
        metadata=metadata,
    )


def keep_until(score: Score) -> float:
    """Where an extension takes over: the start of a final ending section, else of the last bar."""
    sections = score.sections
    if len(sections) > 1 and sections[-1].name in ENDINGS:
        return sections[-1].start
    bars = int(score.metadata.get("bars", round((score.duration - 0.5) / score.bar_seconds)))
    return max(0, bars - 1) * score.bar_seconds


def pinned(spec: MusicSpec, score: Score, **changes: object) -> MusicSpec:
    """``spec`` with the score's tempo, key and meter stated outright (and ``changes``)."""
    explicit = spec.explicit | {"bpm", "key", "mode", "meter"}
    values: dict[str, object] = {
        "bpm": score.bpm,
        "key_tonic": score.key_tonic,
        "mode": score.mode,
        "meter": score.meter,
        "explicit": explicit,
        **changes,
    }
    return replace(spec, **values)  # type: ignore[arg-type]


def extended(spec: MusicSpec, seed: int, original: Score, seconds: float, *, material_seed: int) -> Derived:
    """The original continued for ``seconds`` more: new sections, a new ending."""
    longer = pinned(spec, original, duration=original.duration + seconds)
    at = keep_until(original)
    return Derived(splice(original, compose(longer, seed, material_seed=material_seed), at), at, None)


def affected(score: Score, start: float, end: float) -> tuple[float, float | None]:
    """Bar-aligned span of the sections overlapping ``[start, end)``; None = to the piece's end."""
    hit = [s for s in score.sections if s.start < end and s.end > start] or score.sections[-1:]
    last = score.sections[-1] if score.sections else None
    to_end = last is not None and hit[-1] == last
    return hit[0].start, None if to_end else hit[-1].end


def inpainted(
    spec: MusicSpec, seed: int, original: Score, start: float, end: float, *, material_seed: int
) -> Derived:
    """The sections overlapping ``[start, end)`` recomposed with ``material_seed``."""
    a, b = affected(original, start, end)
    fresh = compose(spec, seed, material_seed=material_seed)
    score = splice(original, fresh, a)
    if b is not None:
        score = splice(score, original, b)
    return Derived(score, a, b)


def lead_lines(ctx: Context) -> dict[int, list[Event]]:
    """The lead events of every section that carries the lead, as ``arrange`` writes them."""
    the_cast = cast(ctx)
    sections = ctx.plan.sections
    lines = {}
    for index, section in enumerate(sections):
        if not plays_lead(section.name, section.energy, index == len(sections) - 1):
            continue
        sung = the_cast.vocal_line and section.name in SUNG
        low, high = (55, 77) if sung else (None, None)
        lines[index] = write_section(ctx, index, line_for(ctx, index, low=low, high=high))
    return lines


def remix_context(original: Context, spec: MusicSpec, *, material_seed: int) -> GivenLines:
    """The original's plan, key, chords and lead, with ``spec``'s styles, instruments and feel."""
    spec = replace(
        spec,
        bpm=original.plan.bpm,
        key_tonic=original.scale.tonic,
        mode=original.scale.mode,
        meter=original.plan.meter,
        duration=original.plan.duration,
        explicit=spec.explicit | {"bpm", "key", "mode", "meter"},
        melody=None,
        melody_strength=None,
    )
    ctx = GivenLines(
        spec=spec,
        seed=material_seed,
        style=blend(spec, component_rng(material_seed, "blend")),
        intent=intent(spec),
        plan=original.plan,
        scale=original.scale,
    )
    ctx.set_spans(list(original.spans))
    for index, events in lead_lines(original).items():
        notes = [(int(e[0]), int(e[1]), e[2]) for e in events]
        shift = octave_shift(notes, line_for(ctx, index))
        ctx.lines[index] = [(e[0], e[1], e[2] + shift, e[3]) for e in events]
    return ctx


def remixed(original: Context, spec: MusicSpec, *, material_seed: int) -> Score:
    """The remix of the piece ``original`` describes, in ``spec``'s style."""
    return score_of(remix_context(original, spec, material_seed=material_seed))
