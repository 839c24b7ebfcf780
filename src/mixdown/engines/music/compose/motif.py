"""Bars of melody: rhythms from the corpus model, pitches from its interval chain, and the
operations that develop a motif (repetition, sequence, inversion, ornament, displacement).

A bar is a tuple of ``MNote`` with pitches as diatonic indices of the section's scale, so a motif
moves with the key. ``fit`` places a stored bar over the chords it meets: it tries the bar as it
is and shifted by a few scale steps, prefers the shift that puts chord tones on strong beats
(drawn through ``choose``), then bends any strong-beat note that still clashes to the nearest
chord tone.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from mixdown.engines.music.compose.context import Context, metric_strength
from mixdown.engines.music.compose.model import INTERVALS, MelodyModel
from mixdown.engines.music.sampling import choose
from mixdown.engines.music.theory import Scale


@dataclass(frozen=True)
class MNote:
    """A melody note inside one bar: onset step, length in steps, diatonic index."""

    step: int
    length: int
    index: int


Bar = tuple[MNote, ...]


@dataclass(frozen=True)
class Line:
    """How a melodic line behaves in one section."""

    low: int
    high: int
    onsets: float  # wanted onsets per bar
    rhythm: str  # the style's melody rhythm
    step_bias: float
    syncopation: float  # 0..1

    @property
    def center(self) -> float:
        """The middle of the range."""
        return (self.low + self.high) / 2


@dataclass(frozen=True)
class RhythmInfo:
    """Features of one rhythm pattern."""

    pattern: str
    weight: float
    onsets: int
    offbeat: float  # share of onsets off the beat
    sixteenths: float  # share of onsets on sixteenth positions
    mean_length: float
    last_onset: int


@lru_cache(maxsize=64)
def _features(patterns: tuple[tuple[str, float], ...], meter: tuple[int, int]) -> tuple[RhythmInfo, ...]:
    out = []
    for pattern, weight in patterns:
        starts = [i for i, c in enumerate(pattern) if c == "x"]
        if not starts:
            continue
        strengths = [metric_strength(i, len(pattern), meter) for i in starts]
        sounding = sum(1 for c in pattern if c != ".")
        out.append(
            RhythmInfo(
                pattern,
                weight,
                len(starts),
                sum(s <= 0.3 for s in strengths) / len(starts),
                sum(s <= 0.1 for s in strengths) / len(starts),
                sounding / len(starts),
                starts[-1],
            )
        )
    return tuple(out)


def pick_rhythm(
    ctx: Context, rng: np.random.Generator, line: Line, model: MelodyModel, *, cadence: bool = False
) -> str:
    """A one-bar onset pattern fitting the line's density and rhythm style."""
    infos = _features(model.rhythms_for(ctx.plan.meter, ctx.spb), ctx.plan.meter)
    target = max(1.0, line.onsets * (0.45 if cadence else 1.0))
    sigma = max(1.0, 0.35 * target)
    weights = []
    for info in infos:
        w = info.weight**0.35 * math.exp(-((info.onsets - target) ** 2) / (2 * sigma**2))
        w *= math.exp((6 * line.syncopation - 2) * info.offbeat)
        if line.rhythm in ("straight", "lyrical", "sparse"):
            w *= math.exp(-2.5 * info.sixteenths)
        if line.rhythm in ("riff", "syncopated") and info.offbeat == 0:
            w *= 0.3  # a riff on the beats only is a march
        if line.rhythm == "lyrical":
            w *= 1 + info.mean_length / 4
        if cadence:
            w *= 3.0 if info.last_onset <= ctx.spb * 0.55 else 0.05
        weights.append(w)
    return choose(rng, [i.pattern for i in infos], weights, ctx.sampling)


def onsets_of(pattern: str) -> list[tuple[int, int]]:
    """(step, length) of each onset; a note lasts through ``-`` and stops at ``.`` or the next onset."""
    out = []
    for i, c in enumerate(pattern):
        if c == "x":
            length = 1
            while i + length < len(pattern) and pattern[i + length] == "-":
                length += 1
            out.append((i, length))
    return out


def chord_pcs(ctx: Context, step: int) -> tuple[int, ...]:
    """Pitch classes of the chord at absolute ``step``."""
    return ctx.span_at(step).chord.pcs


