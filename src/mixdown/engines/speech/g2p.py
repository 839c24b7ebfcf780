"""A rough English spelling-to-phones guess for words PocketSphinx's dictionary lacks.

Forced alignment needs a pronunciation for every word of the text; names and invented words of
lyrics are often missing from CMUdict. The guess only has to take about the right time and
sound roughly alike, since the word is forced at its place in the sequence anyway.
"""

from __future__ import annotations

# Longest spellings first within each starting letter (the matcher tries 3, then 2, then 1 letters).
_GRAPHEMES = {
    "tch": "CH",
    "sch": "S K",
    "igh": "AY",
    "ch": "CH",
    "sh": "SH",
    "th": "TH",
    "ph": "F",
    "wh": "W",
    "ck": "K",
    "ng": "NG",
    "qu": "K W",
    "ee": "IY",
    "ea": "IY",
    "oo": "UW",
    "ou": "AW",
    "ow": "OW",
    "oi": "OY",
    "oy": "OY",
    "ai": "EY",
    "ay": "EY",
    "au": "AO",
    "aw": "AO",
    "ie": "IY",
    "a": "AE",
    "b": "B",
    "c": "K",
    "d": "D",
    "e": "EH",
    "f": "F",
    "g": "G",
    "h": "HH",
    "i": "IH",
    "j": "JH",
    "k": "K",
    "l": "L",
    "m": "M",
    "n": "N",
    "o": "AA",
    "p": "P",
    "q": "K",
    "r": "R",
    "s": "S",
    "t": "T",
    "u": "AH",
    "v": "V",
    "w": "W",
    "x": "K S",
    "y": "Y",
    "z": "Z",
}


def guess_phones(word: str) -> str:
    """ARPAbet phones (CMUdict's set, no stress) for ``word`` from its spelling.

    Examples
    --------
    >>> guess_phones("zorblatch")
    'Z AA R B L AE CH'
    >>> guess_phones("shine")
    'SH IH N'
    """
    letters = "".join(ch for ch in word.lower() if "a" <= ch <= "z")
    if len(letters) > 3 and letters.endswith("e") and letters[-2] not in "aeiou":
        letters = letters[:-1]  # silent final e
    phones: list[str] = []
    index = 0
    while index < len(letters):
        for size in (3, 2, 1):
            chunk = letters[index : index + size]
            if len(chunk) == size and chunk in _GRAPHEMES:
                break
        if index > 0 and chunk == letters[index - 1] and size == 1:
            index += 1  # a doubled consonant is one sound
            continue
        sound = "IY" if chunk == "y" and index == len(letters) - 1 and index > 0 else _GRAPHEMES[chunk]
        phones.extend(sound.split())
        index += size
    return " ".join(phones) or "AH"
