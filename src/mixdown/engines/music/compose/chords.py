"""The chord part in the style's manner (block, stabs, arpeggio, strum, comp, pad, skank, alberti,
bossa) and the sustained pad, both from the voice-led voicings of the chord track.

Rhythms are written for a 16-step 4/4 bar and mapped beat by beat to other meters; triple
meters play "oom-pah-pah" stabs on beats two and three.
"""

from __future__ import annotations

import numpy as np

from mixdown.engines.music.compose.context import Context, Event, beat_steps, map_step
from mixdown.engines.music.sampling import choose

STABS = {
    "low": ((0, 6), (2, 10), (6, 14)),
    "mid": ((2, 6, 10, 14), (0, 3, 6, 10), (3, 6, 11, 14)),
    "high": ((2, 6, 10, 14), (0, 3, 6, 8, 11, 14), (2, 3, 6, 10, 11, 14)),
}
STRUM = {
    "low": ((0, "D"), (8, "D")),
    "mid": ((0, "D"), (4, "D"), (6, "U"), (10, "U"), (12, "D"), (14, "U")),
    "high": ((0, "D"), (2, "U"), (4, "D"), (6, "U"), (8, "D"), (10, "U"), (12, "D"), (14, "U")),
}
COMP = (0, 3, 6, 8, 10, 11, 14)
BOSSA = ((0, 3, 6, 10, 12), (2, 6, 8, 11, 14))


def _level(energy: float) -> str:
    return "low" if energy < 0.4 else "mid" if energy < 0.75 else "high"


def _mapped(ctx: Context, steps: tuple[int, ...]) -> list[int]:
    out = [map_step(s, ctx.plan.meter, ctx.spb) for s in steps]
    return sorted({s for s in out if s is not None})


def _strike(at: float, length: float, voicing: tuple[int, ...], vel: int, spread: float = 0.0) -> list[Event]:
    """All notes of a voicing, optionally rolled (``spread`` steps between notes, <0 downwards)."""
    order = voicing if spread >= 0 else tuple(reversed(voicing))
    return [
        (at + i * abs(spread), max(0.5, length - i * abs(spread)), p, vel - 2 * i)
        for i, p in enumerate(order)
    ]