def local_pitch(ctx: Context, scale: Scale, index: int, at: int) -> int:
    """The pitch of ``index`` at ``at``: a scale tone next to a chromatic chord tone takes it
    (the leading tone over V in minor), so lines follow borrowed and secondary chords."""
    pitch = scale.pitch(index)
    pcs = chord_pcs(ctx, at)
    if pitch % 12 in pcs:
        return pitch
    for delta in (1, -1):
        if (pitch + delta) % 12 in pcs and not scale.contains(pitch + delta):
            return pitch + delta
    return pitch


def _weights(
    ctx: Context,
    model: MelodyModel,
    line: Line,
    scale: Scale,
    state: tuple[int, int | None],
    at: int,
    goal: float,
) -> list[float]:
    prev, prev_int = state
    strength = metric_strength(at % ctx.spb, ctx.spb, ctx.plan.meter)
    strong = strength >= 0.6
    pcs = chord_pcs(ctx, at)
    base = model.interval_weights(prev_int, strength >= 0.5, (prev % 7), scale.is_minor)
    out = []
    for step, w in zip(INTERVALS, base, strict=True):
        index = prev + step
        pitch = local_pitch(ctx, scale, index, at)
        if not line.low <= pitch <= line.high:
            out.append(0.0)
            continue
        tone = pitch % 12 in pcs
        if strength >= 0.8:  # downbeats and mid-bar: chord tones nearly always
            w *= 6.0 if tone else 0.15
        else:
            w *= (3.0 if tone else 0.35) if strong else (1.3 if tone else 1.0)
        if not tone and (pitch - 1) % 12 in pcs:  # a semitone above a chord tone: the avoid note
            w *= 0.2 if strong else 0.45
        if not tone and index % 7 not in scale.melodic:
            w *= 0.1
        w *= (0.6 + line.step_bias) if abs(step) <= 1 else (1.4 - line.step_bias) if abs(step) >= 3 else 1.0
        w *= (0.15 if prev_int == 0 else 0.4) if step == 0 else 1.0  # folk tunes repeat more than leads
        w *= math.exp(-max(0.0, abs(pitch - goal) - 5) / 3)
        out.append(w)
    return out


def start_index(ctx: Context, rng: np.random.Generator, line: Line, scale: Scale, at: int) -> int:
    """A first note: a chord tone near the middle of the range."""
    pcs = chord_pcs(ctx, at)
    options = [
        i
        for i in range(scale.index(line.low), scale.index(line.high) + 1)
        if scale.pitch(i) % 12 in pcs and line.low <= scale.pitch(i) <= line.high
    ]
    if not options:
        return scale.index(round(line.center))
    weights = [
        math.exp(-(((scale.pitch(i) - line.center) / 4) ** 2)) * (1.5 if i % 7 == 0 else 1.0) for i in options
    ]
    return choose(rng, options, weights, ctx.sampling)


def pitch_line(
    ctx: Context,
    rng: np.random.Generator,
    line: Line,
    model: MelodyModel,
    scale: Scale,
    *,
    pattern: str,
    bar: int,
    state: tuple[int, int | None],
    goal: float,
) -> Bar:
    """Pitches for ``pattern`` at ``bar`` continuing from ``state`` (previous index and interval)."""
    notes = []
    prev, prev_int = state
    repeats = 0
    for step, length in onsets_of(pattern):
        at = bar * ctx.spb + step
        weights = _weights(ctx, model, line, scale, (prev, prev_int), at, goal)
        if repeats >= 2:  # a third repeated note in a row stalls the line
            weights[INTERVALS.index(0)] *= 0.05
        move = choose(rng, INTERVALS, weights, ctx.sampling) if sum(weights) > 0 else _home(scale, prev, line)
        notes.append(MNote(step, length, prev + move))
        prev, prev_int = prev + move, move
        repeats = repeats + 1 if move == 0 else 0
    return tuple(notes)


def _home(scale: Scale, prev: int, line: Line) -> int:
    """The move back into range when no interval fits."""
    return scale.index(round(line.center)) - prev


