"""Lyric lines onto bars: each line gets whole bars, each lyric section starts on an audio section.

A line takes one unit of bars (two bars at most tempos, one when bars are long, four when they
are short: about 3.5-7 s), or more units when its syllables do not fit on eighth notes. A lyric
section starts at the start of an audio section (:mod:`.structure`) when the rest of the lyrics
still fit after it; choruses prefer the louder sections and nothing is left waiting for long. A
quiet first section (an intro) is skipped when there is room. Lines that do not fit in the
instrumental are dropped, with a warning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mixdown.engines.singing.instrumental import Instrumental
from mixdown.engines.singing.lyrics import LyricLine, LyricSection
from mixdown.engines.singing.syllables import Syllable, syllabify

UNSUNG_BARS = 4  # an [Instrumental] or [Solo] tag leaves this many bars free
INTRO_QUIETER_DB = 3.0
_WAIT_COST = 0.3  # per unit of bars left empty before a section
_QUIET_CHORUS_COST = 1.0
_LOUD_VERSE_COST = 0.3


@dataclass(frozen=True)
class SyllableSlot:
    """One syllable to sing: its word's index in the line and the syllable."""

    word: int
    syllable: Syllable


@dataclass(frozen=True)
class PlacedLine:
    """A lyric line on its bars."""

    section: int  # index among the lyric sections
    kind: str
    number: int  # line number in the whole lyrics, from 0
    line: LyricLine
    syllables: tuple[SyllableSlot, ...]
    start_bar: int
    bar_count: int

    @property
    def chorus_like(self) -> bool:
        """Whether it belongs to a chorus, hook or refrain."""
        return self.kind in ("chorus", "hook", "refrain", "post-chorus")


def line_syllables(line: LyricLine) -> tuple[SyllableSlot, ...]:
    """Every sung syllable of a line with the index of its written word.

    Examples
    --------
    >>> from mixdown.engines.singing.lyrics import parse_line
    >>> [(s.word, s.syllable.phones) for s in line_syllables(parse_line("Happy 2"))]
    [(0, ('HH', 'AE')), (0, ('P', 'IY')), (1, ('T', 'UW'))]
    """
    return tuple(
        SyllableSlot(index, syllable)
        for index, word in enumerate(line.words)
        for spoken in word.spoken
        for syllable in syllabify(spoken)
    )


def bars_per_unit(bar_seconds: float) -> int:
    """Bars per line unit: 2 for bars of 1.6-3.5 s, 1 for longer, 4 for shorter.

    Examples
    --------
    >>> bars_per_unit(2.0), bars_per_unit(4.0), bars_per_unit(1.0)
    (2, 1, 4)
    """
    if bar_seconds > 3.5:
        return 1
    return 2 if bar_seconds >= 1.6 else 4


def eighth_capacity(beats: int) -> int:
    """Syllables that fit on eighth notes in ``beats`` beats, half a beat kept for breath."""
    return 2 * beats - 1


def units_needed(syllables: int, unit_beats: int) -> int:
    """Line units for a line: eighth notes where they fit, else sixteenths over the fewest units.

    Examples
    --------
    >>> units_needed(10, 8), units_needed(20, 8), units_needed(40, 8)
    (1, 2, 2)
    """
    for units in (1, 2):
        if syllables <= eighth_capacity(units * unit_beats):
            return units
    return max(2, int(np.ceil((syllables + 2) / (4 * unit_beats))))


@dataclass(frozen=True)
class _Plan:
    unit: int
    per_bar: int
    total_bars: int
    starts: tuple[int, ...]  # audio section starts (bars)
    loud: dict[int, float]  # start bar -> loudness relative to the median section (dB)


