"""Where each spoken phone goes in the sung line: syllables fitted to notes, phones to note times.

Festival's syllables of a word are matched to the word's notes (the CMU dictionary's count):
extra syllables are merged with a neighbour, missing ones are made by cutting the longest vowel
in two. Then each syllable's phones are laid on its note the way singers do: the consonants
before the vowel come just before the beat (taking at most a quarter of the previous note), the
vowel starts on the note and is stretched to fill it, and the closing consonants end it, all
consonants keeping their spoken length unless the note is too short for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mixdown.engines.singing.speech import Phone, Word

MAX_LEAD = 0.15  # seconds of onset consonants sung before the beat
LEAD_SHARE = 0.25  # of the previous note they may take
CONSONANT_SHARE = 0.45  # of its own note the closing consonants may take


@dataclass(frozen=True)
class Piece:
    """Output span ``[start, end)`` plays source span ``[source_start, source_end)``."""

    start: float
    end: float
    source_start: float
    source_end: float
    voiced: bool
    note: int  # index of the note in the line


def _split_longest(syllables: list[tuple[Phone, ...]]) -> list[tuple[Phone, ...]]:
    """One more syllable: the longest vowel cut in two at its middle."""

    def vowel_length(syllable: tuple[Phone, ...]) -> float:
        return max((p.end - p.start for p in syllable if p.vowel), default=0.0)

    index = max(range(len(syllables)), key=lambda i: vowel_length(syllables[i]))
    phones = syllables[index]
    at = next((i for i, p in enumerate(phones) if p.vowel), len(phones) // 2)
    vowel = phones[at]
    middle = (vowel.start + vowel.end) / 2
    first = (*phones[:at], Phone(vowel.name, vowel.start, middle, vowel.vowel, vowel.voiced))
    second = (Phone(vowel.name, middle, vowel.end, vowel.vowel, vowel.voiced), *phones[at + 1 :])
    return [*syllables[:index], first, second, *syllables[index + 1 :]]


def _merge_shortest(syllables: list[tuple[Phone, ...]]) -> list[tuple[Phone, ...]]:
    """One fewer syllable: the shortest neighbouring pair joined."""

    def span(i: int) -> float:
        return syllables[i + 1][-1].end - syllables[i][0].start

    index = min(range(len(syllables) - 1), key=span)
    return [*syllables[:index], syllables[index] + syllables[index + 1], *syllables[index + 2 :]]


def fit_syllables(words: Sequence[Word], counts: Sequence[int]) -> list[tuple[Phone, ...]]:
    """One run of phones per note: each word's syllables merged or split to its note count.

    Examples
    --------
    >>> a, b = Phone("f", 0.0, 0.1, False, False), Phone("ay", 0.1, 0.5, True, True)
    >>> [[p.name for p in s] for s in fit_syllables([((a, b),)], [2])]
    [['f', 'ay'], ['ay']]
    """
    out: list[tuple[Phone, ...]] = []
    for word, count in zip(words, counts, strict=True):
        syllables = [s for s in word if s]
        while len(syllables) < count:
            syllables = _split_longest(syllables)
        while len(syllables) > count:
            syllables = _merge_shortest(syllables)
        out.extend(syllables)
    return out


def _parts(phones: tuple[Phone, ...]) -> tuple[tuple[Phone, ...], tuple[Phone, ...], tuple[Phone, ...]]:
    """Onset consonants, the core (first to last vowel; voiced phones when there is no vowel), coda."""
    core = [i for i, p in enumerate(phones) if p.vowel] or [i for i, p in enumerate(phones) if p.voiced]
    first, last = (core[0], core[-1]) if core else (len(phones) // 2, len(phones) // 2)
    return phones[:first], phones[first : last + 1], phones[last + 1 :]


def _lay(phones: Sequence[Phone], start: float, end: float, note: int) -> list[Piece]:
    """``phones`` spread over ``[start, end)`` in proportion to their spoken lengths."""
    if not phones or end <= start:
        return []
    lengths = np.array([max(p.end - p.start, 1e-3) for p in phones])
    edges = start + (end - start) * np.concatenate([[0.0], np.cumsum(lengths) / lengths.sum()])
    return [
        Piece(float(a), float(b), p.start, p.end, p.voiced, note)
        for p, a, b in zip(phones, edges[:-1], edges[1:], strict=True)
    ]


def _length(phones: Sequence[Phone]) -> float:
    return sum(p.end - p.start for p in phones)


def lay_line(syllables: Sequence[tuple[Phone, ...]], notes: Sequence[tuple[float, float]]) -> list[Piece]:
    """Pieces for a whole line: syllable ``i`` on note ``(start, end)`` ``i``.

    Examples
    --------
    >>> run = (Phone("l", 0.0, 0.08, False, True), Phone("aa", 0.08, 0.2, True, True))
    >>> [(round(p.start, 2), round(p.end, 2)) for p in lay_line([run, run], [(1.0, 1.5), (1.5, 2.0)])]
    [(0.92, 1.0), (1.0, 1.42), (1.42, 1.5), (1.5, 2.0)]
    """
    pieces: list[Piece] = []
    leads = [min(_length(_parts(s)[0]), MAX_LEAD) for s in syllables]
    for index, (phones, (start, end)) in enumerate(zip(syllables, notes, strict=True)):
        before, core, after = _parts(phones)
        lead = leads[index] if index == 0 else min(leads[index], LEAD_SHARE * (start - notes[index - 1][0]))
        following = leads[index + 1] if index + 1 < len(syllables) else 0.0
        if index + 1 < len(notes):
            following = min(following, LEAD_SHARE * (end - start), max(0.0, notes[index + 1][0] - start))
        stop = min(end, notes[index + 1][0] - following) if index + 1 < len(notes) else end
        stop = max(stop, start + 1e-3)
        closing = min(_length(after), CONSONANT_SHARE * (stop - start))
        pieces += _lay(before, start - lead, start, index)
        pieces += _lay(core, start, stop - closing, index)
        pieces += _lay(after, stop - closing, stop, index)
    return pieces
