"""The Plan: form, bar count, tempo and energy, fitted so the piece ends exactly on time.

``plan(spec, style, rng)`` picks a section template from the style (bent by ``spec.structure``),
a bar count and — unless the prompt stated a BPM — a tempo inside the style's range such that
``bars * bar_seconds + tail == spec.duration`` with a ring-out tail of 0.5-4 s. Long pieces
stretch sections up to twice their usual length and then repeat the template's core, marking
which repeats bring new material and where a middle episode moves to another key.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mixdown.engines.music.sampling import chance, choose
from mixdown.engines.music.spec import MusicSpec
from mixdown.engines.music.style import StyleProfile

MIN_TAIL, MAX_TAIL = 0.5, 4.0
# Each kind of section: usual length in bars (4/4) and energy (0..1); unknown kinds get 8 and 0.6.
_KINDS = """
    intro 8 .30   verse 16 .50   pre_chorus 8 .62   chorus 16 .80   bridge 8 .55   build 8 .60
    drop 16 .95   breakdown 16 .30   outro 8 .30   groove 16 .60   peak 16 .90   solo 16 .70
    interlude 8 .40   hook 8 .80   head 16 .65   theme 16 .60   development 16 .65   main 16 .70
    climax 16 .92   coda 8 .35   drift 16 .30   swell 16 .55   trio 16 .45   variation 16 .60
