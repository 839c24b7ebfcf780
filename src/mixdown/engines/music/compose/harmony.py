"""The chord track: a progression per section from the style's grammar, cadences, voice leading.

Each section name and material gets a progression drawn (through ``choose``) from the style's
weighted progressions, preferring one that other section kinds do not already use so verses and
choruses differ. Chords are laid out at the style's harmonic rhythm, coloured with sevenths and
ninths at the style's ``extensions`` rate, end sections that lead into a main section on the
style's cadence chord, and end the piece on its tonic chord after that cadence.
"""

from __future__ import annotations

from collections import Counter

from mixdown.engines.music.compose.context import ChordSpan, Context
from mixdown.engines.music.plan import MAIN, PlannedSection
from mixdown.engines.music.sampling import chance, choose
from mixdown.engines.music.style import Progression, StyleProfile
from mixdown.engines.music.theory import (
    Chord,
    Scale,
    TheoryError,
    diatonicize,
    parse_numeral,
    voice,
    with_intervals,
)

CALM = ("intro", "breakdown", "drift", "outro", "coda", "interlude")


def _tonic_numerals(style: StyleProfile, scale: Scale) -> Counter[str]:
    """Numerals of the style whose root is the tonic, by weight."""
    found: Counter[str] = Counter()
    for prog in style.progressions:
        for numeral in prog.chords:
            if _safe(numeral, scale) and _safe(numeral, scale).root == scale.tonic:  # type: ignore[union-attr]
                found[numeral] += int(prog.weight * 10) + 1
    return found


def _safe(numeral: str, scale: Scale) -> Chord | None:
    try:
        return parse_numeral(numeral, scale)
    except TheoryError:
        return None


def final_numeral(style: StyleProfile, scale: Scale) -> str:
    """The chord the piece ends on: the style's most used tonic chord (i, I5, Iadd9...)."""
    found = _tonic_numerals(style, scale)
    if found:
        return found.most_common(1)[0][0]
    return "i" if scale.is_minor else "I"


def cadence_numeral(style: StyleProfile, scale: Scale) -> str:
    """The chord that leads home in this style: what precedes the tonic in its progressions."""
    before: Counter[str] = Counter()
    dominant = (scale.tonic + 7) % 12
    for prog in style.progressions:
        chords = [_safe(n, scale) for n in prog.chords]
        for i, chord in enumerate(chords):
            prev = chords[i - 1]
            if (
                chord is not None
                and prev is not None
                and chord.root == scale.tonic
                and prev.root != scale.tonic
            ):
                bonus = 2 if prev.root == dominant else 1
                before[prog.chords[i - 1]] += bonus * (int(prog.weight * 10) + 1)
    if before:
        return before.most_common(1)[0][0]
    return "V"


def diatonic_fit(chords: tuple[str, ...], scale: Scale) -> float:
    """Share of the progression's chord tones inside ``scale`` (1 = fully diatonic)."""
    inside = total = 0
    for numeral in chords:
        chord = _safe(numeral, scale)
        if chord is not None:
            inside += sum(pc in scale.pcs for pc in chord.pcs)
            total += len(chord.pcs)
    return inside / total if total else 0.0


def style_fit(style: StyleProfile, scale: Scale) -> float:
    """How diatonic the style's progressions are in ``scale``, by progression weight."""
    total = sum(p.weight for p in style.progressions)
    if not total:
        return 1.0
    return sum(p.weight * diatonic_fit(p.chords, scale) for p in style.progressions) / total


def _pick_progressions(ctx: Context) -> dict[tuple[str, int], Progression]:
    """A progression per (section name, material), different kinds preferring different ones."""
    chosen: dict[tuple[str, int], Progression] = {}
    used_by: dict[tuple[str, ...], str] = {}
    options = list(ctx.style.progressions) or [Progression(("I", "IV", "V", "I"))]
    # Progressions written for another mode (VI in dorian is chromatic) are drawn less often.
    fits = [diatonic_fit(p.chords, ctx.scale) ** 3 + 0.05 for p in options]
    for section in ctx.plan.sections:
        key = (section.name, section.material)
        if key in chosen:
            continue
        rng = ctx.material_rng("harmony", section)
        weights = [
            p.weight * fit * (0.35 if used_by.get(p.chords, section.name) != section.name else 1.0)
            for p, fit in zip(options, fits, strict=True)
        ]
        prog = choose(rng, options, weights, ctx.sampling)
        chosen[key] = prog
        used_by.setdefault(prog.chords, section.name)
    return chosen


