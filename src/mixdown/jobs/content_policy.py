"""Content policy: word and phrase lists matched on word boundaries, tolerant of obfuscation.

Text is normalised before matching: accents stripped, lower case, common digit and symbol
substitutions undone (``k1ll`` -> ``kill``, ``$`` -> ``s``), letters spelled out with separators
joined (``k.i.l.l``, ``k i l l`` -> ``kill``) and repeated letters squeezed (``kiiill`` ->
``kil``, phrases are squeezed the same way). A phrase matches whole words only, so a listed
``kill`` does not match ``skill`` or ``killer``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
# Three or more single characters separated by punctuation ("k.i.l.l", "k-i-l-l") or by spaces
# ("k i l l"); punctuated runs are joined first so "k.i.l.l y.o.u" stays two words.
_SPELLED_PUNCT = re.compile(r"(?<![a-z0-9])(?:[a-z0-9@$][.\-_*·,'+|/\\]+){2,}[a-z0-9@$](?![a-z0-9])")
_SPELLED_SPACES = re.compile(r"(?<![a-z0-9])(?:[a-z0-9@$] +){2,}[a-z0-9@$](?![a-z0-9])")
_SEPARATORS = re.compile(r"[\s.\-_*·,'+|/\\]+")
_REPEATS = re.compile(r"([a-z])\1+")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """``text`` as the policy reads it.

    Examples
    --------
    >>> normalise("K.i.l.l  the   Ch1ld  ")
    'kil the child'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    for spelled in (_SPELLED_PUNCT, _SPELLED_SPACES):
        plain = spelled.sub(lambda m: _SEPARATORS.sub("", m.group(0)), plain)
    words = [_squeeze(word.translate(_LEET)) if _has_letter(word) else word for word in plain.split()]
    return " ".join(w for w in (_NON_WORD.sub("", word) for word in words) if w)


def _has_letter(word: str) -> bool:
    return any(c.isalpha() for c in word)


def _squeeze(word: str) -> str:
    return _REPEATS.sub(r"\1", word)


@dataclass(frozen=True)
class Violation:
    """Why a text was refused (for logs and metrics; the client sees a generic message)."""

    rule: str


class ContentPolicy:
    """Refuses texts containing listed phrases, matching patterns, or longer than ``max_length``."""

    def __init__(self, phrases: Iterable[str], patterns: Iterable[str] = (), max_length: int = 5000) -> None:
        normalised = sorted({normalise(p) for p in phrases if normalise(p)})
        alternatives = "|".join(re.escape(p) for p in normalised)
        self._phrases = re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])") if normalised else None
        self._patterns = [re.compile(p, re.IGNORECASE) for p in patterns]
        self.max_length = max_length

    def check(self, text: str) -> Violation | None:
        """The first rule ``text`` breaks, or None.

        Examples
        --------
        >>> policy = ContentPolicy(["kill"])
        >>> policy.check("k-i-l-l them"), policy.check("a killer skill")
        (Violation(rule='phrase'), None)
        """
        if len(text) > self.max_length:
            return Violation("max_length")
        if self._phrases is not None and self._phrases.search(normalise(text)):
            return Violation("phrase")
        if any(p.search(text) for p in self._patterns):
            return Violation("pattern")
        return None


def default_phrases() -> list[str]:
    """The phrases shipped with mixdown (``jobs/data/content_policy.txt``, one per line)."""
    text = resources.files("mixdown.jobs").joinpath("data/content_policy.txt").read_text()
    return read_phrases(text)


def read_phrases(text: str) -> list[str]:
    """Phrases from a list file: one per line, ``#`` starts a comment."""
    return [line.split("#", 1)[0].strip() for line in text.splitlines() if line.split("#", 1)[0].strip()]