"""
_TRIPLES = re.findall(r"(\w+) (\d+) ([.\d]+)", _KINDS)
NOMINAL = {name: int(bars) for name, bars, _ in _TRIPLES}
ENERGY = {name: float(energy) for name, _, energy in _TRIPLES}
ENDINGS = ("outro", "coda")
# Main sections, most "main" first: the one a short piece keeps, the ones a build leads into.
MAIN = (
    "drop",
    "chorus",
    "peak",
    "climax",
    "hook",
    "head",
    "theme",
    "main",
    "swell",
    "groove",
    "verse",
    "solo",
)
_SYNONYMS = """prechorus:pre_chorus pre:pre_chorus buildup:build build_up:build break:breakdown
    ending:outro refrain:chorus riser:build middle8:bridge break_down:breakdown"""
SYNONYMS = dict(pair.split(":", 1) for pair in _SYNONYMS.split())


@dataclass(frozen=True)
class PlannedSection:
    """One section: its place, energy, which material it plays and its key shift."""

    name: str
    start_bar: int
    bars: int
    energy: float
    occurrence: int  # how many sections of this name came before
    material: int  # sections with the same name and material play the same ideas
    transpose: int = 0  # semitones from the home key

    @property
    def end_bar(self) -> int:
        """The bar after the last one."""
        return self.start_bar + self.bars


@dataclass(frozen=True)
class Plan:
    """Tempo, meter, bar count, tail and form: everything time-related the parts share."""

    bpm: float
    meter: tuple[int, int]
    bars: int
    tail: float
    duration: float
    sections: tuple[PlannedSection, ...]
    bar_energy: tuple[float, ...]

    @property
    def bar_seconds(self) -> float:
        """Length of one bar (a beat is a quarter note, as in ``Score``)."""
        return 60.0 / self.bpm * self.meter[0] * 4 / self.meter[1]

    @property
    def steps_per_bar(self) -> int:
        """Sixteenth-note steps per bar."""
        return self.meter[0] * 16 // self.meter[1]

    @property
    def step_seconds(self) -> float:
        """Length of one sixteenth."""
        return self.bar_seconds / self.steps_per_bar

    @property
    def music_end(self) -> float:
        """When the tail starts: no note starts at or after this time."""
        return self.duration - self.tail

    def section_at(self, bar: int) -> int:
        """Index of the section holding ``bar``."""
        for i, section in enumerate(self.sections):
            if bar < section.end_bar:
                return i
        return len(self.sections) - 1


def quarters_per_bar(meter: tuple[int, int]) -> float:
    """Quarter notes in one bar of ``meter``."""
    return meter[0] * 4 / meter[1]


def _bar_cost(bars: int) -> float:
    return 0.8 * (bars % 4 != 0) + 0.4 * (bars % 8 != 0 and bars > 16)


def fit_explicit(duration: float, bar_seconds: float, tail: float) -> tuple[int, float]:
    """(bars, tail) for a fixed tempo: the tail in range closest to ``tail``."""
    best: tuple[float, int] | None = None
    for bars in range(max(1, int((duration - MAX_TAIL) / bar_seconds)), int(duration / bar_seconds) + 1):
        rest = duration - bars * bar_seconds
        if bars >= 1 and MIN_TAIL <= rest <= MAX_TAIL:
            cost = abs(rest - tail) + 0.3 * _bar_cost(bars)
            if best is None or cost < best[0]:
                best = (cost, bars)
    if best is not None:
        return best[1], duration - best[1] * bar_seconds
    # Bars too long for any tail in range: the last chord rings longer (or a tiny piece is cut).
    bars = max(1, int((duration - MIN_TAIL) / bar_seconds))
    return bars, max(duration - bars * bar_seconds, min(MIN_TAIL, duration * 0.25))


def fit_tempo(
    duration: float, meter: tuple[int, int], tempo: tuple[float, float], target: float, tail: float
) -> tuple[float, int, float]:
    """(bpm, bars, tail) inside ``tempo`` nearest ``target``, tail in 0.5-4 s."""
    qpb = quarters_per_bar(meter)
    best: tuple[float, float, int] | None = None
    lo_tail, hi_tail = MIN_TAIL, min(MAX_TAIL, max(MIN_TAIL, duration * 0.4))
    for bars in range(1, int(duration * tempo[1] / 60 / qpb) + 2):
        # The tempo range this bar count allows, given the tail range.
        fast, slow = 60 * qpb * bars / max(duration - hi_tail, 1e-6), 60 * qpb * bars / (duration - lo_tail)
        low, high = max(tempo[0], slow), min(tempo[1], fast)
        if low > high:
            continue
        ideal = 60 * qpb * bars / max(duration - tail, 1e-6)
        for aim in (target, ideal, (target + ideal) / 2):
            bpm = round(min(high, max(low, aim)), 2)
            rest = duration - bars * 60 / bpm * qpb
            if not lo_tail - 1e-9 <= rest <= hi_tail + 1e-9:
                continue
            cost = 6 * abs(bpm - target) / target + 0.3 * abs(rest - tail) + 0.6 * _bar_cost(bars)
            if best is None or cost < best[0]:
                best = (cost, bpm, bars)
    if best is None:  # shorter than one bar of the range: one bar at whatever tempo fits
        rest = min(MAX_TAIL, max(MIN_TAIL, duration * 0.3))
        if duration - rest <= 0:
            rest = duration / 2
        bpm = round(60 * qpb / (duration - rest), 2)
        return bpm, 1, duration - 60 / bpm * qpb
    _, bpm, bars = best
    return bpm, bars, duration - bars * 60 / bpm * qpb


def section_name(word: str, *, synonyms: bool = True) -> str:
    """Canonical section name of a word ("Pre-Chorus" -> "pre_chorus", "build-up" -> "build")."""
    name = re.sub(r"[\s\-]+", "_", word.strip().lower())
    return SYNONYMS.get(name, SYNONYMS.get(name.replace("_", ""), name)) if synonyms else name


def structure_hints(structure: Sequence[str]) -> list[list[str]]:
    """Section-name sequences named by the prompt ("intro-drop" -> ["intro", "drop"])."""
    hints = []
    for entry in structure:
        text = entry.lower().replace("pre-chorus", "prechorus").replace("build-up", "buildup")
        text = text.replace("break-down", "breakdown").replace("build up", "buildup")
        names = [section_name(w) for w in re.split(r"[\s,/>\-+]+", text) if w]
        names = [n for n in names if n in NOMINAL or n in ENERGY]
        if names:
            hints.append(names)
    return hints


def _match(template: Sequence[str], hint: Sequence[str]) -> float:
    """Share of ``hint`` found in ``template`` in order."""
    pos, found = 0, 0
    for name in hint:
        if name in template[pos:]:
            pos = list(template).index(name, pos) + 1
            found += 1
    return found / len(hint)


def _from_hint(hint: list[str]) -> list[str]:
    """A whole form around a short hint such as ["verse", "chorus"] or ["intro", "drop"]."""
    if len(hint) >= 4:
        return hint
    if "drop" in hint:
        return ["intro", "build", "drop", "breakdown", "build", "drop", "outro"]
    core = [n for n in hint if n not in ("intro", "outro")] or ["verse", "chorus"]
    return ["intro", *core, *core, "bridge" if "bridge" not in core else "breakdown", core[-1], "outro"]


def _insert(template: list[str], name: str) -> list[str]:
    """Add a single requested section where it belongs."""
    if name in template:
        return template
    mains = [i for i, n in enumerate(template) if n in MAIN[:8]]
    if name == "build" and mains:
        return [*template[: mains[0]], "build", *template[mains[0] :]]
    if name in ("breakdown", "bridge") and len(mains) > 1:
        return [*template[: mains[-1]], name, *template[mains[-1] :]]
    if name == "intro":
        return ["intro", *template]
    if name == "outro":
        return template if template[-1] in ENDINGS else [*template, "outro"]
    return [*template[:-1], name, *template[-1:]] if len(template) > 1 else [*template, name]


def choose_template(style: StyleProfile, spec: MusicSpec, rng: np.random.Generator, pull: float) -> list[str]:
    """A section template from the style, bent towards ``spec.structure`` by ``pull`` (0..1)."""
    templates = [[section_name(n, synonyms=False) for n in t] for t in style.sections] or [
        ["intro", "verse", "chorus", "outro"]
    ]
    hints = structure_hints(spec.structure)
    sequences = [h for h in hints if len(h) > 1]
    weights = [1.0 + 20 * pull * sum(_match(t, h) ** 2 for h in sequences) for t in templates]
    template = list(choose(rng, templates, weights, spec.sampling))
    if sequences and pull >= 0.3 and max(_match(template, h) for h in sequences) < 1.0:
        template = _from_hint(sequences[0])
    if pull >= 0.2:
        for hint in (h for h in hints if len(h) == 1):
            template = _insert(template, hint[0])
    return template


def _core(template: list[str]) -> tuple[int, int]:
    """Start and end index of the part of a template between its intro and outro."""
    start = next((i for i, n in enumerate(template) if n != "intro"), 0)
    end = len(template) - next((i for i, n in enumerate(reversed(template)) if n not in ENDINGS), 0)
    return (start, end) if end > start else (0, len(template))


def _shrink(names: list[str], bars: int) -> list[str]:
    """Drop the least needed sections until two bars each fit."""
    order = sorted(range(len(names)), key=lambda i: _keep_rank(names, i))
    kept = set(order[: max(1, bars // 4 if bars >= 8 else bars // 2)])
    return [n for i, n in enumerate(names) if i in kept]


def _keep_rank(names: list[str], i: int) -> tuple[int, int]:
    name = names[i]
    main = min((MAIN.index(n) for n in names if n in MAIN), default=0)
    if name in MAIN and MAIN.index(name) == main and name not in names[:i]:
        return (0, i)
    return ({"intro": 1, "outro": 2, "verse": 3, "chorus": 3, "build": 4}.get(name, 5), i)


def _cap(name: str) -> int:
    """The most bars a section of this kind should last (an intro of 24 bars is a long wait)."""
    return 16 if name in ("intro", "build", "pre_chorus", "bridge", *ENDINGS) else 32


def _capacity(names: list[str]) -> int:
    return sum(min(2 * NOMINAL.get(n, 8), _cap(n)) for n in names)


def arrange_form(
    template: list[str], bars: int, meter: tuple[int, int], cycle: int = 0
) -> list[tuple[str, int]]:
    """(name, bars) per section summing exactly to ``bars``.

    Sections stretch up to twice their usual length (within their cap); beyond that the
    template's core (between intro and outro) repeats; short pieces drop the least needed.
    A ``cycle`` that is not a power-of-two phrase (the 12-bar blues) becomes the unit of length.
    """
    shrink = min(1.0, 4 / quarters_per_bar(meter))  # long compound bars: fewer of them per section
    names = list(template)
    if bars > _capacity(names):
        start, end = _core(template)
        head, core, tail = names[:start], names[start:end], names[end:]
        body = list(core)
        while _capacity(head + body + tail) < bars:
            body += core
        names = head + body + tail
    nominal = [max(2, round(NOMINAL.get(n, 8) * shrink)) for n in names]
    if sum(nominal) > bars * 1.6 and len(names) * 4 > bars:
        names = [n for i, n in enumerate(_shrink(names, bars)) if i == 0 or n != _shrink(names, bars)[i - 1]]
        nominal = [NOMINAL.get(n, 8) for n in names]
    stretch = min(2.0, bars / sum(nominal))
    targets = [n * stretch for n in nominal]
    unit = cycle if cycle % 4 and cycle > 2 and bars >= cycle * len(names) else 0
    return list(zip(names, _distribute(targets, bars, [_cap(n) for n in names], unit), strict=True))


def _distribute(targets: list[float], bars: int, caps: list[int] | None = None, unit: int = 0) -> list[int]:
    """Integer bar counts near ``targets`` in whole phrases, summing to ``bars``; growth prefers
    sections under their ``caps`` (an intro of 24 bars is a long wait)."""
    sections = len(targets)
    caps = [max(c, unit) for c in caps] if caps else [bars] * sections
    if not unit:
        unit = 8 if bars >= 12 * sections else 4 if bars >= 4 * sections else 2 if bars >= 2 * sections else 1
    counts = [max(unit, unit * round(t / unit)) for t in targets]
    while sum(counts) > bars and max(counts) > unit:
        i = max(range(len(counts)), key=lambda j: counts[j] - targets[j] + 0.01 * counts[j])
        if counts[i] <= unit:
            break
        counts[i] -= unit
    while sum(counts) + unit <= bars:
        open_ = [j for j in range(sections) if counts[j] + unit <= caps[j]] or list(range(sections))
        i = min(open_, key=lambda j: counts[j] - targets[j])
        counts[i] += unit
    if sum(counts) > bars:  # fewer bars than sections: one bar each from the start
        counts = [1 if i < bars else 0 for i in range(len(counts))]
        counts[-1] += bars - sum(counts)
    counts[-1] += bars - sum(counts)
    return counts


def _energy(name: str, occurrence: int, style: StyleProfile, bias: float) -> float:
    base = style.section_energy.get(name, ENERGY.get(name, 0.6))
    if base >= 0.75:  # later choruses and drops lift a little: the piece grows
        base += min(0.08, 0.04 * occurrence)
    return min(1.0, max(0.05, base + bias))


def _materials(
    form: list[tuple[str, int]], spec: MusicSpec, rng: np.random.Generator
) -> list[tuple[int, int]]:
    """(occurrence, material) per section: repeats reuse ideas, variance brings new ones."""
    seen: dict[str, list[int]] = {}
    out, start, total = [], 0, sum(b for _, b in form)
    for name, bars in form:
        used = seen.setdefault(name, [])
        if not used:
            material = 0
        else:
            variance = spec.variance.unit((start + bars / 2) / total)
            worn = used.count(used[-1]) >= 3  # a third repeat of the same ideas is one too many
            fresh = worn or chance(rng, 0.08 + 0.55 * variance, spec.sampling)
            material = max(used) + 1 if fresh else used[-1]
        out.append((len(used), material))
        used.append(material)
        start += bars
    return out


def _episode(
    form: list[tuple[str, int]], spec: MusicSpec, rng: np.random.Generator, seconds: float
) -> list[int]:
    """Semitone shift per section: long pieces may move a middle episode to another key."""
    shifts = [0] * len(form)
    if seconds < 180 or len(form) < 6 or {"key", "key_tonic", "modulation"} & spec.explicit == {"modulation"}:
        return shifts
    if not chance(rng, 0.3 + 0.5 * spec.variance.unit(0.5), spec.sampling):
        return shifts
    total, start = sum(b for _, b in form), 0
    middle = []
    for i, (name, bars) in enumerate(form):
        if start / total >= 0.35 and (start + bars) / total <= 0.72 and name not in ("intro", "outro"):
            middle.append(i)
        start += bars
    if not middle:
        return shifts
    shift = choose(rng, (5, 7, 2, -2, 3), (3.0, 2.0, 2.0, 1.0, 1.0), spec.sampling)
    for i in middle[:3]:
        shifts[i] = shift
    return shifts


def _bar_energy(sections: list[PlannedSection], spec: MusicSpec, bars: int) -> tuple[float, ...]:
    """Energy of every bar: the section's, ramps through builds, plus the intensity curve."""
    weight = 0.9 if "intensity" in spec.explicit else 0.7
    out = []
    for i, section in enumerate(sections):
        after = sections[i + 1].energy if i + 1 < len(sections) else section.energy
        for k in range(section.bars):
            frac = (k + 1) / section.bars
            energy = section.energy
            if section.name == "build":
                energy = 0.8 * section.energy + frac * (max(after, section.energy) - 0.8 * section.energy)
            elif section.name in ENDINGS:
                energy -= 0.15 * frac
            bar = section.start_bar + k
            energy += weight * (spec.intensity.unit((bar + 0.5) / bars) - 0.5)
            out.append(min(1.0, max(0.02, energy)))
    return _fades(out, sections, spec)


