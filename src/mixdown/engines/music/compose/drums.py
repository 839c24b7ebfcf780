"""Drums from the style's step patterns: per-step probabilities, ghost notes, variants, fills
before section changes, crashes on section starts, snare rolls in builds and a final hit.

Each section (by name and material) realises its pattern twice — variant A and B — drawing
every probabilistic step once, so a groove repeats like a drummer's rather than flickering bar
to bar; the variance curve decides how often B replaces A. The rhythm curve adds or thins
hi-hat subdivisions; the energy of each bar picks the pattern level and scales velocities.
"""

from __future__ import annotations

import numpy as np

from mixdown.engines.music.compose.context import Context, Event
from mixdown.engines.music.plan import ENDINGS
from mixdown.engines.music.sampling import chance, choose
from mixdown.engines.music.style import DRUM_KEYS, DrumPattern

Hits = list[tuple[int, int, int]]  # step, GM key, velocity
LANE_VELOCITY = {
    "kick": 112,
    "kick2": 108,
    "snare": 104,
    "snare2": 100,
    "clap": 100,
    "rim": 84,
    "closed_hat": 80,
    "pedal_hat": 70,
    "open_hat": 84,
    "ride": 80,
    "ride_bell": 86,
    "shaker": 66,
    "tambourine": 72,
}
HATS = ("closed_hat", "shaker", "ride", "pedal_hat")
CRASH = DRUM_KEYS["crash"]
LEVELS = ("low", "mid", "high")


def regrid(pattern: DrumPattern, spb: int) -> dict[str, str]:
    """The pattern's lanes on ``spb`` steps (resampled by position in the bar)."""
    if pattern.steps == spb:
        return dict(pattern.lanes)
    lanes = {}
    for lane, text in pattern.lanes.items():
        cells = ["."] * spb
        for i, c in enumerate(text):
            if c not in ".-":
                cells[min(spb - 1, round(i * spb / pattern.steps))] = c
        lanes[lane] = "".join(cells)
    return lanes