def land(ctx: Context, bar_notes: Bar, bar: int, scale: Scale, degrees: tuple[int, ...], line: Line) -> Bar:
    """End a phrase: the last note moves to the nearest wanted stable degree (chord tone if it can)."""
    if not bar_notes:
        return bar_notes
    last = bar_notes[-1]
    pcs = chord_pcs(ctx, bar * ctx.spb + last.step)
    options = [
        i
        for i in range(last.index - 4, last.index + 5)
        if i % 7 in degrees and line.low - 2 <= scale.pitch(i) <= line.high + 2
    ]
    if not options:
        return bar_notes
    best = min(
        options, key=lambda i: (scale.pitch(i) % 12 not in pcs, degrees.index(i % 7), abs(i - last.index))
    )
    # Held, then a breath: room for an answer before the next phrase.
    length = max(4, min(ctx.spb - last.step - 4, ctx.spb // 2))
    return (*bar_notes[:-1], MNote(last.step, length, best))


def fit(ctx: Context, rng: np.random.Generator, bar_notes: Bar, bar: int, scale: Scale, line: Line) -> Bar:
    """``bar_notes`` placed at ``bar``: shifted to suit its chords, clashing strong notes bent."""
    if not bar_notes:
        return bar_notes
    shifts = (0, 1, -1, 2, -2, 3, -3)
    scores = [_fit_score(ctx, bar_notes, bar, scale, line, s) for s in shifts]
    # Staying put is a repetition, the strongest tie a motif has: it gets a head start.
    scores[0] += 0.75
    shift = choose(rng, shifts, [math.exp(3 * (s - max(scores))) for s in scores], ctx.sampling)
    out = []
    for note in bar_notes:
        index = note.index + shift
        at = bar * ctx.spb + note.step
        if metric_strength(note.step, ctx.spb, ctx.plan.meter) >= 0.6:
            index = _to_chord_tone(ctx, scale, index, at)
        out.append(replace(note, index=index))
    return tuple(out)


def _fit_score(ctx: Context, notes: Bar, bar: int, scale: Scale, line: Line, shift: int) -> float:
    score = -0.35 * abs(shift)
    for note in notes:
        at = bar * ctx.spb + note.step
        pitch = local_pitch(ctx, scale, note.index + shift, at)
        tone = pitch % 12 in chord_pcs(ctx, at)
        strong = metric_strength(note.step, ctx.spb, ctx.plan.meter) >= 0.6
        score += (1.0 if tone else -0.6) if strong else (0.2 if tone else 0.0)
        score -= 1.5 * (not line.low - 2 <= pitch <= line.high + 2)
    return score


def _to_chord_tone(ctx: Context, scale: Scale, index: int, at: int) -> int:
    pcs = chord_pcs(ctx, at)
    for delta in (0, -1, 1, -2, 2):
        if local_pitch(ctx, scale, index + delta, at) % 12 in pcs:
            return index + delta
    return index


VARIATIONS = ("repeat", "sequence", "ornament", "rhythm", "displace", "invert", "tail")


def vary(ctx: Context, rng: np.random.Generator, bar_notes: Bar, how: str, *, spb: int) -> Bar:
    """One development of a motif bar."""
    if not bar_notes or how == "repeat":
        return bar_notes
    if how == "sequence":
        shift = choose(rng, (1, -1, 2, -2), (2.0, 2.0, 1.0, 1.0), ctx.sampling)
        return tuple(replace(n, index=n.index + shift) for n in bar_notes)
    if how == "invert":
        first = bar_notes[0].index
        return tuple(replace(n, index=2 * first - n.index) for n in bar_notes)
    if how == "displace":
        moved = [replace(n, step=n.step + 2) for n in bar_notes if n.step + 2 < spb]
        return tuple(replace(n, length=min(n.length, spb - n.step)) for n in moved)
    if how == "ornament":
        return _ornament(bar_notes)
    if how == "tail":
        return bar_notes[: max(1, len(bar_notes) // 2)]
    return bar_notes


def _ornament(notes: Bar) -> Bar:
    """A passing note inside a third, or a neighbour note at the end of a long note."""
    out = list(notes)
    for i, (a, b) in enumerate(itertools.pairwise(notes)):
        if abs(b.index - a.index) == 2 and a.length >= 2:
            half = a.length // 2
            out[i] = replace(a, length=half)
            out.insert(i + 1, MNote(a.step + half, a.length - half, (a.index + b.index) // 2))
            return tuple(out)
    long = max(range(len(notes)), key=lambda i: notes[i].length)
    a = notes[long]
    if a.length >= 4:
        out[long] = replace(a, length=a.length - 1)
        out.insert(long + 1, MNote(a.step + a.length - 1, 1, a.index + 1))
    return tuple(out)


def retime(notes: Bar, pattern: str) -> Bar:
    """The same pitches on another rhythm (cycling pitches if the counts differ)."""
    if not notes:
        return notes
    slots = onsets_of(pattern)
    return tuple(MNote(step, length, notes[i % len(notes)].index) for i, (step, length) in enumerate(slots))
