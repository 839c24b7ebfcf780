"""The vocal melody: one note per syllable, on the line's bars, in the key and on the chords.

Rhythm: the line's beats are cut into eighths (sixteenths when the syllables need them); every
stressed syllable starts a foot on a beat, long, with its unstressed followers one unit each, and
the last syllable holds until half a beat before the line's end (a breath). Pitch: a Viterbi
pass over the candidate notes of each syllable in the voice's register -- chord tones for notes
on a beat, long notes and the last note, chord and scale tones elsewhere -- minimising leaps
(steps are free, a repeated note costs a little, leaps of more than a fifth a lot), the distance
to a contour (an arch, a rise or a fall, a few semitones higher in choruses) and a small seeded
jitter. The random state is seeded by the request's seed and the line's text and chords, so a
repeated chorus line over the same chords gets the same tune.
"""

from __future__ import annotations

import itertools
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mixdown.engines.singing.instrumental import Instrumental
from mixdown.engines.singing.placement import PlacedLine, SyllableSlot, eighth_capacity
from mixdown.engines.singing.style import SingingStyle
from mixdown.engines.singing.syllables import Syllable

NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
CHORUS_LIFT = 3  # semitones
_JITTER = 0.35
_CONTOUR_WEIGHT = 0.08
_CROSSING_COST = 0.4  # a long note whose pitch is not in the chord it runs into
_ROOT_ENDING_BONUS = 0.3
MAX_HELD_BEATS = 4  # the last note of a line holds at most a bar of 4/4


@dataclass(frozen=True)
class SungNote:
    """One sung syllable: when, which MIDI note, and which line, word and syllable it carries."""

    start: float
    end: float
    midi: int
    line: int
    word: int
    syllable: Syllable
    strong: bool

    @property
    def name(self) -> str:
        """Scientific pitch name, e.g. ``"E4"``."""
        return note_name(self.midi)


def note_name(midi: int) -> str:
    """``64`` -> ``"E4"``.

    Examples
    --------
    >>> note_name(60), note_name(70)
    ('C4', 'Bb4')
    """
    return f"{NOTE_NAMES[midi % 12]}{midi // 12 - 1}"


def line_grid(song: Instrumental, placed: PlacedLine) -> tuple[np.ndarray, int]:
    """Times of the line's rhythm units (one more than units: the line's end) and units per beat."""
    bars = song.bars[placed.start_bar : placed.start_bar + placed.bar_count]
    beats = [t for bar in bars for t in bar.beats] + [bars[-1].end]
    per_beat = 2 if len(placed.syllables) <= eighth_capacity(len(beats) - 1) else 4
    times = [a + (b - a) * k / per_beat for a, b in itertools.pairwise(beats) for k in range(per_beat)]
    return np.array([*times, beats[-1]]), per_beat


def feet(slots: Sequence[SyllableSlot]) -> list[list[int]]:
    """Syllable indices grouped into feet: a new foot at each stressed syllable (and the first).

    Examples
    --------
    >>> from mixdown.engines.singing.placement import line_syllables
    >>> from mixdown.engines.singing.lyrics import parse_line
    >>> feet(line_syllables(parse_line("the river runs")))
    [[0], [1, 2], [3]]
    """
    groups: list[list[int]] = []
    for index, slot in enumerate(slots):
        if not groups or slot.syllable.stressed:
            groups.append([])
        groups[-1].append(index)
    return groups


