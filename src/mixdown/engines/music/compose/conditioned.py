"""Conditioned lead lines: a given melody (melody conditioning) or a given line per section (remix).

Melody conditioning: ``MusicSpec.melody`` holds a melody as ``(step, length, pitch)`` on the
sixteenth grid from its first note, pitches already in the spec's key. It starts again at the
first bar of every section that carries the lead and repeats through the section, moved into
the lead's register by whole octaves (and by the section's key shift). At ``melody_strength`` 1
it is played note for note; below that each note is developed with probability
``1 - strength`` (moved to a neighbouring scale tone, to another chord tone, delayed by a
sixteenth, or approached by an appoggiatura), every choice drawn through ``sampling.choose`` from
a generator shared by sections with the same material, so a chorus comes back the same.

The chord track is fitted to the melody before any part is written: a chord whose tones miss
most of the melody's strong-beat weight is replaced by the diatonic triad that covers it best,
then revoiced with minimal movement. The final cadence is kept.

A remix keeps the original's lead note for note: ``GivenLines`` is a ``Context`` that carries
the lead events of each section, which ``melody.write_section`` returns instead of writing new
ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from mixdown.engines.music.compose.context import ChordSpan, Context, Event, metric_strength
from mixdown.engines.music.compose.melody import plays_lead, velocity
from mixdown.engines.music.compose.motif import Line
from mixdown.engines.music.sampling import chance, choose
from mixdown.engines.music.theory import Chord, Scale, nearest, parse_numeral, voice

DEFAULT_STRENGTH = 0.8
DEVELOPMENTS = ("neighbour", "chord_tone", "displace", "appoggiatura")
_DEVELOPMENT_WEIGHTS = (3.0, 2.0, 1.5, 1.5)
_ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii")
KEEP_SHARE = 0.75  # a chord covering this share of the melody's strong-beat weight stays


Note3 = tuple[int, int, int]  # absolute step, length in steps, MIDI pitch


@dataclass
class GivenLines(Context):
    """A context whose lead line is given per section (a remix keeps the original's melody)."""

    lines: dict[int, list[Event]] = field(default_factory=dict)


def melody_period(ctx: Context) -> int:
    """Steps after which the melody starts again: its length rounded up to whole bars."""
    melody = ctx.spec.melody or ()
    end = max((step + length for step, length, _ in melody), default=1)
    return max(1, -(-end // ctx.spb)) * ctx.spb


def placed(ctx: Context, index: int) -> list[Note3]:
    """The melody laid over section ``index`` from its first bar, repeated to its end."""
    melody = sorted(ctx.spec.melody or ())
    section = ctx.section(index)
    start, end = section.start_bar * ctx.spb, section.end_bar * ctx.spb
    out: list[Note3] = []
    for offset in range(start, end, melody_period(ctx)):
        for step, length, pitch in melody:
            at = offset + step
            if at >= end:
                break
            out.append((at, min(length, end - at), pitch + section.transpose))
    return out


def lead_notes(ctx: Context) -> list[Note3]:
    """The melody as placed over every section that carries the lead."""
    sections = ctx.plan.sections
    last = len(sections) - 1
    return [
        note
        for index, section in enumerate(sections)
        if plays_lead(section.name, section.energy, index == last)
        for note in placed(ctx, index)
    ]


def octave_shift(notes: list[Note3], line: Line) -> int:
    """Whole octaves that bring the notes' middle nearest the middle of the line's range."""
    if not notes:
        return 0
    middle = float(np.median([pitch for _, _, pitch in notes]))
    return 12 * round((line.center - middle) / 12)


def conditioned_section(ctx: Context, index: int, line: Line) -> list[Event]:
    """Lead events of section ``index`` from the spec's melody, developed as its strength allows."""
    notes = placed(ctx, index)
    shift = octave_shift(notes, line)
    notes = [(at, length, pitch + shift) for at, length, pitch in notes]
    strength = DEFAULT_STRENGTH if ctx.spec.melody_strength is None else ctx.spec.melody_strength
    section = ctx.section(index)
    scale = Scale.of(ctx.scale.tonic + section.transpose, ctx.scale.mode)
    developed = develop(ctx, ctx.material_rng("melody-conditioned", section), notes, strength, scale)
    return [
        (float(at), float(length), pitch, velocity(ctx, at // ctx.spb, at % ctx.spb))
        for at, length, pitch in developed
    ]


def develop(
    ctx: Context, rng: np.random.Generator, notes: list[Note3], strength: float, scale: Scale
) -> list[Note3]:
    """Each note kept, or (with probability ``1 - strength``) developed one way."""
    out: list[Note3] = []
    for note in notes:
        if not chance(rng, 1.0 - strength, ctx.sampling):
            out.append(note)
            continue
        how = choose(rng, DEVELOPMENTS, _DEVELOPMENT_WEIGHTS, ctx.sampling)
        out.extend(_developed(ctx, rng, note, how, scale))
    return out


def _developed(ctx: Context, rng: np.random.Generator, note: Note3, how: str, scale: Scale) -> list[Note3]:
    at, length, pitch = note
    if how == "displace" and length >= 2:
        return [(at + 1, length - 1, pitch)]
    if how == "appoggiatura" and length >= 2:
        half = length // 2
        return [(at, half, _neighbour(rng, pitch, scale, ctx)), (at + half, length - half, pitch)]
    if how == "chord_tone":
        others = tuple(pc for pc in ctx.span_at(at).chord.pcs if pc != pitch % 12)
        if others:
            return [(at, length, nearest(pitch, others))]
    moved = _neighbour(rng, pitch, scale, ctx)
    if ctx.beat_strength(at) >= 0.6:  # a strong beat keeps a chord tone
        others = tuple(pc for pc in ctx.span_at(at).chord.pcs if pc != pitch % 12)
        moved = nearest(moved, others) if others else moved
    return [(at, length, moved)]


def _neighbour(rng: np.random.Generator, pitch: int, scale: Scale, ctx: Context) -> int:
    index = scale.index(pitch)
    step = choose(rng, (1, -1), (1.0, 1.0), ctx.sampling)
    moved = scale.pitch(index + step)
    return moved if moved != pitch else scale.pitch(index + 2 * step)


def strong_weights(ctx: Context, notes: list[Note3]) -> dict[int, dict[int, float]]:
    """Per chord span (by start step), the weight of each pitch class sounding on strong beats."""
    weights: dict[int, dict[int, float]] = {}
    for at, length, pitch in notes:
        for step in range(at, at + length):
            strength = metric_strength(step % ctx.spb, ctx.spb, ctx.plan.meter)
            if strength < 0.6:
                continue
            span = ctx.span_at(step)
            bonus = 1.5 if step == at else 1.0  # struck there, not only held over it
            per_class = weights.setdefault(span.start, {})
            per_class[pitch % 12] = per_class.get(pitch % 12, 0.0) + strength * bonus
    return weights


def fit_harmony(ctx: Context) -> list[ChordSpan]:
    """The chord track with chords that miss the melody's strong beats replaced and revoiced."""
    weights = strong_weights(ctx, lead_notes(ctx))
    low = 52 + ctx.intent.register // 2
    out: list[ChordSpan] = []
    prev: tuple[int, ...] | None = None
    for span in ctx.spans:
        chord = span.chord if span.cadence == "final" else _best_chord(span, weights.get(span.start))
        if chord is not span.chord:
            voicing = voice(chord, prev, low=low, high=low + 24, voices=len(span.voicing))
            span = replace(span, chord=chord, voicing=voicing)
        out.append(span)
        prev = span.voicing
    return out


def _covered(chord: Chord, weights: dict[int, float]) -> float:
    return sum(w for pc, w in weights.items() if pc in chord.pcs)


def _best_chord(span: ChordSpan, weights: dict[int, float] | None) -> Chord:
    if not weights:
        return span.chord
    total = sum(weights.values())
    if _covered(span.chord, weights) >= KEEP_SHARE * total:
        return span.chord
    best, best_score = span.chord, _covered(span.chord, weights)
    for chord, degree in _diatonic_triads(span.scale):
        # Primary chords (I, IV, V) win ties: they keep the style's harmonic weight.
        score = _covered(chord, weights) - (0.0 if degree in (0, 3, 4) else 0.05 * total)
        if score > best_score + 1e-9:
            best, best_score = chord, score
    return best


def _diatonic_triads(scale: Scale) -> list[tuple[Chord, int]]:
    out = []
    for degree, roman in enumerate(_ROMAN):
        third, fifth = scale.triad_intervals(degree)
        if fifth != 7:
            continue  # diminished and augmented triads do not stand in for a missing chord
        out.append((parse_numeral(roman.upper() if third == 4 else roman, scale), degree))
    return out