def _fades(energy: list[float], sections: list[PlannedSection], spec: MusicSpec) -> tuple[float, ...]:
    """A requested fade-in or fade-out ramps the first or last section's energy (and with it the
    velocities and the expression controller)."""
    words = {re.sub(r"[\s\-]+", "_", w.lower()) for w in spec.structure}
    if words & {"fade_in", "fadein"} and sections:
        first = sections[0].bars
        for b in range(first):
            energy[b] *= 0.15 + 0.85 * b / first
    if words & {"fade_out", "fadeout"} and sections:
        last = sections[-1]
        for k in range(last.bars):
            energy[last.start_bar + k] *= 1.0 - 0.85 * (k + 1) / last.bars
    return tuple(max(0.02, e) for e in energy)


def _cycle(style: StyleProfile) -> int:
    """Bars of the style's heaviest progression (12 for a 12-bar blues)."""
    if not style.progressions:
        return 0
    prog = max(style.progressions, key=lambda p: p.weight)
    return round(len(prog.chords) * style.harmonic_rhythm)


def preferred_tail(style: StyleProfile, duration: float) -> float:
    """How long the ending rings: longer for roomy, slow styles; short for tiny pieces."""
    tail = 2.0 + 1.5 * max(0.0, style.mix.get("reverb_size", 0.5) - 0.5) + 0.6 * (style.default_tempo < 90)
    return max(MIN_TAIL, min(tail, MAX_TAIL, duration * 0.2))