def _plan(song: Instrumental) -> _Plan:
    seconds = (song.bars[0].end - song.bars[0].start) if song.bars else 2.0
    sections = song.sections or ()
    median = float(np.median([s.loudness_db for s in sections])) if sections else 0.0
    return _Plan(
        unit=bars_per_unit(seconds),
        per_bar=song.beats_per_bar,
        total_bars=len(song.bars),
        starts=tuple(s.start_bar for s in sections) or (0,),
        loud={s.start_bar: s.loudness_db - median for s in sections},
    )


def _needs(section: LyricSection, plan: _Plan) -> list[int]:
    """Bars for each line of a section (one entry of ``UNSUNG_BARS`` for an unsung section)."""
    if not section.lines:
        return [UNSUNG_BARS]
    beats = plan.unit * plan.per_bar
    return [plan.unit * units_needed(len(line_syllables(line)), beats) for line in section.lines]


def _first_bar(song: Instrumental, plan: _Plan, total_need: int) -> int:
    """Skip a quiet intro section when the lyrics still fit after it."""
    sections = song.sections
    quiet = len(sections) > 1 and plan.loud[sections[0].start_bar] < -INTRO_QUIETER_DB
    if quiet and sections[0].end_bar + total_need <= plan.total_bars:
        return sections[0].end_bar
    return 0


def _section_start(cursor: int, need: int, later: int, chorus: bool, plan: _Plan) -> int:
    """The best audio-section start for a lyric section at or after ``cursor``; else ``cursor``."""
    options = [b for b in plan.starts if b >= cursor and b + need + later <= plan.total_bars]
    if not options:
        return cursor

    def cost(bar: int) -> float:
        loudness = plan.loud.get(bar, 0.0)
        fit = _QUIET_CHORUS_COST * (loudness < 0) if chorus else _LOUD_VERSE_COST * (loudness > 2)
        return _WAIT_COST * (bar - cursor) / plan.unit + fit

    return min(options, key=cost)


def place_lines(sections: Sequence[LyricSection], song: Instrumental) -> tuple[list[PlacedLine], list[str]]:
    """Every line that fits on its bars, and warnings for what did not.

    Examples
    --------
    >>> from mixdown.engines.singing.instrumental import Bar
    >>> from mixdown.engines.singing.lyrics import parse_lyrics
    >>> from mixdown.engines.singing.structure import AudioSection
    >>> bars = tuple(Bar((2.0 * i, 2.0 * i + 0.5, 2.0 * i + 1, 2.0 * i + 1.5), 2.0 * i + 2) for i in range(8))
    >>> sections = (AudioSection(0, 4, -20.0), AudioSection(4, 4, -12.0))
    >>> song = Instrumental(16.0, 120.0, 4, 0, "major", bars, (), sections)
    >>> placed, warnings = place_lines(parse_lyrics("[Chorus]\\nOh my love\\nStay with me"), song)
    >>> [(p.line.text, p.start_bar, p.bar_count) for p in placed], warnings
    ([('Oh my love', 4, 2), ('Stay with me', 6, 2)], [])
    """
    plan = _plan(song)
    needs = [_needs(s, plan) for s in sections]
    cursor = _first_bar(song, plan, sum(map(sum, needs)))
    placed: list[PlacedLine] = []
    dropped = 0
    for index, (section, need) in enumerate(zip(sections, needs, strict=True)):
        later = sum(map(sum, needs[index + 1 :]))
        cursor = _section_start(cursor, sum(need), later, section.chorus_like, plan)
        first_number = sum(len(s.lines) for s in sections[:index])
        for offset, (line, bars) in enumerate(zip(section.lines, need, strict=False)):
            if cursor + bars > plan.total_bars:
                dropped += 1
                continue
            slots = line_syllables(line)
            placed.append(PlacedLine(index, section.kind, first_number + offset, line, slots, cursor, bars))
            cursor += bars
        if not section.lines:
            cursor = min(plan.total_bars, cursor + need[0])
    warnings = (
        [f"{dropped} lyric line(s) did not fit in the instrumental and were not sung"] if dropped else []
    )
    return placed, warnings
