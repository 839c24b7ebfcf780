"""Prompt parsing: the explicit values plus the instrument, mood, structure and genre phrases.

Phrases are found longest first; a phrase inside a longer one of another kind does not count
where that would misread it ("drum and bass" names no drum and no bass).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from mixdown.engines.music import genre_words, lexicon
from mixdown.engines.music.prompt_values import (
    parse_bpm,
    parse_bpm_range,
    parse_duration,
    parse_key,
    parse_meter,
)

MODIFIER_WEIGHT = 0.4  # a genre that colours another ("jazz-infused hip hop") counts this much
_TRANSLATE = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "♯": "#", "♭": "b"})
_INFUSED_AFTER = re.compile(r"^[\s-]*(?:infused|inspired|influenced|tinged|flavou?red|esque|ish)\b")
_INFUSED_BEFORE = re.compile(
    r"\b(?:touch|touches|hint|hints|elements?|flavou?rs?|influences?|bit|dash|splash|shades?|nods?|twist)"
    r"\s+of\s+(?:a\s+|the\s+|some\s+)?$"
)
_COLOURING_NOUN = re.compile(
    r"^[\s-]+(?:influences?|elements?|vibes?|touch(?:es)?|flavou?rs?|feel|chords?|harmon(?:y|ies)|progressions?"
    r"|licks?|riffs?|rhythms?|grooves?|drums?|bass(?:lines?)?|guitars?|piano|keys|horns?|strings|melod(?:y|ies)"
    r"|undertones?|accents?|twist|edge|sensibilit(?:y|ies)|samples?|textures?)\b"
)
# "no drums", "without drums or vocals": the negation reaches along an "or" list.
_NEGATION = re.compile(
    r"\b(?:no|without|minus|sans|zero|not any|free of)\s+(?:any\s+|a\s+|the\s+)?"
    r"(?:[\w'-]+(?:\s+[\w'-]+)?\s*,?\s+(?:or|nor)\s+)*$"
)


@dataclass(frozen=True)
class Hit:
    """A phrase found in the prompt."""

    start: int
    end: int
    phrase: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class GenreVote:
    """A genre the prompt names: ``weight`` 1 when named outright, less when it colours another."""

    style: str
    weight: float
    phrase: str


@dataclass(frozen=True)
class ParsedPrompt:
    """Everything read from one prompt; ``None`` where the prompt did not say."""

    text: str  # lower-cased, normalised
    bpm: float | None = None
    bpm_range: tuple[float, float] | None = None
    key_tonic: int | None = None
    mode: str | None = None
    meter: tuple[int, int] | None = None
    duration: float | None = None
    instruments: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()  # "no drums", "without vocals"
    moods: tuple[str, ...] = ()
    structure: tuple[str, ...] = ()
    genres: tuple[GenreVote, ...] = ()
    genre_hints: tuple[str, ...] = ()  # styles hinted at without being named
    masked: str = ""  # ``text`` with the genre names blanked out (for cue matching)
    plain: str = ""  # ``text`` without phrases that only look like genre names (for the embedding)
    adjust: Mapping[str, float] = field(default_factory=dict)  # intensity/tempo/tone/rhythm/variance, -1..1
    ramp: bool = False  # "gradually builds": rising intensity


def normalise(prompt: str) -> str:
    """Lower case with typographic quotes, dashes and accidentals made plain (same length)."""
    return prompt.translate(_TRANSLATE).lower()


@lru_cache(maxsize=4096)
def phrase_regex(phrase: str, plural: bool = False) -> re.Pattern[str]:
    """A phrase as a whole-word pattern; a space or hyphen in it matches either."""
    words = [re.escape(w).replace(r"\-", r"[\s-]?") for w in phrase.split(" ")]
    body = r"[\s-]+".join(words)
    if plural and phrase[-1].isalpha():
        body += r"(?:e?s)?"
    return re.compile(rf"(?<!\w){body}(?!\w)")


def find_phrases(text: str, table: Mapping[str, str | tuple[str, ...]], *, plural: bool = False) -> list[Hit]:
    """Non-overlapping hits of the table's phrases, the longest winning, in text order."""
    candidates: list[Hit] = []
    for phrase, value in table.items():
        values = (value,) if isinstance(value, str) else value
        candidates += [
            Hit(m.start(), m.end(), phrase, values) for m in phrase_regex(phrase, plural).finditer(text)
        ]
    candidates.sort(key=lambda h: (h.start - h.end, h.start))
    chosen: list[Hit] = []
    for hit in candidates:
        if all(hit.end <= c.start or hit.start >= c.end for c in chosen):
            chosen.append(hit)
    return sorted(chosen, key=lambda h: h.start)