def _onsets(ctx: Context, style: str, bar: int, rng: np.random.Generator, energy: float) -> list[int]:
    """Onset steps of the chord part in one bar."""
    spb = ctx.spb
    if style in ("stabs", "offbeat_skank") and ctx.plan.meter[0] == 3:
        beat = beat_steps(ctx.plan.meter)
        return [beat, 2 * beat]
    if style == "stabs":
        options = STABS[_level(energy)]
        return _mapped(ctx, choose(rng, options, [3.0, 1.5, 1.0], ctx.sampling))
    if style == "offbeat_skank":
        return _mapped(ctx, (4, 12) if energy < 0.7 else (2, 6, 10, 14))
    if style == "comp":
        count = 2 if energy < 0.5 else 3
        chosen = {choose(rng, COMP, [3, 2, 2, 1, 2, 1, 2], ctx.sampling) for _ in range(count)}
        return _mapped(ctx, tuple(sorted(chosen)))
    if style == "bossa":
        return _mapped(ctx, BOSSA[bar % 2])
    if style == "block":
        return [0, spb // 2] if energy >= 0.75 and spb % 2 == 0 else [0]
    return [0]


def chord_bar(ctx: Context, style: str, bar: int, rng: np.random.Generator) -> list[Event]:
    """The chord part's events in one bar."""
    energy = ctx.energy(bar)
    base = bar * ctx.spb
    vel = int(56 + 44 * energy)
    if style in ("arpeggio", "alberti"):
        return _broken(ctx, style, bar, energy, vel)
    if style == "strum":
        return _strum(ctx, bar, energy, vel)
    onsets = _onsets(ctx, style, bar, rng, energy)
    short = style in ("stabs", "offbeat_skank", "comp", "bossa")
    out: list[Event] = []
    for i, step in enumerate(onsets):
        at = base + step
        span = ctx.span_at(at)
        nxt = onsets[i + 1] + base if i + 1 < len(onsets) else base + ctx.spb
        length = min(2.0 if short else float(nxt - at), span.end - at)
        if style == "block" and step == 0 and span.start < base:
            length = float(min(span.end, base + ctx.spb) - at)
        out += _strike(
            float(at), max(1.0, length - (0 if short else 0.25)), span.voicing, vel + 6 * (step == 0)
        )
    if style == "block":  # chords changing mid-bar get their own strike
        for span in ctx.spans_between(base + 1, base + ctx.spb):
            if span.start > base and span.start not in (base + s for s in onsets):
                out += _strike(
                    float(span.start), float(min(span.end, base + ctx.spb) - span.start), span.voicing, vel
                )
    return out


def sustain(
    ctx: Context, bars: list[int], shift: int = 0, top: int = 127, vel: int | None = None
) -> list[Event]:
    """Chords held for their whole length over contiguous ``bars``, struck where each chord
    starts (or where the passage starts), cut where the passage ends."""
    if not bars:
        return []
    first, end = bars[0] * ctx.spb, (bars[-1] + 1) * ctx.spb
    out: list[Event] = []
    for span in ctx.spans_between(first, end):
        at = max(span.start, first)
        stop = min(span.end, end)
        voicing = tuple(p + shift if p + shift <= top else p for p in span.voicing)
        velocity = vel if vel is not None else int(50 + 34 * ctx.energy(at // ctx.spb))
        out += _strike(float(at), float(stop - at) - 0.25, voicing, velocity)
    return out


def _broken(ctx: Context, style: str, bar: int, energy: float, vel: int) -> list[Event]:
    """Arpeggios rising (and falling at high energy) or the alberti low-high-middle-high figure."""
    step = 1 if energy >= 0.72 or (style == "alberti" and energy >= 0.5) else 2
    base = bar * ctx.spb
    out: list[Event] = []
    for k, at in enumerate(range(base, base + ctx.spb, step)):
        voicing = ctx.span_at(at).voicing
        if style == "alberti":
            order = (0, len(voicing) - 1, 1, len(voicing) - 1)
            pitch = voicing[order[k % 4]]
        else:
            cycle = list(voicing) + [v + 12 for v in voicing[1:]] if energy >= 0.6 else list(voicing)
            ring = cycle + cycle[-2:0:-1] if energy >= 0.72 else cycle
            pitch = ring[k % len(ring)]
        out.append((float(at), float(step) * 0.9, pitch, vel - 8 + 10 * (k % 4 == 0)))
    return out


def _strum(ctx: Context, bar: int, energy: float, vel: int) -> list[Event]:
    """Guitar strums: down strokes low to high, lighter up strokes on the top strings."""
    base = bar * ctx.spb
    out: list[Event] = []
    hits = [(map_step(s, ctx.plan.meter, ctx.spb), d) for s, d in STRUM[_level(energy)]]
    steps = [(s, d) for s, d in hits if s is not None]
    for i, (step, direction) in enumerate(steps):
        at = base + step
        span = ctx.span_at(at)
        guitar = (span.voicing[0] - 12, *span.voicing) if direction == "D" else span.voicing[-3:]
        nxt = steps[i + 1][0] + base if i + 1 < len(steps) else base + ctx.spb
        length = float(min(nxt, span.end) - at)
        spread = 0.12 if direction == "D" else -0.08
        out += _strike(float(at), max(1.0, length), guitar, vel - (14 if direction == "U" else 0), spread)
    return out


def write_chords(ctx: Context, style: str, bars: list[int], index: int) -> list[Event]:
    """The chord part for the contiguous ``bars`` of section ``index``."""
    if style == "none" or not bars:
        return []
    if style == "pad":
        return sustain(ctx, bars)
    section = ctx.section(index)
    out: list[Event] = []
    for bar in bars:
        # One generator per bar pair of the material: a two-bar figure that repeats.
        rng = ctx.material_rng("chords", section, (bar - section.start_bar) % 2)
        out += chord_bar(ctx, style, bar, rng)
    return out


def write_pad(ctx: Context, bars: list[int], *, shift: int = 12, top: int = 88) -> list[Event]:
    """A sustained pad (the upper three voices an octave up), one note-on per chord."""
    return [(s, length, p, v - 6) for s, length, p, v in sustain(ctx, bars, shift, top)]
