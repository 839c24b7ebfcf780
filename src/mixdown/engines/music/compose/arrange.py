"""The arrangement: which layers play in each bar, and every part's events.

Layers follow the energy of each bar (section energy plus the intensity curve): thin intros,
full choruses and drops, breakdowns without drums, a counter-line or arpeggio only at high
energy. The last bar is the ending: the final chord struck and held, the melody on the tonic,
the bass on the root and the drums on one crash and kick.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from mixdown.engines.music.compose import layers
from mixdown.engines.music.compose.bass import write_bass
from mixdown.engines.music.compose.cast import Cast
from mixdown.engines.music.compose.chords import write_chords, write_pad
from mixdown.engines.music.compose.context import Context, Event
from mixdown.engines.music.compose.drums import Drummer, has_kit, plays_drums
from mixdown.engines.music.compose.melody import line_for, plays_lead, write_section
from mixdown.engines.music.plan import ENDINGS, MAIN
from mixdown.engines.music.theory import nearest

CALM = ("intro", "breakdown", "drift", *ENDINGS)
SUNG = (
    "verse",
    "chorus",
    "pre_chorus",
    "bridge",
    "hook",
    "theme",
    "drop",
    "peak",
    "climax",
    "swell",
    "variation",
)


@dataclass
class Arrangement:
    """Events per part name, plus facts for the score's metadata."""

    events: dict[str, list[Event]] = field(default_factory=dict)
    fills: list[int] = field(default_factory=list)

    def add(self, name: str, events: list[Event]) -> None:
        """Append events to a part."""
        self.events.setdefault(name, []).extend(events)


def runs(bars: list[int]) -> list[list[int]]:
    """Contiguous stretches of ``bars``."""
    out: list[list[int]] = []
    for bar in bars:
        if out and out[-1][-1] == bar - 1:
            out[-1].append(bar)
        else:
            out.append([bar])
    return out


def _bars(ctx: Context, index: int, test: Callable[[str, float], bool], *, final: bool = False) -> list[int]:
    """Bars of a section where ``test(name, energy)`` holds (the piece's last bar only if asked)."""
    section = ctx.section(index)
    last = ctx.plan.bars - 1
    return [b for b in ctx.bar_range(index) if test(section.name, ctx.energy(b)) and (final or b != last)]


def _write_runs(ctx: Context, bars: list[int], write: Callable[[list[int]], list[Event]]) -> list[Event]:
    out: list[Event] = []
    for run in runs(bars):
        out += write(run)
    return out


def _section(ctx: Context, cast: Cast, index: int, drummer: Drummer, out: Arrangement) -> None:
    section = ctx.section(index)
    parts = cast.parts
    drum_bars = _bars(ctx, index, plays_drums)
    out.add("drums", drummer.section(index, drum_bars))
    if "bass" in parts:
        bass_bars = _bars(ctx, index, lambda n, e: e >= 0.22 or n not in CALM, final=True)
        out.add("bass", write_bass(ctx, cast.bass_style, bass_bars, drummer.kicks))
    chord_bars = _bars(ctx, index, lambda n, e: e >= 0.08)
    out.add("chords", _write_runs(ctx, chord_bars, lambda r: write_chords(ctx, cast.chord_style, r, index)))
    pad_test = (
        (lambda n, e: e >= 0.6)
        if cast.chord_style == "pad"
        else (lambda n, e: e < 0.5 or e >= 0.8 or n in CALM)
    )
    out.add("pad", _write_runs(ctx, _bars(ctx, index, pad_test), lambda r: write_pad(ctx, r)))
    high = _bars(ctx, index, lambda n, e: e >= 0.72 and n not in CALM)
    counter = layers.arpeggio if ctx.electronic else layers.guide_tones
    out.add("counter", _write_runs(ctx, high, lambda r: counter(ctx, r)))
    _melody(ctx, cast, index, out)
    if "fx" in parts and section.name == "build" and index + 1 < len(ctx.plan.sections):
        out.add(
            "fx", layers.riser(ctx, section.start_bar, section.end_bar, ctx.section(index + 1).name in MAIN)
        )
    if cast.vocal_texture:
        texture = _bars(ctx, index, lambda n, e: e >= 0.5 or n in ("breakdown", "bridge", "drift", "swell"))
        out.add("vocals", _write_runs(ctx, texture, lambda r: layers.vocal_texture(ctx, r)))


def _melody(ctx: Context, cast: Cast, index: int, out: Arrangement) -> None:
    """Lead (or sung line) for a section, with answers in its rests."""
    section = ctx.section(index)
    last = index == len(ctx.plan.sections) - 1
    if not plays_lead(section.name, section.energy, last):
        return
    sung = cast.vocal_line and section.name in SUNG
    low, high = (55, 77) if sung else (None, None)
    line = line_for(ctx, index, low=low, high=high)
    events = write_section(ctx, index, line)
    final = ctx.plan.bars - 1
    events = [e for e in events if e[0] < final * ctx.spb]
    answer_bars = set(ctx.bar_range(index))
    if sung:
        out.add("vocals", layers.vocal_line(ctx, events, 55, 79))
        out.add("lead", layers.responses(ctx, events, answer_bars))
    else:
        out.add("lead", events)
        if section.energy >= 0.55 and ctx.variance(section.start_bar) >= 0.3:
            out.add("counter", layers.responses(ctx, events, answer_bars))


def _ending(ctx: Context, cast: Cast, drummer: Drummer, out: Arrangement) -> None:
    """The last bar: final chord held, melody on the tonic, drums one hit."""
    final = ctx.plan.bars - 1
    at = float(final * ctx.spb)
    span = ctx.span_at(final * ctx.spb)
    energy = ctx.energy(final)
    vel = int(60 + 40 * energy)
    out.add("chords", [(at, float(ctx.spb), p, vel) for p in span.voicing])
    out.add("pad", [(at, float(ctx.spb), p + 12, vel - 16) for p in span.voicing[-3:]])
    lead = out.events.get("vocals" if cast.vocal_line else "lead") or out.events.get("lead") or []
    previous = lead[-1][2] if lead else 72
    tonic = nearest(previous, (span.scale.tonic,))
    out.add("vocals" if cast.vocal_line else "lead", [(at, float(ctx.spb), tonic, vel)])
    recent = (ctx.section(len(ctx.plan.sections) - 1).start_bar - 1) * ctx.spb
    if has_kit(ctx) and any(e[0] >= recent for e in out.events.get("drums", [])):
        out.add("drums", drummer.ending(final))


def arrange(ctx: Context, cast: Cast) -> Arrangement:
    """Events for every part of the piece."""
    out = Arrangement()
    drummer = Drummer(ctx)
    for index in range(len(ctx.plan.sections)):
        _section(ctx, cast, index, drummer, out)
    _ending(ctx, cast, drummer, out)
    for name, role in cast.doubles.items():
        out.events[name] = list(out.events.get(role, []))
    out.fills = sorted(drummer.fills)
    return out