def _foot_beats(groups: list[list[int]], usable_beats: int, per_beat: int, *, long_notes: bool) -> list[int]:
    """Whole beats per foot: room for its syllables; extra beats hold the last note up to a bar,
    then go one by one to the other feet."""
    beats = [max(1, -(-len(g) // per_beat)) for g in groups]
    if long_notes and sum(len(g) for g in groups) <= usable_beats:
        beats = [len(g) for g in groups]
    extra = usable_beats - sum(beats)
    held = min(extra, MAX_HELD_BEATS - beats[-1]) if extra > 0 else 0
    beats[-1] += max(0, held)
    extra -= max(0, held)
    for index in itertools.islice(itertools.cycle(range(len(beats))), max(0, extra)):
        beats[index] += 1
    return beats


def rhythm(
    slots: Sequence[SyllableSlot], units: int, per_beat: int, *, long_notes: bool
) -> list[tuple[int, int]]:
    """``(onset, length)`` in units per syllable: stressed syllables on beats, the last one held.

    Each foot (a stressed syllable and the unstressed ones after it) starts on a beat; its first
    syllable is long and the others take one unit each ("WALK-ing", "EMP-ty"). Half a beat is
    left for breath at the end. A line too dense for whole-beat feet is packed one unit per
    syllable, two for stressed ones where room allows.

    Examples
    --------
    >>> from mixdown.engines.singing.placement import line_syllables
    >>> from mixdown.engines.singing.lyrics import parse_line
    >>> rhythm(line_syllables(parse_line("walking down the street")), 16, 2, long_notes=False)
    [(0, 3), (3, 1), (4, 1), (5, 1), (6, 9)]
    """
    usable = units - max(1, per_beat // 2)
    groups = feet(slots)
    if sum(max(1, -(-len(g) // per_beat)) for g in groups) > usable // per_beat:
        return _packed(slots, usable)
    beats = _foot_beats(groups, usable // per_beat, per_beat, long_notes=long_notes)
    lengths: list[int] = []
    for group, count in zip(groups, beats, strict=True):
        after = per_beat if long_notes and count * per_beat >= len(group) * per_beat else 1
        lengths += [count * per_beat - (len(group) - 1) * after] + [after] * (len(group) - 1)
    lengths[-1] += usable - sum(lengths)
    onsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(int).tolist()
    return list(zip(onsets, lengths, strict=True))


def _packed(slots: Sequence[SyllableSlot], usable: int) -> list[tuple[int, int]]:
    """One unit per syllable, two for stressed ones while room lasts, the rest on the last note."""
    lengths = [2 if s.syllable.stressed else 1 for s in slots]
    while sum(lengths) > usable and max(lengths) > 1:
        lengths[lengths.index(max(lengths))] -= 1
    lengths[-1] += max(0, usable - sum(lengths))
    onsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(int).tolist()
    return list(zip(onsets, lengths, strict=True))


def _contour(count: int, rng: np.random.Generator) -> np.ndarray:
    """Semitone offsets from the line's centre: an arch, a rise or a fall."""
    x = np.linspace(0.0, 1.0, max(count, 2))[:count]
    shapes = (3.0 * np.sin(np.pi * x) - 1.0, 4.0 * x - 2.0, 2.0 - 3.0 * x)
    return np.asarray(shapes[int(rng.integers(len(shapes)))])


def _leap_cost(interval: int) -> float:
    """Cost of moving by ``interval`` semitones: steps free, repeats and thirds a little, big leaps a lot."""
    size = abs(interval)
    costs = {0: 0.35, 1: 0.0, 2: 0.0, 3: 0.2, 4: 0.25, 5: 0.6, 6: 1.2, 7: 0.9}
    return costs.get(size, 2.0 + 0.2 * (size - 7))


@dataclass(frozen=True)
class _Slot:
    """One note to choose: when, whether it must be a chord tone, its candidates and their costs."""

    start: float
    end: float
    strong: bool
    candidates: np.ndarray
    costs: np.ndarray


def _slot(
    song: Instrumental,
    start: float,
    end: float,
    *,
    strong: bool,
    last: bool,
    target: float,
    register: tuple[int, int],
    rng: np.random.Generator,
) -> _Slot:
    chord = song.chord_at(start + 0.01)
    allowed = set(chord) if strong or last else set(chord) | song.scale_classes()
    notes = np.array([m for m in range(register[0], register[1] + 1) if m % 12 in allowed])
    after = set(song.chord_at(max(start, end - 0.05)))
    costs = _CONTOUR_WEIGHT * np.abs(notes - target) + _JITTER * rng.random(notes.size)
    costs += _CROSSING_COST * np.array([m % 12 not in after for m in notes])
    if last:
        costs -= _ROOT_ENDING_BONUS * (notes % 12 == chord[0])
    return _Slot(start, end, strong, notes, costs)


def _viterbi(slots: Sequence[_Slot]) -> list[int]:
    """The cheapest note sequence through the slots' candidates."""
    total = slots[0].costs.copy()
    backs = []
    for previous, current in itertools.pairwise(slots):
        leaps = np.vectorize(_leap_cost)(current.candidates[:, None] - previous.candidates[None, :])
        paths = total[None, :] + leaps
        backs.append(np.argmin(paths, axis=1))
        total = paths.min(axis=1) + current.costs
    index = int(np.argmin(total))
    chosen = [index]
    for back in reversed(backs):
        index = int(back[index])
        chosen.append(index)
    chosen.reverse()
    return [int(slot.candidates[i]) for slot, i in zip(slots, chosen, strict=True)]


def _seed_of(seed: int, placed: PlacedLine, song: Instrumental, grid: np.ndarray) -> np.random.Generator:
    chords = ",".join(str(song.chord_at(float(t))) for t in grid[:: max(1, len(grid) // 8)])
    return np.random.default_rng(
        [seed, zlib.crc32(placed.line.text.lower().encode()), zlib.crc32(chords.encode())]
    )


def compose_line(
    placed: PlacedLine, song: Instrumental, style: SingingStyle, register: tuple[int, int], seed: int
) -> list[SungNote]:
    """The notes of one placed line."""
    grid, per_beat = line_grid(song, placed)
    rng = _seed_of(seed, placed, song, grid)
    steps = rhythm(placed.syllables, len(grid) - 1, per_beat, long_notes=style.long_notes)
    centre = (register[0] + register[1]) / 2 - 1 + (CHORUS_LIFT if placed.chorus_like else 0)
    targets = centre + _contour(len(steps), rng)
    slots = [
        _slot(
            song,
            float(grid[onset]),
            float(grid[onset + length]),
            strong=onset % per_beat == 0,
            last=index == len(steps) - 1,
            target=float(target),
            register=register,
            rng=rng,
        )
        for index, ((onset, length), target) in enumerate(zip(steps, targets, strict=True))
    ]
    pitches = _viterbi(slots)
    return [
        SungNote(slot.start, slot.end, pitch, placed.number, syl.word, syl.syllable, slot.strong)
        for slot, pitch, syl in zip(slots, pitches, placed.syllables, strict=True)
    ]


def compose_melody(
    lines: Sequence[PlacedLine], song: Instrumental, style: SingingStyle, gender: str, seed: int
) -> list[SungNote]:
    """Notes for every placed line, in time order.

    Examples
    --------
    >>> from mixdown.engines.singing.instrumental import Bar
    >>> from mixdown.engines.singing.lyrics import parse_lyrics
    >>> from mixdown.engines.singing.placement import place_lines
    >>> bars = tuple(Bar((2.0 * i, 2.0 * i + 0.5, 2.0 * i + 1, 2.0 * i + 1.5), 2.0 * i + 2) for i in range(4))
    >>> song = Instrumental(8.0, 120.0, 4, 9, "minor", bars, (), ())
    >>> placed, _ = place_lines(parse_lyrics("Hold me close tonight"), song)
    >>> notes = compose_melody(placed, song, SingingStyle(), "female", seed=1)
    >>> [n.start for n in notes], all(n.midi % 12 in (9, 0, 4) for n in notes if n.strong)
    ([0.0, 0.75, 1.0, 1.25, 1.5], True)
    """
    register = style.register(gender)
    notes: list[SungNote] = []
    for placed in lines:
        notes.extend(compose_line(placed, song, style, register, seed))
    return sorted(notes, key=lambda n: n.start)


def cents_off(frequency: float, midi: int) -> float:
    """How far ``frequency`` (Hz) is from ``midi``, in cents."""
    return 1200.0 * math.log2(frequency / (440.0 * 2.0 ** ((midi - 69) / 12)))