def _colour(
    chord: Chord, scale: Scale, ext: float, ctx: Context, section: PlannedSection, slot: int
) -> Chord:
    """Add a diatonic seventh and sometimes a ninth, as often as the style's ``extensions`` says."""
    base = {i % 12 for i in chord.intervals}
    if ext <= 0 or len(base) < 3 or base & {9, 10, 11} or (base & {2, 5} and not base & {3, 4}):
        return chord
    rng = ctx.material_rng("extensions", section, slot)
    if not chance(rng, ext, ctx.sampling):
        return chord
    degree = scale.degree(chord.root)
    seventh = (scale.intervals[(degree + 6) % 7] - scale.intervals[degree]) % 12 if degree is not None else 10
    if seventh not in (10, 11) or (6 in base and seventh == 11):
        return chord
    intervals = (*chord.intervals, seventh)
    if chance(rng, 0.35 * ext, ctx.sampling) and (degree is None or scale.contains(scale.pitch(degree + 1))):
        intervals = (*intervals, 14)
    return with_intervals(chord, intervals, scale)


def _section_chords(
    ctx: Context, index: int, prog: Progression, scale: Scale
) -> list[tuple[int, int, Chord]]:
    """(start, end, chord) for one section, before cadences."""
    section = ctx.plan.sections[index]
    rhythm = ctx.style.harmonic_rhythm
    if section.name in CALM and section.energy < 0.35 and rhythm < 2:
        rhythm *= 2  # calm passages breathe: slower harmony
    length = max(2, round(rhythm * ctx.spb))
    start, end = section.start_bar * ctx.spb, section.end_bar * ctx.spb
    # A progression written for another mode is played in this one (I-V-vi-IV -> i-v-VI-iv).
    foreign = diatonic_fit(prog.chords, scale) < 0.85
    out = []
    for slot, at in enumerate(range(start, end, length)):
        chord = parse_numeral(prog.chords[slot % len(prog.chords)], scale)
        if foreign:
            chord = diatonicize(chord, scale)
        chord = _colour(chord, scale, ctx.style.extensions, ctx, section, slot % 8)
        out.append((at, min(end, at + length), chord))
    return out


def _cadence_chord(ctx: Context, scale: Scale) -> Chord:
    chord = parse_numeral(cadence_numeral(ctx.style, scale), scale)
    return diatonicize(chord, scale) if style_fit(ctx.style, scale) < 0.85 else chord


def _leads_to_main(ctx: Context, index: int) -> bool:
    sections = ctx.plan.sections
    if index + 1 >= len(sections):
        return False
    here, after = sections[index], sections[index + 1]
    return after.name in MAIN[:8] and here.name != after.name and after.energy > here.energy


def _cadence(
    chords: list[tuple[int, int, Chord]], start: int, replacement: Chord
) -> list[tuple[int, int, Chord]]:
    """Replace everything from ``start`` on with ``replacement`` (splitting a chord if needed)."""
    out = []
    for a, b, chord in chords:
        if b <= start:
            out.append((a, b, chord))
        elif a < start:
            out.append((a, start, chord))
    end = chords[-1][1]
    if start < end:
        out.append((start, end, replacement))
    return out


def harmonize(ctx: Context) -> list[ChordSpan]:
    """The whole chord track, voiced with minimal movement in the keyboard register."""
    progs = _pick_progressions(ctx)
    low = 52 + ctx.intent.register // 2
    voices = 3 if ctx.style.chord_style in ("stabs", "offbeat_skank") else 4
    spans: list[ChordSpan] = []
    prev: tuple[int, ...] | None = None
    last = len(ctx.plan.sections) - 1
    for index, section in enumerate(ctx.plan.sections):
        scale = Scale.of(ctx.scale.tonic + section.transpose, ctx.scale.mode)
        chords = _section_chords(ctx, index, progs[(section.name, section.material)], scale)
        marks: dict[int, str] = {}
        spb, end = ctx.spb, section.end_bar * ctx.spb
        if index == last:
            final = diatonicize(parse_numeral(final_numeral(ctx.style, scale), scale), scale)
            cadence = _cadence_chord(ctx, scale)
            if section.bars >= 2:
                chords = _cadence(chords, end - 2 * spb, cadence)
                marks[end - 2 * spb] = "half"
            chords = _cadence(chords, end - spb, final)
            marks[end - spb] = "final"
        elif _leads_to_main(ctx, index) and section.bars >= 2:
            rng = ctx.rng("cadence", index)
            if chance(rng, 0.7, ctx.sampling):
                cadence = _cadence_chord(ctx, scale)
                if chords[-1][2].root != cadence.root:
                    chords = _cadence(chords, max(chords[-1][0], end - spb), cadence)
                    marks[chords[-1][0]] = "half"
        for a, b, chord in chords:
            prev = voice(chord, prev, low=low, high=low + 24, voices=voices)
            spans.append(ChordSpan(a, b, chord, scale, index, prev, marks.get(a, "")))
    return spans
