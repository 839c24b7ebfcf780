"""The embedded lyrics writer: rhyme families first, then a line built back from each rhyme word.

For each section, every rhyme letter gets a family of CMUdict rhymes from the word bank (the
family whose best words are closest to the prompt wins most often; a family is not used again
while another will do), and each line ends in one of its words: a template that ends in that
word's slot is filled to the syllable target (:mod:`.grammar`). A line already sung is written
again differently, and the chorus is written once and sung each time. Everything random comes
from one ``random.Random(seed)``: the same request and seed give the same song.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass

from mixdown.engines.lyrics.bank import Template, Word, WordBank
from mixdown.engines.lyrics.check import normalized
from mixdown.engines.lyrics.grammar import Pools, as_text, fill
from mixdown.engines.lyrics.pronounce import Pronouncer
from mixdown.engines.lyrics.song import Section, Song
from mixdown.engines.lyrics.structure import REPEATED, SectionPlan, plan_song
from mixdown.engines.lyrics.theme import Theme

# Families are drawn among the best few; 0.05 less closeness makes one e (2.7) times less likely.
FAMILY_CHOICES = 6
FAMILY_TEMPERATURE = 0.05
FAMILY_REUSE_PENALTY = 0.15
SECTION_ATTEMPTS = 6
LINE_CANDIDATES = 6


class LyricsUnwritable(RuntimeError):
    """The bank cannot meet the request (a bug or an impossible request; the bench keeps it at 0)."""


@dataclass(frozen=True, kw_only=True)
class Request:
    """What to write: prompt, section kinds, rhyme scheme, lines per section, syllables, seed."""

    prompt: str
    kinds: tuple[str, ...]
    scheme: str
    lines: int
    syllables: int
    seed: int


class Writer:
    """Writes one song; holds what the song has used so far."""

    def __init__(self, request: Request, *, theme: Theme, bank: WordBank, dictionary: Pronouncer) -> None:
        self.request = request
        self.theme = theme
        self.bank = bank
        self.dictionary = dictionary
        self.rng = random.Random(request.seed)
        self.pools = Pools(bank, theme)
        self.sung: set[str] = set()
        self.end_words: set[str] = set()
        self.family_uses: Counter[str] = Counter()

    def song(self) -> Song:
        """All sections in order; the chorus written the first time and repeated after."""
        sections: list[Section] = []
        chorus: Section | None = None
        for plan in plan_song(self.request.kinds, self.request.scheme, self.request.lines):
            if plan.kind == REPEATED and chorus is not None:
                sections.append(chorus)
                continue
            section = self.section(plan)
            chorus = section if plan.kind == REPEATED else chorus
            sections.append(section)
        return Song(tuple(sections))

    def section(self, plan: SectionPlan) -> Section:
        """One section, re-planned with other rhyme families when a line cannot be written."""
        for _ in range(SECTION_ATTEMPTS):
            lines = self._try_section(plan.letters)
            if lines is not None:
                return Section(plan.kind, plan.tag, tuple(lines))
        raise LyricsUnwritable(f"no lines fit {plan.tag} ({self.request.syllables} syllables)")

    def _try_section(self, letters: str) -> list[str] | None:
        """The section's lines, or None with the song's state as it was before."""
        saved = (Counter(self.pools.uses), set(self.end_words), Counter(self.family_uses))
        lines = self._lines(letters)
        if lines is None:
            self.pools.restore(saved[0])
            self.end_words, self.family_uses = saved[1], saved[2]
            return None
        self.sung.update(normalized(line) for line in lines)
        return lines

    def _lines(self, letters: str) -> list[str] | None:
        ends = self._end_words(letters)
        if ends is None:
            return None
        lines: list[str] = []
        for letter in letters:
            line = self._line(ends[letter])
            if line is None:
                return None
            lines.append(line)
        return lines

    # Rhyme families --------------------------------------------------------------------------

    def _end_words(self, letters: str) -> dict[str, list[list[Word]]] | None:
        """Per letter, its line-ending words (each a list of the word's slot variants)."""
        counts = Counter(letters)
        chosen: dict[str, list[list[Word]]] = {}
        taken: set[str] = set()
        for letter in dict.fromkeys(letters):
            key = self._family(counts[letter], taken)
            if key is None:
                return None
            taken.add(key)
            chosen[letter] = self._family_words(key, counts[letter])
        return chosen

    def _available(self, key: str) -> dict[str, list[Word]]:
        """The family's words not yet ending a line and short enough to end one, by text."""
        words: dict[str, list[Word]] = {}
        longest = self.request.syllables - 1  # every template has a word before the rhyme
        for word in self.bank.families[key]:
            if word.text not in self.end_words and word.syllables <= longest:
                words.setdefault(word.text, []).append(word)
        return words

    def _family_score(self, words: dict[str, list[Word]], count: int, key: str) -> float:
        scores = sorted((self.theme.score(v[0].lemma) for v in words.values()), reverse=True)
        return sum(scores[:count]) / count - FAMILY_REUSE_PENALTY * self.family_uses[key]

    def _family(self, count: int, taken: set[str]) -> str | None:
        scored = []
        for key in self.bank.families:
            words = self._available(key)
            if key not in taken and len(words) >= count:
                scored.append((self._family_score(words, count, key), key))
        if not scored:
            return None
        best = sorted(scored, key=lambda item: (-item[0], item[1]))[:FAMILY_CHOICES]
        top = best[0][0]
        weights = [math.exp((score - top) / FAMILY_TEMPERATURE) for score, _ in best]
        key = self.rng.choices([k for _, k in best], weights=weights)[0]
        self.family_uses[key] += 1
        return key

    def _family_words(self, key: str, count: int) -> list[list[Word]]:
        words = self._available(key)
        texts = list(words)
        picked: list[list[Word]] = []
        for _ in range(count):
            weights = [self.pools.weight(words[t][0]) for t in texts]
            text = self.rng.choices(texts, weights=weights)[0]
            texts.remove(text)
            picked.append(words[text])
        return picked

    # Lines -----------------------------------------------------------------------------------

    def _line(self, pending: list[list[Word]]) -> str | None:
        """A new line ending in the next pending rhyme word."""
        variants = pending.pop(0)
        target = self.request.syllables
        for syllables in (target, target - 1, target + 1):
            line = self._line_of(variants, syllables)
            if line is not None:
                return line
        return None

    def _templates(self, slots: dict[str, Word]) -> list[Template]:
        """Templates for the end word in random order, then as many with an opener before them."""
        templates = [t for t in self.bank.templates if t.end_slot in slots]
        self.rng.shuffle(templates)
        openers = self.rng.choices(self.bank.openers, k=len(templates))
        return templates + [t.after(o) for t, o in zip(templates, openers, strict=True)]

    def _line_of(self, variants: list[Word], syllables: int) -> str | None:
        """The best of a few candidate lines (templates in random order) that fit and are new."""
        slots = {w.slot: w for w in variants}
        candidates: list[tuple[float, str, list[Word | str]]] = []
        for template in self._templates(slots):
            words = fill(template, slots[template.end_slot], syllables, self.pools, self.rng, self.dictionary)
            if words is None:
                continue
            text = as_text(words)
            if normalized(text) not in self.sung and text not in (c[1] for c in candidates):
                candidates.append((self._fit(words), text, words))
            if len(candidates) == LINE_CANDIDATES:
                break
        if not candidates:
            return None
        _, text, words = max(candidates, key=lambda c: c[0])  # the first wins a tie
        self._use(words, variants[0].text)
        return text

    def _fit(self, words: list[Word | str]) -> float:
        """Mean log weight of the line's bank words: on theme and not yet used scores high.

        A template that only fits with a rare length of word (one three-syllable verb) would
        otherwise put that word in every song.
        """
        weights = [self.pools.weight(w) for w in words if isinstance(w, Word)]
        return sum(math.log(w) for w in weights) / len(weights)

    def _use(self, words: list[Word | str], end: str) -> None:
        self.end_words.add(end)
        for word in words:
            if isinstance(word, Word):
                self.pools.use(word.lemma)


def write_song(request: Request, *, theme: Theme, bank: WordBank, dictionary: Pronouncer) -> Song:
    """The song for ``request``, deterministic in its seed."""
    return Writer(request, theme=theme, bank=bank, dictionary=dictionary).song()