def realise(lanes: dict[str, str], rng: np.random.Generator, ctx: Context) -> Hits:
    """Draw one bar from lanes: ``x`` hit, ``X`` accent, ``o`` ghost, digits are chances in tenths."""
    hits: Hits = []
    for lane in sorted(lanes):
        key, base = DRUM_KEYS[lane], LANE_VELOCITY.get(lane, 90)
        for step, c in enumerate(lanes[lane]):
            if c == "x":
                hits.append((step, key, base))
            elif c == "X":
                hits.append((step, key, min(127, base + 18)))
            elif c == "o":
                hits.append((step, key, max(25, base // 2 - 6)))
            elif c.isdigit() and chance(rng, int(c) / 10, ctx.sampling):
                hits.append((step, key, base - 10))
    return hits


def _level(ctx: Context, energy: float) -> str | None:
    """The style's pattern level nearest the bar's energy."""
    wanted = 0 if energy < 0.42 else 1 if energy < 0.72 else 2
    have = [i for i, name in enumerate(LEVELS) if name in ctx.style.drums]
    if not have:
        return next(iter(ctx.style.drums), None)
    return LEVELS[min(have, key=lambda i: (abs(i - wanted), -i))]


def _shape_hats(lanes: dict[str, str], rhythm: float, spb: int) -> dict[str, str]:
    """A busy rhythm curve fills hat sixteenths with ghosts; a calm one keeps only eighths."""
    out = dict(lanes)
    for lane in HATS:
        text = out.get(lane)
        if not text:
            continue
        if rhythm > 0.7:
            odds = str(min(9, round((rhythm - 0.5) * 12)))
            out[lane] = "".join(
                odds if c == "." and i % 2 and spb % 2 == 0 else c for i, c in enumerate(text)
            )
        elif rhythm < 0.3:
            out[lane] = "".join("." if i % 2 else c for i, c in enumerate(text))
    return out


def _fill(ctx: Context, rng: np.random.Generator, groove: Hits, energy: float) -> Hits:
    """The groove's bar with its end replaced by a fill (half a bar, a whole one when energy is high)."""
    spb = ctx.spb
    cut = spb // 2 if energy < 0.7 else spb // 4
    if ctx.style.fills:
        pattern = choose(rng, list(ctx.style.fills), [1.0] * len(ctx.style.fills), ctx.sampling)
        if not pattern.lanes:  # the style wants no fills
            return groove
        fill = [h for h in realise(regrid(pattern, spb), rng, ctx) if h[0] >= cut]
    else:
        toms = (DRUM_KEYS["high_tom"], DRUM_KEYS["mid_tom"], DRUM_KEYS["low_tom"], DRUM_KEYS["floor_tom"])
        fill = [
            (s, toms[min(3, (s - cut) * 4 // max(1, spb - cut))], 90 + 2 * (s - cut))
            for s in range(cut, spb, 2)
        ]
    if not fill:
        fill = [(s, DRUM_KEYS["snare"], 80 + 3 * (s - cut)) for s in range(cut, spb, 2)]
    kept = [
        h for h in groove if h[0] < cut or (h[1] in (DRUM_KEYS["kick"], DRUM_KEYS["kick2"]) and h[0] % 4 == 0)
    ]
    return kept + [(s, k, min(127, v)) for s, k, v in fill]


def _roll(ctx: Context, bar: int, section_end: int, groove: Hits) -> Hits:
    """A snare roll through the last bars of a build: eighths, then sixteenths, getting louder."""
    left = section_end - bar
    spb = ctx.spb
    every = 4 if left > 2 else 2 if left > 1 else 1
    snare = DRUM_KEYS["snare"] if "snare" in str(ctx.style.drums) else DRUM_KEYS["clap"]
    rise = (4 - min(4, left)) / 4
    roll = [(s, snare, int(60 + 50 * rise + 20 * s / spb)) for s in range(0, spb, every)]
    return [h for h in groove if h[1] != snare] + roll


def _is_kit(pattern: DrumPattern) -> bool:
    """Whether a pattern is a drum-kit groove (kick or snare), not just hand percussion."""
    return any(lane.startswith(("kick", "snare", "clap")) for lane in pattern.lanes)


def has_kit(ctx: Context) -> bool:
    """Whether the style plays a drum kit at all (ambient and solo piano do not)."""
    return any(_is_kit(p) for p in ctx.style.drums.values())


class Drummer:
    """Plays the drum part section by section, remembering where the kicks fall."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.kicks: dict[int, list[int]] = {}
        self.fills: list[int] = []
        self._variants: dict[tuple[str, int, str], tuple[Hits, Hits]] = {}

    def variants(self, index: int, level: str) -> tuple[Hits, Hits]:
        """Variants A and B of a section's groove at ``level`` (shared by sections with its material)."""
        section = self.ctx.section(index)
        key = (section.name, section.material, level)
        if key not in self._variants:
            rng = self.ctx.material_rng("drums", section, LEVELS.index(level))
            bar = section.start_bar + section.bars // 2
            lanes = _shape_hats(
                regrid(self.ctx.style.drums[level], self.ctx.spb), self.ctx.rhythm(bar), self.ctx.spb
            )
            self._variants[key] = (realise(lanes, rng, self.ctx), realise(lanes, rng, self.ctx))
        return self._variants[key]

    def section(self, index: int, bars: list[int]) -> list[Event]:
        """The drum events of section ``index`` for the bars where drums play."""
        ctx = self.ctx
        section = ctx.section(index)
        rng = ctx.rng("drums", index)
        out: list[Event] = []
        next_exists = index + 1 < len(ctx.plan.sections)
        for bar in bars:
            energy = ctx.energy(bar)
            level = _level(ctx, energy)
            if level is None:
                continue
            a, b = self.variants(index, level)
            k = bar - section.start_bar
            period = 2 if ctx.variance(bar) > 0.66 else 4 if ctx.variance(bar) > 0.33 else 8
            hits = b if k % period == period - 1 else a
            if bar == section.end_bar - 1 and next_exists:
                hits = _fill(ctx, rng, hits, energy)
                self.fills.append(bar)
            elif section.name == "build" and section.end_bar - bar <= 4:
                hits = _roll(ctx, bar, section.end_bar, hits)
            elif k % 8 == 7 and chance(rng, 0.3 + 0.5 * ctx.variance(bar), ctx.sampling):
                hits = _fill(ctx, rng, hits, 0.0) if k % 16 == 15 else hits
            if k == 0 and energy >= 0.35 and _is_kit(ctx.style.drums[level]):
                hits = [*hits, (0, CRASH, 110)]
            out += self._events(bar, hits, energy)
        return out

    def _events(self, bar: int, hits: Hits, energy: float) -> list[Event]:
        ctx = self.ctx
        base = bar * ctx.spb
        scale = 0.72 + 0.34 * energy
        kicks = sorted({s for s, key, _ in hits if key in (DRUM_KEYS["kick"], DRUM_KEYS["kick2"])})
        self.kicks[bar] = kicks
        length = {CRASH: 8.0, DRUM_KEYS["open_hat"]: 2.0}
        return [
            (float(base + s), length.get(key, 1.0), key, int(min(127, max(1, v * scale))))
            for s, key, v in hits
        ]

    def ending(self, bar: int) -> list[Event]:
        """The last bar: kick and crash together on the downbeat, left to ring."""
        at = float(bar * self.ctx.spb)
        self.kicks[bar] = [0]
        return [(at, float(self.ctx.spb), CRASH, 118), (at, 2.0, DRUM_KEYS["kick"], 118)]


def plays_drums(name: str, energy: float) -> bool:
    """Whether drums play a bar: not in breakdowns, not in the quietest intros and endings."""
    if name in ("breakdown", "drift"):
        return energy >= 0.75
    if name == "intro" or name in ENDINGS:
        return energy >= 0.22
    return energy >= 0.12
