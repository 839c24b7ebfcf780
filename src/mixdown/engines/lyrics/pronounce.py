"""Syllables and rhymes of English words: the shared CMU dictionary, :mod:`mixdown.engines.text.cmu`.

The lyrics engine's modules import it under this name; the dictionary itself lives in the
neutral ``engines/text`` package because the singer reads the same syllables and stress marks.

>>> pronouncer().rhymes("fire", "desire"), pronouncer().syllables("beautiful")
(True, 3)
"""

from __future__ import annotations

from mixdown.engines.text.cmu import (
    VOWELS,
    WEAK_FINAL,
    Phones,
    Pronouncer,
    dictionary_path,
    guess_stressed,
    is_vowel,
    pronouncer,
    rhyme_part,
    words_of,
)

__all__ = [
    "VOWELS",
    "WEAK_FINAL",
    "Phones",
    "Pronouncer",
    "dictionary_path",
    "guess_stressed",
    "is_vowel",
    "pronouncer",
    "rhyme_part",
    "words_of",
]
