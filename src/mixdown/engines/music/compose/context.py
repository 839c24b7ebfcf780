"""What every part generator shares: the plan, the key, the chord track and the curves per bar.

Parts write ``Event`` tuples on the sixteenth grid — ``(start step, length in steps, pitch,
velocity)`` with steps counted from the start of the piece — and ``humanize`` turns them into
timed ``Note`` objects at the end.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

import numpy as np

from mixdown.engines.music.compose.intent import Intent
from mixdown.engines.music.plan import Plan, PlannedSection
from mixdown.engines.music.sampling import component_rng, stable_id
from mixdown.engines.music.spec import MusicSpec, Sampling
from mixdown.engines.music.style import StyleProfile
from mixdown.engines.music.theory import Chord, Scale

Event = tuple[float, float, int, int]  # start step, length in steps, MIDI pitch, velocity


@dataclass(frozen=True)
class ChordSpan:
    """One chord of the harmony track on the step grid, with its keyboard voicing."""

    start: int
    end: int
    chord: Chord
    scale: Scale
    section: int
    voicing: tuple[int, ...]
    cadence: str = ""  # "final", "half" or ""


@dataclass
class Context:
    """The shared state of one composition (read-only once built)."""

    spec: MusicSpec
    seed: int
    style: StyleProfile
    intent: Intent
    plan: Plan
    scale: Scale
    spans: list[ChordSpan] = field(default_factory=list)
    _starts: list[int] = field(default_factory=list)

    def set_spans(self, spans: list[ChordSpan]) -> None:
        """Install the chord track (sorted by start)."""
        self.spans = spans
        self._starts = [s.start for s in spans]

    @property
    def sampling(self) -> Sampling:
        """The spec's sampling parameters."""
        return self.spec.sampling

    @property
    def spb(self) -> int:
        """Sixteenth steps per bar."""
        return self.plan.steps_per_bar

    @property
    def total_steps(self) -> int:
        """Steps in the whole piece (up to the tail)."""
        return self.plan.bars * self.spb

    def rng(self, name: str, *index: int) -> np.random.Generator:
        """The generator of one component for one item (section, material, bar...)."""
        return component_rng(self.seed, name, *index)

    def material_rng(self, name: str, section: PlannedSection, *index: int) -> np.random.Generator:
        """A generator shared by every section with the same name and material (repeats match)."""
        return component_rng(self.seed, name, stable_id(section.name), section.material, *index)

    def span_at(self, step: float) -> ChordSpan:
        """The chord sounding at ``step``."""
        i = max(0, bisect_right(self._starts, step) - 1)
        return self.spans[i]

    def spans_between(self, start: int, end: int) -> list[ChordSpan]:
        """Chords overlapping ``start..end`` (steps)."""
        i = max(0, bisect_right(self._starts, start) - 1)
        out = []
        while i < len(self.spans) and self.spans[i].start < end:
            if self.spans[i].end > start:
                out.append(self.spans[i])
            i += 1
        return out

    def energy(self, bar: int) -> float:
        """Energy of ``bar`` (section energy plus the intensity curve), 0..1."""
        return self.plan.bar_energy[min(max(bar, 0), self.plan.bars - 1)]

    def position(self, bar: int) -> float:
        """Where ``bar``'s middle lies in the piece, 0..1."""
        return (bar + 0.5) / self.plan.bars

    def tone(self, bar: int) -> float:
        """Brightness wanted at ``bar``: the tone curve plus the moods, 0..1."""
        return min(1.0, max(0.0, self.spec.tone.unit(self.position(bar)) + 0.35 * self.intent.brightness))

    def rhythm(self, bar: int) -> float:
        """Rhythmic activity wanted at ``bar`` (subdivision and syncopation), 0..1."""
        return self.spec.rhythm.unit(self.position(bar))

    def variance(self, bar: int) -> float:
        """How much patterns and motifs should change at ``bar``, 0..1."""
        return self.spec.variance.unit(self.position(bar))

    def section(self, index: int) -> PlannedSection:
        """The planned section ``index``."""
        return self.plan.sections[index]

    def bar_range(self, index: int) -> range:
        """The bars of section ``index``."""
        section = self.plan.sections[index]
        return range(section.start_bar, section.end_bar)

    @property
    def electronic(self) -> bool:
        """Whether the style is machine-tight (less timing humanisation, more sidechain)."""
        return self.style.family.lower() in (
            "electronic",
            "edm",
            "dance",
            "hip-hop",
            "hip_hop",
            "hip hop",
            "chiptune",
        )

    def beat_strength(self, step: int) -> float:
        """1 on the downbeat, 0.6 on other beats (0.8 mid-bar in 4/4), 0.3 on half beats, else 0.1."""
        return metric_strength(step % self.spb, self.spb, self.plan.meter)


def beat_steps(meter: tuple[int, int]) -> int:
    """Steps (sixteenths) in one felt beat: a dotted quarter in compound meters, else the denominator."""
    num, den = meter
    if den == 8 and num % 3 == 0 and num > 3:
        return 6
    return max(1, 16 // den)


def metric_strength(step: int, spb: int, meter: tuple[int, int]) -> float:
    """The metric weight of a step within a bar."""
    if step == 0:
        return 1.0
    beat = beat_steps(meter)
    if spb % 2 == 0 and step == spb // 2 and (spb // 2) % beat == 0:
        return 0.8
    if step % beat == 0:
        return 0.6
    if (beat % 2 == 0 and step % (beat // 2) == 0) or (beat == 6 and step % 2 == 0):
        return 0.3
    return 0.1


def map_step(step: int, meter: tuple[int, int], spb: int) -> int | None:
    """Where a step of a 16-step 4/4 pattern falls in a bar of ``meter`` (None if past its end).

    Beats map to beats (a dotted quarter in compound meters), sixteenths within a beat to the
    nearest subdivision, so a 4/4 figure keeps its shape in 3/4, 6/8 or 12/8.
    """
    if spb == 16 and meter[1] == 4:
        return step
    beat = beat_steps(meter)
    mapped = (step // 4) * beat + round((step % 4) * beat / 4)
    return mapped if mapped < spb else None
