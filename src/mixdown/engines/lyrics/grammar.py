"""Filling a line template with theme words to an exact syllable count.

A template's tokens each take a known number of syllables: a fixed word its own, an optional
word its own or none, a slot any count its words come in (1, 2, 3 ...). Every way to reach the
target is listed, one is drawn, then each slot gets a word of that length, drawn with a weight
that grows with the word's closeness to the prompt and shrinks each time the song already used it.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from functools import lru_cache
from itertools import product

from mixdown.engines.lyrics.bank import Template, Token, Word, WordBank
from mixdown.engines.lyrics.pronounce import Pronouncer
from mixdown.engines.lyrics.theme import Theme

# A word 0.06 less similar to the prompt than the best is drawn e (2.7) times less often.
TEMPERATURE = 0.06
# Each earlier use of a word (any form: run, running) divides its weight by 5: varied, still on theme.
REUSE_FACTOR = 0.2
MAX_COMBINATIONS = 4096


class Pools:
    """The bank's words by slot and length, with their theme weights and the song's use counts."""

    def __init__(self, bank: WordBank, theme: Theme, *, temperature: float = TEMPERATURE) -> None:
        self.by_length: dict[str, dict[int, list[Word]]] = {}
        for slot, words in bank.by_slot.items():
            lengths: dict[int, list[Word]] = defaultdict(list)
            for word in sorted(words, key=lambda w: w.text):
                lengths[word.syllables].append(word)
            self.by_length[slot] = dict(sorted(lengths.items()))
        best = max((theme.score(w.lemma) for w in bank.words), default=0.0)
        self.weights = {w.lemma: math.exp((theme.score(w.lemma) - best) / temperature) for w in bank.words}
        self.uses: Counter[str] = Counter()  # by lemma
        self._totals: dict[tuple[str, int], float] = {}

    def lengths(self, slot: str) -> list[int]:
        """The syllable counts the slot's words come in."""
        return list(self.by_length[slot])

    def weight(self, word: Word) -> float:
        """How likely the word is drawn now."""
        return self.weights[word.lemma] * REUSE_FACTOR ** self.uses[word.lemma]

    def use(self, lemma: str) -> None:
        """Count one more use of a word."""
        self.uses[lemma] += 1
        self._totals.clear()

    def restore(self, uses: Counter[str]) -> None:
        """Go back to earlier use counts (a section that could not be written)."""
        self.uses = Counter(uses)
        self._totals.clear()

    def total(self, slot: str, syllables: int) -> float:
        """The summed weight of the slot's words of that length (kept until a use changes it)."""
        key = (slot, syllables)
        if key not in self._totals:
            self._totals[key] = sum(self.weight(w) for w in self.by_length[slot].get(syllables, []))
        return self._totals[key]

    def draw(self, slot: str, syllables: int, rng: random.Random, *, avoid: list[str]) -> Word | None:
        """A word for the slot with that many syllables, unrelated to ``avoid``; None if there is none."""
        words = [
            w for w in self.by_length[slot].get(syllables, []) if not any(related(w.text, a) for a in avoid)
        ]
        if not words:
            return None
        return rng.choices(words, weights=[self.weight(w) for w in words])[0]


def related(first: str, second: str) -> bool:
    """Words too alike to share a line: same first three letters, or one inside the other.

    Examples
    --------
    >>> related("sun", "sunny"), related("midnight", "night"), related("lonely", "loneliness")
    (True, True, True)
    >>> related("rain", "night")
    False
    """
    return first[:3] == second[:3] or first in second or second in first


@lru_cache(maxsize=1024)
def _fixed_syllables(text: str, dictionary: Pronouncer) -> int:
    return dictionary.line_syllables(text)


def _choices(token: Token, pools: Pools, dictionary: Pronouncer) -> list[int]:
    if token.kind == "slot":
        return pools.lengths(token.text)
    count = _fixed_syllables(token.text, dictionary)
    return [0, count] if token.kind == "optional" else [count]


def splits(
    template: Template, end: Word, target: int, pools: Pools, dictionary: Pronouncer
) -> list[tuple[int, ...]]:
    """Every way (syllables per token before the end word) to make the line ``target`` syllables."""
    options = [_choices(t, pools, dictionary) for t in template.tokens[:-1]]
    if math.prod(len(o) for o in options) > MAX_COMBINATIONS:
        return []
    need = target - end.syllables
    return [combo for combo in product(*options) if sum(combo) == need]


def _split_weight(template: Template, combo: tuple[int, ...], pools: Pools) -> float:
    """How much on-theme choice a split leaves: the product over slots of their words' weights.

    Drawing splits evenly would put the few four-syllable nouns in every long line.
    """
    weight = 1.0
    for token, syllables in zip(template.tokens, combo, strict=False):
        if token.kind == "slot":
            weight *= pools.total(token.text, syllables)
    return weight


def fill(
    template: Template,
    end: Word,
    target: int,
    pools: Pools,
    rng: random.Random,
    dictionary: Pronouncer,
) -> list[Word | str] | None:
    """The line's words (bank words and fixed words), ending with ``end``; None if it cannot fit."""
    found = splits(template, end, target, pools, dictionary)
    if not found:
        return None
    combo = rng.choices(found, weights=[_split_weight(template, c, pools) for c in found])[0]
    chosen: list[Word | str] = []
    avoid = [end.text]
    for token, syllables in zip(template.tokens[:-1], combo, strict=True):
        if token.kind != "slot":
            if syllables:
                chosen.append(token.text)
            continue
        word = pools.draw(token.text, syllables, rng, avoid=avoid)
        if word is None:
            return None
        avoid.append(word.text)
        chosen.append(word)
    chosen.append(end)
    return chosen


def as_text(words: list[Word | str]) -> str:
    """The line as text, first letter upper case."""
    text = " ".join(w if isinstance(w, str) else w.text for w in words).replace(" ,", ",")
    return text[:1].upper() + text[1:]
