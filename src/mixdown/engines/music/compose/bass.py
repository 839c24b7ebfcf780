"""Bass lines per style: patterns on the sixteenth grid with chord-relative tones, locked to the
kick where the style wants it, walking lines built beat by beat, and the final tonic held.

Pattern tones: ``R`` root (the slash bass when there is one), ``3``/``5``/``7`` chord tones,
``8`` the octave, ``N`` the next chord's root (anticipation), ``A`` a chromatic approach to it.
Each style has a pattern per energy level (low / mid / high).
"""

from __future__ import annotations

from mixdown.engines.music.compose.context import ChordSpan, Context, Event, beat_steps, map_step
from mixdown.engines.music.sampling import chance

Hit = tuple[int, int, str]  # step in a 16-step bar, length, tone

_EIGHTHS: list[Hit] = [(i, 2, "R") for i in range(0, 16, 2)]
_ROLLING: list[Hit] = [(i, 1, "R") for i in range(16) if i % 4]
PATTERNS: dict[str, dict[str, list[Hit]]] = {
    "root_eighths": {
        "low": [(i, 4, "R") for i in range(0, 16, 4)],
        "mid": _EIGHTHS,
        "high": [*_EIGHTHS[:6], (12, 2, "5"), (14, 2, "8")],
    },
    "offbeat": {
        "low": [(i, 2, "R") for i in range(2, 16, 4)],
        "mid": [(i, 2, "R") for i in range(2, 16, 4)],
        "high": _ROLLING,
    },
    "four_floor": {
        "low": [(i, 3, "R") for i in range(0, 16, 4)],
        "mid": [*((i, 3, "R") for i in range(0, 16, 4)), (14, 2, "8")],
        "high": [*((i, 2, "R") for i in range(0, 16, 4)), *((i, 1, "8") for i in range(2, 16, 4))],
    },
    "sub_808": {
        "low": [(0, 10, "R"), (10, 6, "R")],
        "mid": [(0, 6, "R"), (6, 4, "R"), (10, 6, "R")],
        "high": [(0, 6, "R"), (6, 4, "R"), (10, 3, "8"), (13, 3, "R")],
    },
    "syncopated_funk": {
        "low": [(0, 3, "R"), (6, 2, "R"), (10, 2, "5"), (14, 2, "8")],
        "mid": [(0, 2, "R"), (3, 1, "R"), (6, 2, "8"), (8, 2, "R"), (10, 1, "5"), (11, 1, "7"), (14, 2, "N")],
        "high": [
            (0, 2, "R"),
            (2, 1, "R"),
            (3, 1, "8"),
            (6, 2, "R"),
            (8, 1, "5"),
            (10, 1, "R"),
            (11, 1, "7"),
            (12, 2, "8"),
            (14, 1, "5"),
            (15, 1, "A"),
        ],
    },
    "arpeggio": {
        "low": [(0, 4, "R"), (4, 4, "5"), (8, 4, "8"), (12, 4, "5")],
        "mid": [
            (0, 2, "R"),
            (2, 2, "3"),
            (4, 2, "5"),
            (6, 2, "8"),
            (8, 2, "5"),
            (10, 2, "3"),
            (12, 2, "R"),
            (14, 2, "5"),
        ],
        "high": [(i, 1, "R358"[i % 4]) for i in range(16)],
    },
    "sustained": {"low": [(0, 16, "R")], "mid": [(0, 16, "R")], "high": [(0, 8, "R"), (8, 8, "R")]},
    "reggae": {
        "low": [(0, 6, "R"), (8, 6, "5")],
        "mid": [(0, 3, "R"), (4, 2, "R"), (7, 1, "3"), (8, 3, "5"), (12, 2, "8"), (14, 2, "7")],
        "high": [(0, 3, "R"), (4, 2, "R"), (7, 1, "3"), (8, 3, "5"), (12, 2, "8"), (14, 2, "7")],
    },
    "latin_tumbao": {
        "low": [(6, 6, "5"), (12, 4, "N")],
        "mid": [(6, 6, "5"), (12, 4, "N")],
        "high": [(0, 2, "R"), (6, 4, "5"), (10, 2, "8"), (12, 4, "N")],
    },
    "rock_drive": {
        "low": [(0, 8, "R"), (8, 8, "R")],
        "mid": _EIGHTHS,
        "high": [*_EIGHTHS[:6], (12, 2, "8"), (14, 2, "5")],
    },
    "alberti": {
        "low": [(0, 4, "R"), (4, 4, "5"), (8, 4, "3"), (12, 4, "5")],
        "mid": [(i, 2, "R535"[(i // 2) % 4]) for i in range(0, 16, 2)],
        "high": [(i, 2, "R535"[(i // 2) % 4]) for i in range(0, 16, 2)],
    },
    "walking": {},
    "none": {},
}
LOCK = {"sub_808", "syncopated_funk"}  # styles whose onsets follow the kick


def level(energy: float) -> str:
    """Pattern level for a bar's energy."""
    return "low" if energy < 0.45 else "mid" if energy < 0.75 else "high"


class BassLine:
    """Writes the bass of the whole piece, keeping the register continuous."""

    def __init__(self, ctx: Context, style: str, kicks: dict[int, list[int]]) -> None:
        self.ctx, self.style, self.kicks = ctx, style, kicks
        octave = ctx.style.bass_octave
        self.center = 12 * (octave + 1) + 5
        self.low, self.high = max(24, self.center - 14), self.center + 12
        self.prev = self.center

    def pitch(self, pc: int) -> int:
        """The pitch of ``pc`` nearest the last bass note, inside the bass range."""
        options = [p for p in range(self.low, self.high + 1) if p % 12 == pc % 12]
        best = min(options, key=lambda p: abs(p - self.prev) + 0.3 * abs(p - self.center))
        self.prev = best
        return best

    def tone(self, span: ChordSpan, tone: str, nxt: ChordSpan | None) -> int:
        """The MIDI pitch of a pattern tone over ``span``."""
        chord = span.chord
        if tone == "R":
            return self.pitch(chord.bass)
        root = self.pitch(chord.root) if tone != "N" else self.pitch((nxt or span).chord.root)
        if tone == "8":
            return root + 12 if root + 12 <= self.high + 7 else root
        if tone == "5":
            return root + (chord.fifth - chord.root) % 12
        if tone == "3":
            return root + ((chord.third if chord.third is not None else chord.root + 4) - chord.root) % 12
        if tone == "7":
            sevenths = [i for i in chord.intervals if i in (10, 11)]
            return root + (sevenths[0] if sevenths else 10)
        if tone == "A":
            target = self.pitch((nxt or span).chord.root)
            return target - 1 if target - 1 >= self.low else target + 1
        return root

    def bar(self, bar: int, energy: float) -> list[Event]:
        """The bass notes of one bar."""
        ctx = self.ctx
        if self.style == "walking":
            return self._walking(bar, energy)
        pattern = self._pattern(bar, energy)
        out: list[Event] = []
        base = bar * ctx.spb
        vel = int(78 + 40 * energy)
        for step, length, tone in pattern:
            at = base + step
            span = ctx.span_at(at)
            nxt = ctx.span_at(span.end) if span.end < ctx.total_steps else None
            pitch = self.tone(span, tone, nxt)
            end = min(at + length, span.end if tone != "N" else at + length, base + ctx.spb)
            accent = 10 if step % 4 == 0 else 0
            out.append(
                (float(at), float(max(1, end - at)), pitch, min(127, vel + accent - 12 * (length == 1)))
            )
        return out

    def _pattern(self, bar: int, energy: float) -> list[Hit]:
        ctx = self.ctx
        spb, meter = ctx.spb, ctx.plan.meter
        pattern = PATTERNS.get(self.style, {}).get(level(energy)) or PATTERNS["sustained"]["mid"]
        scale = beat_steps(meter) / 4
        mapped = [(map_step(s, meter, spb), length, t) for s, length, t in pattern]
        pattern = [
            (s, max(1, min(round(length * scale), spb - s)), t) for s, length, t in mapped if s is not None
        ]
        if self.style == "sustained" or not pattern:
            pattern = (
                [(0, spb, "R")] if energy < 0.75 else [(0, spb // 2, "R"), (spb // 2, spb - spb // 2, "R")]
            )
        kicks = self.kicks.get(bar)
        if self.style in LOCK and kicks:
            pattern = self._locked(pattern, kicks, spb)
        if ctx.rhythm(bar) < 0.3:  # a calm rhythm curve thins the line to its strong steps
            pattern = [h for h in pattern if h[0] % 4 == 0] or pattern[:1]
        return pattern

    @staticmethod
    def _locked(pattern: list[Hit], kicks: list[int], spb: int) -> list[Hit]:
        """Onsets moved onto the kick: each kick starts a note that lasts to the next onset."""
        tones = {s: t for s, _, t in pattern}
        steps = sorted(set(kicks) | {s for s in tones if s % 4 != 0})
        out = []
        for i, s in enumerate(steps):
            end = steps[i + 1] if i + 1 < len(steps) else spb
            out.append((s, max(1, end - s), tones.get(s, "R")))
        return out

    def _walking(self, bar: int, energy: float) -> list[Event]:
        """Quarter notes: root on the chord's first beat, chord and scale tones between, a
        chromatic approach into the next chord."""
        ctx = self.ctx
        beat = beat_steps(ctx.plan.meter)
        out: list[Event] = []
        vel = int(74 + 36 * energy)
        for step in range(0, ctx.spb, beat):
            at = bar * ctx.spb + step
            span = ctx.span_at(at)
            nxt = ctx.span_at(span.end) if span.end < ctx.total_steps else span
            if at == span.start:
                pitch = self.pitch(span.chord.bass)
            elif at + beat >= span.end:
                pitch = self.tone(span, "A", nxt)
            else:
                pitch = self._walk_step(span)
            out.append((float(at), float(beat - 1), pitch, vel + 6 * (step == 0)))
        return out

    def _walk_step(self, span: ChordSpan) -> int:
        """The next chord or scale tone a step or third from the last note."""
        pcs = set(span.chord.pcs) | set(span.scale.pcs)
        up = self.prev < self.center
        for delta in (2, 3, 4, 1) if up else (-2, -3, -4, -1):
            cand = self.prev + delta
            if cand % 12 in pcs and self.low <= cand <= self.high:
                self.prev = cand
                return cand
        return self.pitch(span.chord.root)


def write_bass(ctx: Context, style: str, bars: list[int], kicks: dict[int, list[int]]) -> list[Event]:
    """The bass events for ``bars`` (the ones where the bass plays) in ``style``."""
    if style == "none":
        return []
    line = BassLine(ctx, style, kicks)
    out: list[Event] = []
    final = ctx.plan.bars - 1
    for bar in bars:
        energy = ctx.energy(bar)
        if bar == final:
            span = ctx.span_at(bar * ctx.spb)
            out.append(
                (float(bar * ctx.spb), float(ctx.spb), line.pitch(span.chord.root), int(80 + 30 * energy))
            )
            continue
        notes = line.bar(bar, energy)
        section = ctx.section(ctx.plan.section_at(bar))
        if section.name in ("breakdown", "intro", "drift") and energy < 0.4:
            notes = [(s, float(ctx.spb), p, v - 15) for s, _, p, v in notes[:1]]
        elif chance(ctx.rng("bass-ghost", bar), 0.15 * ctx.variance(bar), ctx.sampling) and len(notes) > 2:
            notes = notes[:-1]  # the odd missing note keeps a repeated line alive
        out += notes
    return out
