"""Explicit values in a prompt: tempo, key and mode, meter, duration.

Each parser returns ``None`` when the prompt does not state the value, and raises ``ValueError``
when it states one the engine cannot honour (e.g. "900 BPM").
"""

from __future__ import annotations

import re

MIN_BPM, MAX_BPM = 30.0, 300.0
MAX_DURATION = 1200.0  # seconds, as Muzaic

_NUM = r"(\d{2,3}(?:\.\d+)?)"
_BPM_AFTER = re.compile(rf"(?<![\d.]){_NUM}\s*-?\s*(?:bpm|b\.p\.m\.?|beats per minute|beats a minute)\b")
_BPM_BEFORE = re.compile(
    rf"\b(?:bpm|tempo)\s*(?:of|at|=|:|is|around|about|~|near)?\s*(?:of\s*)?{_NUM}(?![\d.])"
)
_BPM_RANGE = re.compile(r"(?<![\d.])(\d{2,3})\s*(?:-|to|–)\s*(\d{2,3})\s*(?:bpm|beats per minute)\b")

_NOTE = r"(?P<note>[A-Ga-g])(?P<acc>#|♯|b|♭|\s?-?sharp|\s?-?flat)?"
_MODE_WORDS = {
    "major": "major", "maj": "major", "ionian": "major", "minor": "minor", "min": "minor", "aeolian": "minor",
    "dorian": "dorian", "phrygian": "phrygian", "lydian": "lydian", "mixolydian": "mixolydian",
    "locrian": "locrian", "harmonic minor": "harmonic_minor", "melodic minor": "melodic_minor",
}  # fmt: skip
_MODE_RE = "|".join(sorted(map(re.escape, _MODE_WORDS), key=len, reverse=True))
_KEY_WITH_MODE = re.compile(rf"(?<![A-Za-z0-9#]){_NOTE}\s*(?P<mode>{_MODE_RE})(?![A-Za-z])", re.IGNORECASE)
_KEY_CHORD = re.compile(r"(?<![A-Za-z0-9#])(?P<note>[A-G])(?P<acc>#|♯|b|♭)?m(?![A-Za-z0-9#])")
_KEY_BARE = re.compile(
    r"\b(?:in the key of|key of|key:?|in)\s+(?P<note>[A-G])(?P<acc>#|♯|b|♭|\s?-?sharp|\s?-?flat)?"
    r"(?=\s*(?:$|[,.;:)!?]|\s(?:key|at|with|and|for|please)\b))"
)
_MODE_ONLY = re.compile(
    r"\b(?:(?P<church>dorian|phrygian|lydian|mixolydian|locrian)|in (?P<in>minor|major)\b"
    r"|(?P<kw>minor|major) (?:key|mode|scale|tonality))",
    re.IGNORECASE,
)
_LETTERS = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}

_METER_NUM = re.compile(r"(?<![\d/])(\d{1,2})\s*/\s*(\d{1,2})(?![\d/])")
_METER_WORDS: tuple[tuple[re.Pattern[str], tuple[int, int]], ...] = (
    (re.compile(r"\b(?:waltz|valse|three[- ]four|3-4 time)\b"), (3, 4)),
    (re.compile(r"\b(?:six[- ]eight|6-8 time|jig|jigs)\b"), (6, 8)),
    (re.compile(r"\b(?:twelve[- ]eight|12-8 time)\b"), (12, 8)),
    (re.compile(r"\b(?:five[- ]four|5-4 time)\b"), (5, 4)),
    (re.compile(r"\b(?:seven[- ]eight|7-8 time)\b"), (7, 8)),
    (re.compile(r"\bcommon time\b"), (4, 4)),
)

_WORD_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "forty": 40, "forty-five": 45, "fifty": 50, "sixty": 60, "ninety": 90,
}  # fmt: skip
_AMOUNT = r"(\d+(?:\.\d+)?|" + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True)) + ")"
# "a second" and "one second" are ordinals far more often than lengths.
_AMOUNT_SEC = (
    r"(\d+(?:\.\d+)?|"
    + "|".join(w for w in sorted(_WORD_NUMBERS, key=len, reverse=True) if _WORD_NUMBERS[w] > 4)
    + ")"
)
# A length that belongs to a part of the piece ("a 10 second intro") is not the piece's length.
_NOT_WHOLE = (
    r"(?!\s*(?:-\s*)?(?:long\s+)?(?:intro|outro|fade|build|break|drop|section|pause|silence|gap|tail|loop))"
)
_MIN = r"(?:minutes?|mins?)"
_SEC = r"(?:seconds?|secs?)"
_DURATIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(\d+)m\s?(\d{1,2})s\b"), "m_s"),
    (re.compile(r"\b(?:a |one )?minute and a half\b"), "1.5m"),
    (re.compile(rf"\b{_AMOUNT} and a half {_MIN}\b"), "and_half"),
    (re.compile(r"\bhalf (?:a|an) minute\b"), "30s"),
    (
        re.compile(rf"\b{_AMOUNT}\s*(?:-\s*)?{_MIN}(?:\s*(?:and\s*)?(\d{{1,2}})\s*{_SEC})?\b{_NOT_WHOLE}"),
        "min",
    ),
    (re.compile(rf"\b{_AMOUNT_SEC}\s*(?:-\s*)?{_SEC}\b{_NOT_WHOLE}"), "sec"),
    (re.compile(r"(?:length|duration|lasting|lasts|runtime|of|for)\s+(\d{1,2}):([0-5]\d)\b"), "m_s"),
    (re.compile(r"\b(\d{1,2}):([0-5]\d)\s*(?:long|length|duration|min)\b"), "m_s"),
)


