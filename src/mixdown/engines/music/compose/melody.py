"""The lead line of a section: a motif, developed through phrases that end on stable degrees.

A phrase of ``phrase_bars`` bars follows the classical sentence: the motif, its answer (the motif
again or in sequence, placed over the new chord), a continuation drawn fresh from the interval
model, and a cadence bar that lands on a stable degree — 5 or 2 for an antecedent, 1 or 3 for a
consequent, the tonic at the end of the piece. Later phrases vary the motif (ornament, rhythm,
displacement, inversion) as often as the variance curve asks. Riff styles repeat a one-bar riff
that follows the chords and vary only at phrase ends. Sections with the same name and material
draw their ideas from the same generator, so a chorus comes back recognisably.
"""

from __future__ import annotations

import numpy as np

from mixdown.engines.music.compose.context import Context, Event, metric_strength
from mixdown.engines.music.compose.model import MelodyModel, load_model
from mixdown.engines.music.compose.motif import (
    VARIATIONS,
    Bar,
    Line,
    fit,
    land,
    local_pitch,
    pick_rhythm,
    pitch_line,
    retime,
    start_index,
    vary,
)
from mixdown.engines.music.plan import ENDINGS, MAIN
from mixdown.engines.music.sampling import chance, choose
from mixdown.engines.music.theory import Scale

BASE_ONSETS = {"sparse": 2.0, "lyrical": 3.5, "straight": 5.0, "syncopated": 5.5, "riff": 6.0, "busy": 9.0}
LIFT = {"chorus": 3, "drop": 3, "hook": 3, "peak": 3, "climax": 4, "verse": -1, "bridge": 1, "intro": -2}


def line_for(ctx: Context, index: int, *, low: int | None = None, high: int | None = None) -> Line:
    """The line settings of section ``index``: range lifted in choruses, density from energy."""
    section = ctx.section(index)
    bar = section.start_bar + section.bars // 2
    mel = ctx.style.melody
    shift = LIFT.get(section.name, 0) + ctx.intent.register + round(6 * (ctx.tone(bar) - 0.5))
    lo = (mel.low if low is None else low) + shift
    hi = max(lo + 12, (mel.high if high is None else high) + shift)
    lo, hi = max(36, lo), min(100, hi)
    density = max(0.05, mel.density + ctx.intent.density)
    energy = ctx.energy(bar)
    onsets = BASE_ONSETS.get(mel.rhythm, 5.0) * (0.55 + 0.9 * density) * (0.65 + 0.7 * energy)
    onsets *= (0.75 + 0.5 * ctx.rhythm(bar)) * ctx.spb / 16
    sync = min(1.0, (0.55 if mel.rhythm in ("syncopated", "riff") else 0.2) + 0.5 * (ctx.rhythm(bar) - 0.5))
    return Line(lo, hi, onsets, mel.rhythm, mel.step_bias, max(0.0, sync))


