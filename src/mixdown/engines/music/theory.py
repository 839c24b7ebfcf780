"""Music theory as pure functions: pitch classes, scales and modes, Roman numerals, chords, voicing.

Roman numerals follow the pop/jazz reading most style files use:

- the numeral's case gives the triad (``V`` major, ``v`` minor); a plain lower-case numeral whose
  diatonic triad is diminished (``vii`` in major, ``ii`` in minor) stays diminished;
- without an accidental the root is the mode's own degree (``VI`` in minor is the minor sixth);
  with one it is counted from the major scale (``bVI``, ``bII``, ``#iv``), so ``bVII`` means
  the same in every mode;
- suffixes: ``7`` (dominant on a major triad), ``maj7``/``M7``, ``9``, ``11``, ``13``, ``6``
  (added sixth), ``69``, ``add9``, ``sus2``, ``sus4``, ``°``/``o``/``dim``, ``ø``, ``+``/``aug``,
  ``5`` (power chord), alterations ``b9 #9 #11 b13 b5 #5``, inversions ``64`` ``65`` ``43`` ``42``;
- ``/5`` or ``/b7`` puts that scale degree in the bass (``IV/5`` = F/G in C); ``/V`` or ``/ii``
  makes a secondary chord (``V7/V`` = D7 in C).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise, permutations

from mixdown.engines.music.spec import NOTE_NAMES

FLAT_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
MAJOR = (0, 2, 4, 5, 7, 9, 11)
MODES: dict[str, tuple[int, ...]] = {
    "major": MAJOR,
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "locrian": (0, 1, 3, 5, 6, 8, 10),
    "harmonic_minor": (0, 2, 3, 5, 7, 8, 11),
    "melodic_minor": (0, 2, 3, 5, 7, 9, 11),
    "phrygian_dominant": (0, 1, 4, 5, 7, 8, 10),
}
ALIASES = {"ionian": "major", "aeolian": "minor", "natural_minor": "minor", "harmonic": "harmonic_minor"}
# Modes that are a subset of a seven-note parent: harmony uses the parent, melody the subset.
SUBSETS: dict[str, tuple[str, tuple[int, ...]]] = {
    "pentatonic": ("major", (0, 1, 2, 4, 5)),
    "major_pentatonic": ("major", (0, 1, 2, 4, 5)),
    "pentatonic_major": ("major", (0, 1, 2, 4, 5)),
    "minor_pentatonic": ("minor", (0, 2, 3, 4, 6)),
    "pentatonic_minor": ("minor", (0, 2, 3, 4, 6)),
    "blues": ("dorian", (0, 2, 3, 4, 6)),
}


class TheoryError(ValueError):
    """A mode, pitch or chord symbol that the engine cannot read."""


def normalise_mode(mode: str) -> str:
    """The canonical name of ``mode`` ("Aeolian" -> "minor"); ``TheoryError`` if unknown."""
    name = mode.strip().lower().replace(" ", "_").replace("-", "_")
    name = ALIASES.get(name, name)
    if name not in MODES and name not in SUBSETS:
        raise TheoryError(f"unknown mode {mode!r}; known: {sorted([*MODES, *SUBSETS])}")
    return name


def pitch_class(name: str) -> int:
    """Pitch class of a note name ("C#", "Eb", "Bb"); ``TheoryError`` if unreadable."""
    match = re.fullmatch(r"([A-Ga-g])([#b♯♭]*)", name.strip())
    if not match:
        raise TheoryError(f"unknown note name {name!r}")
    pc = NOTE_NAMES.index(match.group(1).upper())
    return (pc + sum(1 if c in "#♯" else -1 for c in match.group(2))) % 12


def uses_flats(tonic: int, mode: str) -> bool:
    """Whether the key signature of ``tonic``/``mode`` is written with flats."""
    parent = SUBSETS[mode][0] if mode in SUBSETS else mode
    relative_major = (tonic - MODE_OFFSET.get(parent, 0)) % 12
    return relative_major in (5, 10, 3, 8, 1, 6)


# Where each church mode starts in its relative major scale (for key signatures).
MODE_OFFSET = {
    "major": 0,
    "dorian": 2,
    "phrygian": 4,
    "lydian": 5,
    "mixolydian": 7,
    "minor": 9,
    "locrian": 11,
    "harmonic_minor": 9,
    "melodic_minor": 9,
    "phrygian_dominant": 4,
}


def note_name(pc: int, *, flats: bool = False) -> str:
    """Spelling of a pitch class."""
    return (FLAT_NAMES if flats else NOTE_NAMES)[pc % 12]


@dataclass(frozen=True)
class Scale:
    """A key: tonic pitch class, mode, its seven-note parent and the degrees a melody prefers."""

    tonic: int
    mode: str
    intervals: tuple[int, ...]
    melodic: tuple[int, ...]

    @classmethod
    def of(cls, tonic: int, mode: str) -> Scale:
        """The scale of ``tonic`` (pitch class) in ``mode`` (any known name or alias)."""
        name = normalise_mode(mode)
        if name in SUBSETS:
            parent, degrees = SUBSETS[name]
            return cls(tonic % 12, name, MODES[parent], degrees)
        return cls(tonic % 12, name, MODES[name], tuple(range(7)))

    @property
    def pcs(self) -> frozenset[int]:
        """The pitch classes of the seven-note scale."""
        return frozenset((self.tonic + i) % 12 for i in self.intervals)

    @property
    def is_minor(self) -> bool:
        """Whether the tonic triad is minor."""
        return self.intervals[2] == 3

    def pitch(self, index: int) -> int:
        """MIDI pitch of diatonic ``index`` (7 per octave; ``35 + d`` is degree d from tonic 5*12)."""
        octave, degree = divmod(index, 7)
        return 12 * octave + self.tonic + self.intervals[degree]

    def index(self, midi: int) -> int:
        """The diatonic index nearest ``midi`` (exact for scale tones, rounded down otherwise)."""
        octave = (midi - self.tonic) // 12
        rel = (midi - self.tonic) % 12
        degree = max(d for d, i in enumerate(self.intervals) if i <= rel)
        return 7 * octave + degree

    def degree(self, pc: int) -> int | None:
        """Scale degree 0-6 of pitch class ``pc``, or None if it is outside the scale."""
        rel = (pc - self.tonic) % 12
        return self.intervals.index(rel) if rel in self.intervals else None

    def contains(self, midi: int) -> bool:
        """Whether ``midi`` belongs to the seven-note scale."""
        return (midi - self.tonic) % 12 in self.intervals

    def triad_intervals(self, degree: int) -> tuple[int, int]:
        """Third and fifth (semitones) of the diatonic triad on ``degree``."""
        root = self.intervals[degree]
        third = (self.intervals[(degree + 2) % 7] - root) % 12
        fifth = (self.intervals[(degree + 4) % 7] - root) % 12
        return third, fifth


@dataclass(frozen=True)
class Chord:
    """A chord: root pitch class, intervals above the root (0 first), bass pitch class, names."""

    root: int
    intervals: tuple[int, ...]
    bass: int
    symbol: str
    numeral: str = ""

    @property
    def pcs(self) -> tuple[int, ...]:
        """Distinct pitch classes, root first."""
        seen: list[int] = []
        for i in self.intervals:
            pc = (self.root + i) % 12
            if pc not in seen:
                seen.append(pc)
        return tuple(seen)

    @property
    def third(self) -> int | None:
        """Pitch class of the third (or suspension) if any."""
        found = [i for i in self.intervals if i % 12 in (2, 3, 4, 5)]
        return (self.root + found[0]) % 12 if found else None

    @property
    def fifth(self) -> int:
        """Pitch class of the fifth (perfect, diminished or augmented)."""
        found = [i for i in self.intervals if i % 12 in (6, 7, 8)]
        return (self.root + (found[0] if found else 7)) % 12

    @property
    def is_minor(self) -> bool:
        """Whether the chord has a minor third."""
        return 3 in self.intervals and 4 not in self.intervals


_NUMERAL = re.compile(r"^(?P<acc>[b#♭♯]*)(?P<num>VII|VI|IV|V|III|II|I|vii|vi|iv|v|iii|ii|i)(?P<rest>[^/]*)$")
_ROMAN = {"i": 0, "ii": 1, "iii": 2, "iv": 3, "v": 4, "vi": 5, "vii": 6}
# Suffix tokens, longest first so "maj7" wins over "7".
_TOKENS = (
    "maj13",
    "maj9",
    "maj7",
    "add11",
    "add9",
    "add4",
    "add2",
    "sus2",
    "sus4",
    "dim7",
    "Δ7",
    "M7",
    "M9",
    "dim",
    "aug",
    "sus",
    "alt",
    "b13",
    "b9",
    "#9",
    "#11",
    "b5",
    "#5",
    "13",
    "11",
    "69",
    "65",
    "64",
    "43",
    "42",
    "no3",
    "9",
    "7",
    "6",
    "5",
    "°",
    "o",
    "ø",
    "+",
    "Δ",
    "m",
)


def _tokens(rest: str, numeral: str) -> list[str]:
    out: list[str] = []
    while rest:
        token = next((t for t in _TOKENS if rest.startswith(t)), None)
        if token is None:
            raise TheoryError(f"unknown roman numeral {numeral!r} (cannot read {rest!r})")
        out.append(token)
        rest = rest[len(token) :]
    return out


def _root(acc: str, num: str, scale: Scale) -> tuple[int, bool]:
    """(root pitch class, whether it is the mode's own degree)."""
    degree = _ROMAN[num.lower()]
    if not acc:
        return (scale.tonic + scale.intervals[degree]) % 12, True
    shift = sum(1 if c in "#♯" else -1 for c in acc)
    return (scale.tonic + MAJOR[degree] + shift) % 12, False


def _triad(num: str, tokens: list[str], degree: int, diatonic: bool, scale: Scale) -> list[int]:
    if any(t in tokens for t in ("°", "o", "dim", "dim7")):
        return [0, 3, 6]
    if "ø" in tokens:
        return [0, 3, 6, 10]
    if any(t in tokens for t in ("+", "aug")):
        return [0, 4, 8]
    if num.islower() or "m" in tokens:
        if diatonic and num.islower() and scale.triad_intervals(degree) == (3, 6):
            return [0, 3, 6]
        return [0, 3, 7]
    return [0, 4, 7]


def _seventh(triad: list[int], tokens: list[str]) -> int:
    if any(t in tokens for t in ("maj7", "M7", "Δ", "Δ7", "maj9", "M9", "maj13")):
        return 11
    if triad == [0, 3, 6] and ("dim7" in tokens or "°" in tokens or "o" in tokens or "dim" in tokens):
        return 9
    return 10


def _apply_tokens(triad: list[int], tokens: list[str]) -> tuple[list[int], int]:
    """Intervals after extensions and alterations, and the inversion (0 root position)."""
    notes = list(triad)
    wants7 = {"7", "9", "11", "13", "maj7", "M7", "Δ", "Δ7", "maj9", "M9", "maj13", "dim7", "65", "43", "42"}
    if wants7 & set(tokens) and not any(i in (9, 10, 11) for i in notes[3:]):
        notes.append(_seventh(triad, tokens))
    adds = {
        "9": [14],
        "maj9": [14],
        "M9": [14],
        "11": [14, 17],
        "13": [14, 21],
        "maj13": [14, 21],
        "6": [9],
        "69": [9, 14],
        "add9": [14],
        "add2": [2],
        "add11": [17],
        "add4": [5],
        "b9": [13],
        "#9": [15],
        "#11": [18],
        "b13": [20],
        "alt": [13, 15],
    }
    for token in tokens:
        notes.extend(adds.get(token, []))
    if "5" in tokens or "no3" in tokens:  # power chord: root and fifth only
        notes = [n for n in notes if n not in (3, 4)]
    if "sus2" in tokens:
        notes = [2 if n in (3, 4) else n for n in notes]
    if "sus4" in tokens or "sus" in tokens:
        notes = [5 if n in (3, 4) else n for n in notes]
    if "b5" in tokens:
        notes = [6 if n == 7 else n for n in notes]
    if "#5" in tokens:
        notes = [8 if n == 7 else n for n in notes]
    inversion = {"64": 2, "65": 1, "43": 2, "42": 3}
    inv = next((inversion[t] for t in tokens if t in inversion), 0)
    return sorted(set(notes)), inv


def parse_numeral(numeral: str, scale: Scale) -> Chord:
    """The chord a Roman numeral names in ``scale``; ``TheoryError`` naming the numeral if unknown.

    Examples
    --------
    >>> parse_numeral("V7", Scale.of(0, "major")).symbol
    'G7'
    >>> parse_numeral("bVII", Scale.of(9, "minor")).symbol
    'G'
    >>> parse_numeral("IV/5", Scale.of(0, "major")).symbol
    'F/G'
    """
    text = numeral.strip()
    if "/" in text:
        head, over = text.split("/", 1)
        if re.fullmatch(r"[b#♭♯]?[1-7]", over):
            chord = parse_numeral(head, scale)
            degree = int(over[-1]) - 1
            shift = sum(1 if c in "#♯" else -1 for c in over[:-1])
            base = MAJOR[degree] if shift else scale.intervals[degree]
            bass = (scale.tonic + base + shift) % 12
            return _named(chord.root, chord.intervals, bass, scale, text)
        target = parse_numeral(over, scale)
        local = Scale.of(target.root, "minor" if target.is_minor else "major")
        chord = parse_numeral(head, local)
        return _named(chord.root, chord.intervals, chord.bass, scale, text)
    match = _NUMERAL.match(text)
    if not match:
        raise TheoryError(f"unknown roman numeral {numeral!r}")
    tokens = _tokens(match.group("rest"), numeral)
    root, diatonic = _root(match.group("acc"), match.group("num"), scale)
    degree = _ROMAN[match.group("num").lower()]
    intervals, inversion = _apply_tokens(_triad(match.group("num"), tokens, degree, diatonic, scale), tokens)
    chord_tones = [i for i in intervals if i < 12]
    bass = (root + chord_tones[min(inversion, len(chord_tones) - 1)]) % 12
    return _named(root, tuple(intervals), bass, scale, text)


_QUALITY = {
    (0, 4, 7): "",
    (0, 3, 7): "m",
    (0, 3, 6): "dim",
    (0, 4, 8): "aug",
    (0, 4, 7, 10): "7",
    (0, 4, 7, 11): "maj7",
    (0, 3, 7, 10): "m7",
    (0, 3, 6, 10): "m7b5",
    (0, 3, 6, 9): "dim7",
    (0, 2, 7): "sus2",
    (0, 5, 7): "sus4",
    (0, 4, 7, 9): "6",
    (0, 3, 7, 9): "m6",
    (0, 5, 7, 10): "7sus4",
    (0, 3, 7, 11): "m(maj7)",
    (0, 4, 8, 10): "aug7",
    (0, 7): "5",
}


def chord_symbol(root: int, intervals: tuple[int, ...], bass: int, *, flats: bool = False) -> str:
    """A lead-sheet symbol ("Am7", "F/G", "Cadd9") for a chord."""
    base = tuple(sorted({i % 12 for i in intervals if i < 12}))
    extra = sorted(i for i in intervals if i >= 12)
    quality = _QUALITY.get(base, "(" + ",".join(str(i) for i in base[1:]) + ")")
    if extra:
        top = {13: "b9", 14: "9", 15: "#9", 17: "11", 18: "#11", 20: "b13", 21: "13"}
        names = [top.get(i, str(i)) for i in extra]
        if quality in ("7", "maj7", "m7") and names[-1] in ("9", "11", "13"):
            quality = quality[:-1] + names[-1]
        else:
            quality += "add" + "".join(names) if quality in ("", "m") else "(" + ",".join(names) + ")"
    name = note_name(root, flats=flats) + quality
    return name if bass == root else f"{name}/{note_name(bass, flats=flats)}"


def _named(root: int, intervals: tuple[int, ...], bass: int, scale: Scale, numeral: str) -> Chord:
    # Diatonic roots follow the key signature; borrowed ones follow their accidental.
    flats = uses_flats(scale.tonic, scale.mode) if scale.degree(root) is not None else "#" not in numeral
    symbol = chord_symbol(root, intervals, bass, flats=flats)
    return Chord(root=root, intervals=intervals, bass=bass, symbol=symbol, numeral=numeral)


def with_intervals(chord: Chord, intervals: tuple[int, ...], scale: Scale) -> Chord:
    """``chord`` with other intervals (an added seventh or ninth), renamed."""
    return _named(chord.root, tuple(sorted(set(intervals))), chord.bass, scale, chord.numeral)


def diatonicize(chord: Chord, scale: Scale) -> Chord:
    """``chord`` with every tone outside ``scale`` moved a semitone into it (C -> Cm in C minor),
    keeping root and function; chords whose root is outside the scale stay as they are."""
    if scale.degree(chord.root) is None:
        return chord
    intervals = []
    for i in chord.intervals:
        pc = (chord.root + i) % 12
        if pc not in scale.pcs:
            i += -1 if (pc - 1) % 12 in scale.pcs else 1
        intervals.append(i)
    bass = chord.bass if chord.bass in scale.pcs else chord.root
    return _named(chord.root, tuple(sorted(set(intervals))), bass, scale, chord.numeral)


def _tone_sets(chord: Chord, voices: int) -> list[tuple[int, ...]]:
    """Which pitch classes to voice: root, third, seventh and top extension first, fifth last;
    short chords double the root or the fifth."""
    rel = sorted({i % 12 for i in chord.intervals}, key=lambda i: _PRIORITY.get(i, 5))
    pcs = [(chord.root + i) % 12 for i in rel][:voices]
    sets = [tuple(pcs)]
    while len(sets[0]) < voices:
        sets = [(*s, extra) for s in sets for extra in sorted({pcs[0], chord.fifth})]
    return sets


# Voicing priority of each interval above the root (lower keeps its place first).
_PRIORITY = {0: 0, 3: 1, 4: 1, 2: 2, 5: 2, 10: 2, 11: 2, 9: 3, 1: 4, 8: 4, 6: 4, 7: 6}


def _stack(order: tuple[int, ...], bottom: int) -> tuple[int, ...]:
    """Notes of ``order`` (pitch classes) stacked upwards from the first at or above ``bottom``."""
    out = [bottom + (order[0] - bottom) % 12]
    for pc in order[1:]:
        out.append(out[-1] + 1 + (pc - out[-1] - 1) % 12)
    return tuple(out)


def _movement(candidate: tuple[int, ...], prev: tuple[int, ...]) -> float:
    if len(candidate) == len(prev):
        return float(sum(abs(a - b) for a, b in zip(candidate, prev, strict=True)))
    return float(sum(min(abs(c - p) for p in prev) for c in candidate))


def _cost(candidate: tuple[int, ...], prev: tuple[int, ...] | None, center: float) -> float:
    mean = sum(candidate) / len(candidate)
    cost = 0.35 * abs(mean - center) + 0.25 * max(0, candidate[-1] - candidate[0] - 14)
    for a, b in pairwise(candidate):
        if a < 52 and b - a < 5:  # close intervals low down turn to mud
            cost += 3.0
        cost += 2.0 * (b - a == 1) + 0.5 * max(0, b - a - 12)
    if prev:
        cost += _movement(candidate, prev)
    return cost


@lru_cache(maxsize=4096)
def voice(
    chord: Chord, prev: tuple[int, ...] | None, *, low: int = 52, high: int = 79, voices: int = 4
) -> tuple[int, ...]:
    """A voicing of ``chord`` (MIDI, ascending) in ``low..high`` that moves least from ``prev``.

    Candidates are every inversion in close position and its drop-2 spread at every octave that
    fits; the cost adds total voice movement to a pull towards the middle of the register and a
    penalty for close intervals below E3.

    Examples
    --------
    >>> c, g = parse_numeral("I", Scale.of(0, "major")), parse_numeral("V", Scale.of(0, "major"))
    >>> voice(g, voice(c, None, voices=3), voices=3)
    (59, 62, 67)
    """
    center = (low + high) / 2
    best: tuple[float, tuple[int, ...]] | None = None
    for tones in _tone_sets(chord, voices):
        for order in {tones[i:] + tones[:i] for i in range(len(tones))} | _spreads(tones):
            for bottom in range(low, low + 12):
                if (bottom - order[0]) % 12:
                    continue
                for shape in (_stack(order, bottom), _drop2(_stack(order, bottom))):
                    if shape[0] < low or shape[-1] > high:
                        continue
                    cost = _cost(shape, prev, center)
                    if best is None or cost < best[0]:
                        best = (cost, shape)
                    shifted = tuple(n + 12 for n in shape)
                    if shifted[-1] <= high:
                        cost = _cost(shifted, prev, center)
                        if cost < best[0]:
                            best = (cost, shifted)
    if best is None:
        raise TheoryError(f"cannot voice {chord.symbol} in {low}..{high}")
    return best[1]


def _spreads(tones: tuple[int, ...]) -> set[tuple[int, ...]]:
    """A few non-rotation orders (for chords with doubled tones or extensions)."""
    if len(tones) > 4:
        return set()
    return {p for p in permutations(tones) if p[0] == tones[0]}


def _drop2(shape: tuple[int, ...]) -> tuple[int, ...]:
    """The second-highest note dropped an octave (a wider, warmer voicing)."""
    if len(shape) < 4:
        return shape
    notes = list(shape)
    notes[-2] -= 12
    return shape if notes[-2] in shape else tuple(sorted(notes))


def nearest(pitch: int, pcs: tuple[int, ...] | frozenset[int]) -> int:
    """The MIDI pitch nearest ``pitch`` whose pitch class is in ``pcs`` (ties go down)."""
    best: tuple[int, int] | None = None
    for pc in pcs:
        for cand in (pitch + (pc - pitch) % 12, pitch - (pitch - pc) % 12):
            key = (abs(cand - pitch), cand)
            if best is None or key < best:
                best = key
    if best is None:
        raise TheoryError("nearest needs at least one pitch class")
    return best[1]