def _inside(hit: Hit, others: Iterable[Hit]) -> bool:
    """Whether ``hit`` lies within a strictly longer hit of ``others``."""
    return any(
        o.start <= hit.start and hit.end <= o.end and o.end - o.start > hit.end - hit.start for o in others
    )


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _blank(text: str, hits: Iterable[Hit]) -> str:
    chars = list(text)
    for hit in hits:
        chars[hit.start : hit.end] = " " * (hit.end - hit.start)
    return "".join(chars)


@lru_cache(maxsize=1)
def _blockers() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern) for pattern in genre_words.GENRE_BLOCKERS)


def _blocked(text: str) -> list[Hit]:
    return [Hit(m.start(), m.end(), "", ()) for b in _blockers() for m in b.finditer(text)]


def _is_colouring(text: str, hit: Hit, following: Hit | None) -> bool:
    after, before = text[hit.end :], text[: hit.start]
    if _INFUSED_AFTER.match(after) or _INFUSED_BEFORE.search(before) or _COLOURING_NOUN.match(after):
        return True
    # "jazz hip hop", "orchestral dubstep": the last genre of a run is the head.
    return following is not None and re.fullmatch(r"[\s/-]*", text[hit.end : following.start]) is not None


def genre_votes(text: str) -> tuple[list[GenreVote], list[Hit]]:
    """The genres a (normalised) prompt names, and where."""
    hits = find_phrases(_blank(text, _blocked(text)), genre_words.GENRE_PHRASES)
    votes: list[GenreVote] = []
    named = len({h.values[0] for h in hits})
    for i, hit in enumerate(hits):
        following = hits[i + 1] if i + 1 < len(hits) else None
        colouring = named > 1 and _is_colouring(text, hit, following)
        votes.append(GenreVote(hit.values[0], MODIFIER_WEIGHT if colouring else 1.0, hit.phrase))
    for hit in find_phrases(text, genre_words.GENRE_ADJECTIVES):
        votes.append(GenreVote(hit.values[0], MODIFIER_WEIGHT, hit.phrase))
    return votes, hits


def _instruments(text: str, hits: list[Hit], skip: list[Hit]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(named instruments, excluded instruments) in prompt order; hits inside ``skip`` do not count."""
    named: list[str] = []
    excluded: list[str] = []
    for hit in hits:
        if _inside(hit, skip):
            continue
        negated = _NEGATION.search(text[: hit.start]) is not None
        (excluded if negated else named).extend(hit.values)
    if re.search(r"\b(?:drumless|beatless|no beats?)\b", text):
        excluded.append("drums")
    if re.search(r"\b(?:a cappella|acapella|vocals only)\b", text):
        named.append("vocals")
    kept = [name for name in named if name not in excluded]
    return _unique(kept), _unique(excluded)


def _adjustments(text: str) -> dict[str, float]:
    adjust: dict[str, float] = {}
    for param, table in lexicon.ADJUSTERS.items():
        total = sum(table[hit.phrase] for hit in find_phrases(text, dict.fromkeys(table, param)))
        if total:
            adjust[param] = max(-1.0, min(1.0, total))
    return adjust


def parse_prompt(prompt: str) -> ParsedPrompt:
    """Read ``prompt``; ``ValueError`` when it states a value the engine cannot honour."""
    text = normalise(prompt)
    key_tonic, mode = parse_key(prompt.translate(_TRANSLATE))
    votes, genre_hits = genre_votes(text)
    blocked = _blocked(text)
    instrument_hits = find_phrases(text, lexicon.INSTRUMENT_PHRASES, plural=True)
    instruments, excluded = _instruments(text, instrument_hits, genre_hits + blocked)
    structure = [
        h.values[0]
        for h in find_phrases(text, lexicon.STRUCTURE_PHRASES)
        if not _inside(h, genre_hits) and not _inside(h, instrument_hits)
    ]
    masked = _blank(text, genre_hits + blocked)
    hints = [h.values[0] for h in find_phrases(masked, genre_words.GENRE_HINT_PHRASES)]
    return ParsedPrompt(
        text=text,
        bpm=parse_bpm(text),
        bpm_range=parse_bpm_range(text),
        key_tonic=key_tonic,
        mode=mode,
        meter=parse_meter(text),
        duration=parse_duration(text),
        instruments=instruments,
        excluded=excluded,
        moods=_unique(
            h.values[0] for h in find_phrases(text, lexicon.MOOD_PHRASES) if not _inside(h, instrument_hits)
        ),
        structure=_unique(structure),
        genres=tuple(votes),
        genre_hints=tuple(hints),
        masked=masked,
        plain=" ".join(_blank(text, blocked).split()),
        adjust=_adjustments(text),
        ramp=any(phrase_regex(p).search(text) for p in lexicon.RAMP_PHRASES),
    )