def plan(
    spec: MusicSpec,
    style_blend: StyleProfile,
    rng: np.random.Generator,
    *,
    energy_bias: float = 0.0,
    tempo_target: float | None = None,
    structure_pull: float = 0.63,
) -> Plan:
    """The Plan for ``spec`` in the (blended) style.

    Parameters
    ----------
    spec
        The request; an explicit ``bpm`` is honoured exactly, ``duration`` always is.
    style_blend
        The style, or the blend of several as one profile.
    rng
        The planner's own generator.
    energy_bias
        Added to every section's energy (moods such as "chill" or "energetic").
    tempo_target
        The tempo to aim at when none was stated (default ``spec.bpm``).
    structure_pull
        How far ``spec.structure`` overrides the style's templates (from guidance_scale).
    """
    duration, meter = float(spec.duration), spec.meter
    tail = preferred_tail(style_blend, duration)
    if "bpm" in spec.explicit:
        bpm = float(spec.bpm)
        bars, tail = fit_explicit(duration, 60 / bpm * quarters_per_bar(meter), tail)
    else:
        low, high = style_blend.tempo
        target = tempo_target or spec.bpm
        if not low * 0.85 <= target <= high * 1.15:
            target = style_blend.default_tempo
        bpm, bars, tail = fit_tempo(
            duration, meter, (min(low, target) * 0.97, max(high, target) * 1.03), target, tail
        )
    form = arrange_form(
        choose_template(style_blend, spec, rng, structure_pull), bars, meter, _cycle(style_blend)
    )
    form = [(n, b) for n, b in form if b > 0]
    materials = _materials(form, spec, rng)
    shifts = _episode(form, spec, rng, duration)
    sections, start = [], 0
    for (name, count), (occurrence, material), shift in zip(form, materials, shifts, strict=True):
        energy = _energy(name, occurrence, style_blend, energy_bias)
        sections.append(PlannedSection(name, start, count, energy, occurrence, material, shift))
        start += count
    return Plan(bpm, meter, bars, tail, duration, tuple(sections), _bar_energy(sections, spec, bars))


def describe(p: Plan) -> str:
    """A one-line summary, e.g. for logs: ``128.0 bpm, 64 bars: intro 8, build 8, ...``."""
    parts = ", ".join(
        f"{s.name} {s.bars}" + (f" (+{s.transpose})" if s.transpose else "") for s in p.sections
    )
    return f"{p.bpm:g} bpm, {p.bars} bars, tail {p.tail:.2f} s: {parts}"


def fits(p: Plan) -> bool:
    """Whether the plan's bars plus tail make exactly its duration."""
    return math.isclose(p.bars * p.bar_seconds + p.tail, p.duration, abs_tol=1e-6)