class Writer:
    """Writes the melody of one section."""

    def __init__(self, ctx: Context, index: int, line: Line, model: MelodyModel | None = None) -> None:
        self.ctx, self.index, self.line = ctx, index, line
        self.model = model or load_model()
        self.section = ctx.section(index)
        self.scale = Scale.of(ctx.scale.tonic + self.section.transpose, ctx.scale.mode)
        self.material = ctx.material_rng("melody", self.section)
        self.occurrence = ctx.rng("melody-var", index)
        self.state: tuple[int, int | None] = (
            start_index(ctx, self.material, line, self.scale, self._at(0)),
            None,
        )

    def _at(self, bar_offset: int) -> int:
        return (self.section.start_bar + bar_offset) * self.ctx.spb

    def fresh(
        self, rng: np.random.Generator, bar: int, *, cadence: bool = False, goal: float | None = None
    ) -> Bar:
        """A new bar from the rhythm and interval models, continuing the line."""
        pattern = pick_rhythm(self.ctx, rng, self.line, self.model, cadence=cadence)
        notes = pitch_line(
            self.ctx,
            rng,
            self.line,
            self.model,
            self.scale,
            pattern=pattern,
            bar=bar,
            state=self.state,
            goal=self.line.center if goal is None else goal,
        )
        self._follow(notes)
        return notes

    def _follow(self, notes: Bar) -> None:
        if notes:
            prev = notes[-2].index if len(notes) > 1 else self.state[0]
            self.state = (notes[-1].index, notes[-1].index - prev)

    def place(self, rng: np.random.Generator, notes: Bar, bar: int) -> Bar:
        """A stored bar fitted over the chords of ``bar``."""
        placed = fit(self.ctx, rng, notes, bar, self.scale, self.line)
        self._follow(placed)
        return placed

    def variation(self, rng: np.random.Generator, notes: Bar, bar: int) -> Bar:
        """The motif developed, more boldly when the variance curve is high."""
        v = self.ctx.variance(bar)
        weights = (3.0 * (1 - v) + 0.3, 1.5, 1.0 + v, 0.6 * v, 0.8 * self.line.syncopation, 0.3 * v, 0.5 + v)
        how = choose(rng, VARIATIONS, weights, self.ctx.sampling)
        if how == "rhythm":
            return retime(notes, pick_rhythm(self.ctx, rng, self.line, self.model))
        varied = vary(self.ctx, rng, notes, how, spb=self.ctx.spb)
        if how == "tail":  # keep the head, answer it with new notes
            rest = self.fresh(rng, bar)
            cut = varied[-1].step + varied[-1].length if varied else 0
            varied = varied + tuple(n for n in rest if n.step >= cut)
        return varied

    def bars(self) -> list[tuple[int, Bar]]:
        """(bar, notes) for every bar of the section."""
        if self.line.rhythm == "riff":
            return self._retouch(self._riff())
        return self._retouch(self._sentences())

    def _cadence_degrees(self, phrase: int, phrases: int, bar: int) -> tuple[int, ...]:
        if bar == self.ctx.plan.bars - 1:
            return (0,)
        if phrase % 2 == 0 and phrase < phrases - 1:
            return (4, 1, 6)
        return (0, 2, 4)

    def _retouch(self, bars: list[tuple[int, Bar]]) -> list[tuple[int, Bar]]:
        """A repeated section varies a bar here and there (ornament, rhythm) as variance asks."""
        if self.section.occurrence == 0:
            return bars
        out = list(bars)
        size = max(1, self.ctx.style.melody.phrase_bars)
        for k in range(0, len(out) - 1, size):
            bar, notes = out[k + min(1, size - 1)] if k + 1 < len(out) else out[k]
            if chance(self.occurrence, 0.25 + 0.5 * self.ctx.variance(bar), self.ctx.sampling):
                how = choose(
                    self.occurrence, ("ornament", "displace", "sequence"), (3.0, 1.0, 1.0), self.ctx.sampling
                )
                varied = vary(self.ctx, self.occurrence, notes, how, spb=self.ctx.spb)
                out[k + min(1, size - 1) if k + 1 < len(out) else k] = (
                    bar,
                    fit(self.ctx, self.occurrence, varied, bar, self.scale, self.line),
                )
        return out

    def _sentences(self) -> list[tuple[int, Bar]]:
        ctx, start = self.ctx, self.section.start_bar
        size = max(1, min(ctx.style.melody.phrase_bars, self.section.bars))
        phrases = -(-self.section.bars // size)
        motif = self.fresh(self.material, start)
        out: list[tuple[int, Bar]] = []
        for phrase in range(phrases):
            rng = ctx.material_rng("melody", self.section, phrase)
            for j in range(size):
                bar = start + phrase * size + j
                if bar >= self.section.end_bar:
                    break
                out.append((bar, self._sentence_bar(rng, motif, phrase, phrases, j, size, bar)))
        return out

    def _sentence_bar(
        self, rng: np.random.Generator, motif: Bar, phrase: int, phrases: int, j: int, size: int, bar: int
    ) -> Bar:
        last_of_phrase = j == size - 1 or bar == self.section.end_bar - 1
        role = j % 4 if size >= 4 else (0 if j < size - 1 else 3)
        if last_of_phrase and (size > 1 or bar == self.section.end_bar - 1):
            notes = self.fresh(rng, bar, cadence=True, goal=self.line.center - 2)
            notes = land(
                self.ctx, notes, bar, self.scale, self._cadence_degrees(phrase, phrases, bar), self.line
            )
            self._follow(notes)
            return notes
        if role == 0:
            base = motif if phrase == 0 and j == 0 else self.variation(rng, motif, bar)
            return self.place(rng, base, bar)
        if role == 1:
            answer = motif if self.ctx.variance(bar) < 0.5 else self.variation(rng, motif, bar)
            return self.place(rng, answer, bar)
        return self.fresh(rng, bar, goal=self.line.center + 3)

    def _riff(self) -> list[tuple[int, Bar]]:
        ctx, start = self.ctx, self.section.start_bar
        riff = self.fresh(self.material, start)
        alt = self.variation(self.material, riff, start)
        size = max(2, ctx.style.melody.phrase_bars)
        out: list[tuple[int, Bar]] = []
        for k in range(self.section.bars):
            bar = start + k
            rng = ctx.material_rng("melody", self.section, k)
            if bar == ctx.plan.bars - 1:
                notes = land(ctx, self.fresh(rng, bar, cadence=True), bar, self.scale, (0,), self.line)
            elif k % size == size - 1:
                notes = self.place(rng, alt, bar)
            else:
                notes = self.place(rng, riff, bar)
            out.append((bar, notes))
        return out


def velocity(ctx: Context, bar: int, step: int, base: float = 64.0, span: float = 44.0) -> int:
    """Velocity from the bar's energy, with metric accents."""
    accent = 8 * (metric_strength(step, ctx.spb, ctx.plan.meter) >= 0.6)
    return int(min(127, max(20, base + span * ctx.energy(bar) + accent)))


def to_events(
    ctx: Context, bars: list[tuple[int, Bar]], scale: Scale, *, end_step: int | None = None
) -> list[Event]:
    """Diatonic bars to events (pitches through ``scale`` and the chords' accidentals), notes
    never overlapping the next one."""
    events: list[Event] = []
    for bar, notes in bars:
        for n in notes:
            at = bar * ctx.spb + n.step
            events.append(
                (float(at), float(n.length), local_pitch(ctx, scale, n.index, at), velocity(ctx, bar, n.step))
            )
    events.sort()
    out = []
    for i, (start, length, pitch, vel) in enumerate(events):
        nxt = events[i + 1][0] if i + 1 < len(events) else (end_step or start + length)
        out.append((start, max(0.5, min(length, nxt - start)), pitch, vel))
    return out


def write_section(ctx: Context, index: int, line: Line | None = None) -> list[Event]:
    """The melody events of section ``index`` (a given line or melody when the context has one)."""
    from mixdown.engines.music.compose.conditioned import GivenLines, conditioned_section

    line = line or line_for(ctx, index)
    if isinstance(ctx, GivenLines):
        return list(ctx.lines.get(index, []))
    if ctx.spec.melody:
        return conditioned_section(ctx, index, line)
    writer = Writer(ctx, index, line)
    return to_events(ctx, writer.bars(), writer.scale, end_step=ctx.section(index).end_bar * ctx.spb)


def plays_lead(name: str, energy: float, last: bool) -> bool:
    """Whether a section carries the lead line (intros and endings mostly rest)."""
    if name in ENDINGS or name == "intro":
        return energy >= 0.55 or (last and name in ENDINGS and energy >= 0.3)
    if name in ("build", "breakdown", "drift"):
        return energy >= 0.25
    return name in MAIN or energy >= 0.3
