"""Text as the recognisers see it: words in lower case, digits spelled out, punctuation dropped.

Used to compare transcripts (word error rate), to look words up in PocketSphinx's dictionary and to
match a given text against recognised words.
"""

from __future__ import annotations

import re

_ONES = (  # noqa: SIM905
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
).split()
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = ((1_000_000_000, "billion"), (1_000_000, "million"), (1_000, "thousand"), (100, "hundred"))
# Spoken forms of the abbreviations recognisers write (Whisper writes "Mr." for "mister").
ABBREVIATIONS = {"mr": "mister", "mrs": "missus", "dr": "doctor", "st": "saint", "vs": "versus"}
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NOT_WORD = re.compile(r"[^\w'\s]+")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})


def number_words(n: int) -> str:
    """``n`` (0 or more) in English words.

    Examples
    --------
    >>> number_words(42)
    'forty two'
    >>> number_words(1905)
    'one thousand nine hundred five'
    """
    if n < 0:
        raise ValueError(f"n must be 0 or more, got {n}")
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f" {_ONES[ones]}" if ones else "")
    for value, name in _SCALES:
        if n >= value:
            high, rest = divmod(n, value)
            return f"{number_words(high)} {name}" + (f" {number_words(rest)}" if rest else "")
    raise AssertionError("unreachable")


def _spell_number(match: re.Match[str]) -> str:
    digits = match.group().replace(",", "")
    whole, _, fraction = digits.partition(".")
    spoken = number_words(int(whole))
    if fraction:
        spoken += " point " + " ".join(_ONES[int(d)] for d in fraction)
    return f" {spoken} "


def spoken_words(text: str) -> list[str]:
    """The words of ``text`` as spoken: lower case, numbers spelled, punctuation and hyphens dropped.

    Examples
    --------
    >>> spoken_words("Mr. Smith paid $1,250!")
    ['mister', 'smith', 'paid', 'one', 'thousand', 'two', 'hundred', 'fifty']
    >>> spoken_words("3.5 well-known days")
    ['three', 'point', 'five', 'well', 'known', 'days']
    """
    text = _NUMBER.sub(_spell_number, text.translate(_APOSTROPHES).lower())
    text = _NOT_WORD.sub(" ", text.replace("_", " "))
    words = [word.strip("'") for word in text.split()]
    return [ABBREVIATIONS.get(word, word) for word in words if word]


def normalize(text: str) -> str:
    """``text`` as a space-separated string of :func:`spoken_words` (for word error rates).

    Examples
    --------
    >>> normalize("It's 10 o'clock.")
    "it's ten o'clock"
    """
    return " ".join(spoken_words(text))


def sphinx_word(word: str) -> str | None:
    """A PocketSphinx output word without its pronunciation variant (``and(2)``); None for fillers."""
    if word.startswith(("<", "[", "+")):
        return None
    return word.split("(", 1)[0]
