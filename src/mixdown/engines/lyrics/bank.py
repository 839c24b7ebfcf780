"""The word bank and the line grammar of the embedded lyrics writer, read from ``data/``.

``nouns.txt``, ``adjectives.txt`` and ``verbs.txt`` hold the words (verbs with ``t``, ``i`` or
``ti`` for how they take an object, adjectives with ``p`` when they only follow a verb);
``templates.txt`` and ``openers.txt`` the line patterns. Every word is filed under the slots it can
fill: ``n``, ``a`` (adjective before a noun), ``ap`` (adjective after "is", "so"), ``vt``, ``vi``,
``ing`` (an intransitive verb + ing) and ``ting`` (a transitive one + ing). Each word carries its
syllables and rhyme sound from CMUdict.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from mixdown.engines.lyrics.pronounce import Pronouncer, is_vowel, pronouncer

DATA = Path(__file__).parent / "data"
SLOTS = ("n", "a", "ap", "vt", "vi", "ing", "ting")
TokenKind = Literal["word", "optional", "slot"]
_NO_DOUBLING = frozenset("wxy")


@dataclass(frozen=True)
class Word:
    """A word as a slot filler: its text, slot, base form (for theme scores), syllables, rhyme."""

    text: str
    slot: str
    lemma: str
    syllables: int
    rhyme: str
    # Whether all its pronunciations rhyme alike ("live" does not): only those end a line.
    clear_rhyme: bool


@dataclass(frozen=True)
class Token:
    """One token of a line template: a fixed word, an optional word, or a slot."""

    text: str
    kind: TokenKind


@dataclass(frozen=True)
class Template:
    """A line pattern; its last token is the slot that carries the rhyme."""

    tokens: tuple[Token, ...]

    @property
    def end_slot(self) -> str:
        """The slot of the rhyming word."""
        return self.tokens[-1].text

    @classmethod
    def parse(cls, line: str, *, opener: bool = False) -> Template:
        """``[and] I {vt} the {n}`` -> tokens; raises ``ValueError`` on a bad pattern.

        A template ends with a slot; an opener (a phrase put before a long line) with a comma.
        """
        tokens = tuple(_token(part) for part in line.split())
        last = tokens[-1] if tokens else None
        if opener and (last is None or last.text != ","):
            raise ValueError(f"opener {line!r} must end with a comma")
        if not opener and (last is None or last.kind != "slot"):
            raise ValueError(f"template {line!r} must end with a slot")
        return cls(tokens)

    def after(self, opener: Template) -> Template:
        """This template with ``opener`` before it."""
        return Template(opener.tokens + self.tokens)


def _token(part: str) -> Token:
    if part.startswith("{") and part.endswith("}"):
        if part[1:-1] not in SLOTS:
            raise ValueError(f"unknown slot {part}")
        return Token(part[1:-1], "slot")
    if part.startswith("[") and part.endswith("]"):
        return Token(part[1:-1], "optional")
    return Token(part, "word")


def data_lines(name: str) -> list[str]:
    """The non-blank, non-comment lines of a data file."""
    text = (DATA / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def ing_form(verb: str, dictionary: Pronouncer) -> str | None:
    """``run`` -> ``running``, ``dance`` -> ``dancing``, ``die`` -> ``dying``; None if CMUdict lacks it.

    Examples
    --------
    >>> d = Pronouncer({"running": "R AH1 N IH0 NG", "run": "R AH1 N"})
    >>> ing_form("run", d), ing_form("walk", d)
    ('running', None)
    """
    if verb.endswith("ie"):
        form = verb[:-2] + "ying"
    elif verb.endswith("e") and not verb.endswith(("ee", "ye", "oe")):
        form = verb[:-1] + "ing"
    elif _doubles(verb, dictionary):
        form = verb + verb[-1] + "ing"
    else:
        form = verb + "ing"
    return form if dictionary.known(form) else None


def _doubles(verb: str, dictionary: Pronouncer) -> bool:
    """A final consonant after one vowel letter doubles when the last syllable is stressed (run, forget)."""
    if len(verb) < 3 or verb[-1] in "aeiou" or verb[-1] in _NO_DOUBLING:
        return False
    if verb[-2] not in "aeiou" or verb[-3] in "aeiou":
        return False
    phones = dictionary.pronunciations(verb)[0]
    last_vowel = [p for p in phones if is_vowel(p)][-1]
    return last_vowel.endswith("1")


class WordBank:
    """Words by slot, rhyme families of line-ending words, and the templates."""

    def __init__(self, words: list[Word], templates: list[Template], openers: list[Template]) -> None:
        self.words = words
        self.templates = templates
        self.openers = openers
        self.by_slot: dict[str, list[Word]] = {slot: [w for w in words if w.slot == slot] for slot in SLOTS}
        families: dict[str, list[Word]] = defaultdict(list)
        endings = {t.end_slot for t in templates}
        for word in words:
            if word.clear_rhyme and word.slot in endings:
                families[word.rhyme].append(word)
        self.families = dict(sorted(families.items()))

    @property
    def lemmas(self) -> list[str]:
        """The distinct base forms, sorted: what the theme vectors are made for."""
        return sorted({w.lemma for w in self.words})


def _word(text: str, slot: str, lemma: str, dictionary: Pronouncer) -> Word:
    keys = dictionary.rhyme_keys(text)
    return Word(
        text=text,
        slot=slot,
        lemma=lemma,
        syllables=dictionary.syllables(text),
        rhyme=dictionary.rhyme_key(text),
        clear_rhyme=len(keys) == 1,
    )


def _verb_words(line: str, dictionary: Pronouncer) -> list[Word]:
    verb, kinds = line.split()
    words = []
    for kind in kinds:
        words.append(_word(verb, f"v{kind}", verb, dictionary))
        form = ing_form(verb, dictionary)
        if form is not None:
            words.append(_word(form, "ing" if kind == "i" else "ting", verb, dictionary))
    return words


def _adjective_words(line: str, dictionary: Pronouncer) -> list[Word]:
    text, *tags = line.split()
    slots = ("ap",) if "p" in tags else ("a", "ap")
    return [_word(text, slot, text, dictionary) for slot in slots]


def build_bank(dictionary: Pronouncer) -> WordBank:
    """Read the data files; words CMUdict lacks are left out (a test keeps there being none)."""
    known = [
        (name, line) for name in ("nouns.txt", "adjectives.txt", "verbs.txt") for line in data_lines(name)
    ]
    words: list[Word] = []
    for name, line in known:
        if not dictionary.known(line.split()[0]):
            continue
        if name == "nouns.txt":
            words.append(_word(line, "n", line, dictionary))
        else:
            reader = _adjective_words if name == "adjectives.txt" else _verb_words
            words.extend(reader(line, dictionary))
    templates = [Template.parse(line) for line in data_lines("templates.txt")]
    openers = [Template.parse(line, opener=True) for line in data_lines("openers.txt")]
    return WordBank(words, templates, openers)


@cache
def word_bank() -> WordBank:
    """The shipped bank, built once per process."""
    return build_bank(pronouncer())