def parse_bpm(text: str) -> float | None:
    """An exact tempo ("126 BPM", "at 90bpm", "tempo 100"); ``ValueError`` outside 30-300."""
    if _BPM_RANGE.search(text):
        return None
    match = _BPM_AFTER.search(text) or _BPM_BEFORE.search(text)
    if match is None:
        return None
    bpm = float(match.group(1))
    if not MIN_BPM <= bpm <= MAX_BPM:
        raise ValueError(f"prompt asks for {bpm:g} BPM; the tempo must be {MIN_BPM:g}-{MAX_BPM:g} BPM")
    return bpm


def parse_bpm_range(text: str) -> tuple[float, float] | None:
    """A tempo range ("120-130 bpm"), clamped to 30-300."""
    match = _BPM_RANGE.search(text)
    if match is None:
        return None
    low, high = sorted((float(match.group(1)), float(match.group(2))))
    low, high = max(low, MIN_BPM), min(high, MAX_BPM)
    return (low, high) if low <= high else None


def _pitch_class(note: str, accidental: str | None) -> int:
    pitch = _LETTERS[note.lower()]
    acc = (accidental or "").strip(" -").lower()
    if acc in ("#", "♯", "sharp"):
        pitch += 1
    elif acc in ("b", "♭", "flat"):
        pitch -= 1
    return pitch % 12


def parse_key(prompt: str) -> tuple[int | None, str | None]:
    """``(tonic pitch class, mode)`` from "in A minor", "F# major", "Bb dorian", "C#m", "key of D"."""
    for match in _KEY_WITH_MODE.finditer(prompt):
        note, acc = match.group("note"), match.group("acc")
        before = prompt[max(0, match.start() - 12) : match.start()].lower()
        if note == "a" and not acc and not re.search(r"(?:\bin|key of|key:?)\s*$", before):
            continue  # "a major label", "a minor detail"
        return _pitch_class(note, acc), _MODE_WORDS[match.group("mode").lower()]
    chord = _KEY_CHORD.search(prompt)
    if chord:
        return _pitch_class(chord.group("note"), chord.group("acc")), "minor"
    bare = _KEY_BARE.search(prompt)
    if bare:
        return _pitch_class(bare.group("note"), bare.group("acc")), parse_mode(prompt)
    return None, parse_mode(prompt)


def parse_mode(prompt: str) -> str | None:
    """A mode named without a key ("dorian groove", "in minor", "major key")."""
    match = _MODE_ONLY.search(prompt)
    if match is None:
        return None
    word = match.group("church") or match.group("in") or match.group("kw")
    return _MODE_WORDS[word.lower()]


def parse_meter(text: str) -> tuple[int, int] | None:
    """A time signature ("3/4", "6/8", "waltz" -> 3/4, "jig" -> 6/8)."""
    for match in _METER_NUM.finditer(text):
        beats, unit = int(match.group(1)), int(match.group(2))
        if 2 <= beats <= 15 and unit in (2, 4, 8, 16):
            return beats, unit
    for pattern, meter in _METER_WORDS:
        if pattern.search(text):
            return meter
    return None


def _amount(word: str) -> float:
    return float(_WORD_NUMBERS.get(word, 0) or word)


def _seconds(match: re.Match[str], kind: str) -> float:
    if kind == "m_s":
        return int(match.group(1)) * 60.0 + int(match.group(2))
    if kind == "1.5m":
        return 90.0
    if kind == "30s":
        return 30.0
    if kind == "and_half":
        return (_amount(match.group(1)) + 0.5) * 60.0
    if kind == "min":
        extra = float(match.group(2)) if match.group(2) else 0.0
        return _amount(match.group(1)) * 60.0 + extra
    return _amount(match.group(1))


def parse_duration(text: str) -> float | None:
    """A length in seconds ("2 minutes", "90 seconds", "1:30 long", "a minute and a half").

    Not range-checked: a stated length only matters when the request left ``duration`` unset
    (see ``check_duration``).
    """
    found: list[tuple[int, int, float]] = []  # (start, -length, seconds): the first, then the longest
    for pattern, kind in _DURATIONS:
        match = pattern.search(text)
        if match:
            found.append((match.start(), match.start() - match.end(), _seconds(match, kind)))
    if not found:
        return None
    return min(found)[2]


def check_duration(seconds: float) -> float:
    """A length stated in a prompt, or ``ValueError`` when the engine cannot make it."""
    if not 1 <= seconds <= MAX_DURATION:
        raise ValueError(
            f"prompt asks for {seconds:g} s; the length must be 1-{MAX_DURATION:g} s"
            " (or set duration explicitly)"
        )
    return seconds
