"""Prompt -> recipe and traits: keywords first, sentence embeddings for ties and paraphrases.

Keywords carry most of the weight: every recipe lists the words that name it
(``keywords``, 1 point) and words that hint at it (``related``, 0.35 points).
The prompt is scanned left to right taking the longest listed phrase at each
word ("laser gun" before "gun"), words stemmed on both sides so "dripping" meets
"drip". Embedding similarity (MiniLM, loaded lazily, ~4 s once per process) is
consulted only when no keyword matched or the two best recipes are within
``AMBIGUOUS_MARGIN``; it then adds ``EMBEDDING_WEIGHT`` x cosine similarity, so it
decides near-ties and paraphrases ("patter of droplets on a tin roof") but cannot
overturn a clear keyword match. Without the model, keywords decide alone.

Traits ("heavy", "distant", "short", "very fast", "three knocks") come from a
word table with intensifiers ("very" x1.6, "slightly" x0.5) and negation ("not").
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal, TypeVar

import numpy as np

from mixdown.engines.sfx.recipes import RECIPES, Recipe, Traits

log = logging.getLogger(__name__)
_T = TypeVar("_T")

Method = Literal["keyword", "keyword+embedding", "embedding", "default"]

STRONG = 1.0
RELATED = 0.35
PHRASE_BONUS = 0.25  # per extra word: "door slam" says more than "door"
AMBIGUOUS_MARGIN = 0.5
EMBEDDING_WEIGHT = 0.6
DEFAULT_RECIPE = "drone"
_MAX_PHRASE = 4

# Words whose suffix stripping would land on another word: "firing" is not "fire".
_IRREGULAR = {"firing": "shoot", "fired": "shoot"}
_WORD = re.compile(r"[a-z0-9]+")
_UNDOUBLE = set("bdfgkmnprt")

# Trait words ("|" between synonyms) and what each adds to which trait; bipolar
# traits run -1..1, the others 0..1 (distance starts at 0.2, intensity at 0.5).
_TRAIT_ROWS = (
    ("heavy|weighty", "weight=0.8 intensity=0.35"),
    ("light|lightweight|delicate|feather", "weight=-0.7 intensity=-0.3"),
    ("gentle|subtle|calm|mild", "intensity=-0.3 loudness=-0.3"),
    ("hard|forceful", "intensity=0.3 weight=0.3"),
    ("massive|huge|enormous|giant|gigantic|colossal|epic", "size=0.9 weight=0.5"),
    ("big|large", "size=0.6"),
    ("small|little|mini", "size=-0.6"),
    ("tiny|miniature", "size=-0.9 weight=-0.3"),
    ("distant|far|faraway|far off|far away|in the distance|remote", "distance=0.65"),
    ("close|near|nearby|up close|closeup|intimate|right next", "distance=-0.2"),
    ("short|brief|snappy|staccato|clipped|tight", "length=-0.8"),
    ("quick", "length=-0.5 speed=0.5"),
    ("long|lingering|sustained|extended|drawn out|ringing out", "length=0.8"),
    ("fast|rapid|hurried|frantic|running|racing|speedy", "speed=0.7"),
    ("slow|lazy|leisurely|sluggish|plodding", "speed=-0.7"),
    ("high|high pitched|shrill|squeaky|piercing", "pitch=0.7"),
    ("low|low pitched|bassy|sub", "pitch=-0.7"),
    ("deep|booming|rumbly", "pitch=-0.6 weight=0.3"),
    ("bright|crisp|sharp|brilliant|sizzling", "brightness=0.6"),
    ("dark|dull|warm|mellow", "brightness=-0.6"),
    ("muffled|muted|underwater|through a wall|behind a door", "brightness=-0.8 distance=0.2"),
    ("intense|violent|strong|powerful|fierce|aggressive|torrential|pouring|stormy", "intensity=0.4"),
    ("loud|deafening|blaring", "loudness=0.6 intensity=0.2"),
    ("quiet|faint|soft|whisper|barely audible", "loudness=-0.6 intensity=-0.2"),
    ("wet|reverberant|reverb|echo|echoey|cavernous|cathedral|hall|cave|tunnel|church|canyon", "wet=0.7"),
    ("dry|dead|anechoic|close mic", "wet=-0.8"),
    ("metallic|metal|steel|iron|tin|tinny|clanky", "metallic=0.7"),
    ("retro|8 bit|8bit|chiptune|lofi|lo fi|arcade|old school|nes|16 bit", "lofi=0.8"),
    ("sparse|occasional|sporadic|drizzle", "intensity=-0.3"),
    ("dense|busy|crowded|packed|thick", "intensity=0.3"),
)
TRAIT_WORDS: Mapping[str, tuple[tuple[str, float], ...]] = {
    word: tuple((field, float(amount)) for field, amount in (pair.split("=") for pair in effects.split()))
    for synonyms, effects in _TRAIT_ROWS
    for word in synonyms.split("|")
}
_BIPOLAR = {"weight", "size", "length", "speed", "pitch", "brightness", "wet", "loudness"}
_INTENSIFIERS = {
    **dict.fromkeys(("very", "super", "ultra"), 1.6),
    **dict.fromkeys(("extremely", "incredibly"), 1.8),
    **dict.fromkeys(("slightly", "somewhat", "bit", "mildly"), 0.5),
    "really": 1.5, "so": 1.3, "quite": 1.2, "fairly": 0.7,
}  # fmt: skip
_NEGATIONS = {"not", "no", "non", "without", "never"}
_COUNTS = {
    **{
        w: i
        for i, w in enumerate(
            ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"), 1
        )
    },
    **dict.fromkeys(("single", "once"), 1),
    **dict.fromkeys(("double", "twice"), 2),
    **dict.fromkeys(("triple", "thrice"), 3),
}
_FILLERS = {"too", "a", "and", "the", "of", "on", "in", "with"}
_SEVERAL = {
    "repeated",
    "repeating",
    "multiple",
    "several",
    "series",
    "burst",
    "volley",
    "rapid fire",
    "barrage",
}


@dataclass(frozen=True, kw_only=True)
class SfxMatch:
    """The recipe a prompt asks for, the traits it reads, how it was chosen and the top scores."""

    recipe: str
    traits: Traits
    method: Method
    scores: tuple[tuple[str, float], ...]


def stem(word: str) -> str:
    """A crude suffix stripper applied to prompt and keywords alike ("Dripping" -> "drip").

    Examples
    --------
    >>> [stem(w) for w in ("footsteps", "crashes", "bubbles", "dripping", "rising", "echoes")]
    ['footstep', 'crash', 'bubbl', 'drip', 'ris', 'echo']
    """
    w = word.lower().replace("'", "")
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses") or w.endswith(("ches", "shes", "xes", "zes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us")) and len(w) > 3:
        w = w[:-1]
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            if len(w) > 3 and w[-1] == w[-2] and w[-1] in _UNDOUBLE:
                w = w[:-1]
            break
    return w[:-1] if w.endswith("e") and len(w) > 3 else w


def words(text: str) -> list[str]:
    """Stemmed words of ``text``; hyphens and punctuation split words ("power-up" -> "power", "up")."""
    return [stem(w) for w in _WORD.findall(text.lower())]


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(words(text))


@lru_cache(maxsize=1)
def keyword_index() -> dict[tuple[str, ...], dict[str, float]]:
    """Stemmed phrase -> {recipe: weight}, built once from the recipe table."""
    index: dict[tuple[str, ...], dict[str, float]] = {}
    for r in RECIPES.values():
        entries = (
            [(r.name.replace("_", " "), STRONG)]
            + [(k, STRONG) for k in r.keywords]
            + [(k, RELATED) for k in r.related]
        )
        for text, weight in entries:
            phrase = _phrase(text)
            bonus = weight * (1.0 + PHRASE_BONUS * (len(phrase) - 1))
            slot = index.setdefault(phrase, {})
            slot[r.name] = max(slot.get(r.name, 0.0), bonus)
    return index


def keyword_scores(prompt: str) -> dict[str, float]:
    """Keyword points per recipe (only recipes with any), longest phrase first at each word.

    A tiny bonus for later mentions settles exact ties the English way: the head
    noun comes last ("booming thunder", "door knock").
    """
    tokens = words(prompt)
    index = keyword_index()
    scores: dict[str, float] = {}
    seen: set[tuple[str, ...]] = set()
    i = 0
    while i < len(tokens):
        for size in range(min(_MAX_PHRASE, len(tokens) - i), 0, -1):
            phrase = tuple(tokens[i : i + size])
            if phrase in index:
                if phrase not in seen:
                    seen.add(phrase)
                    for name, weight in index[phrase].items():
                        scores[name] = scores.get(name, 0.0) + weight + 1e-3 * (i + 1) / (len(tokens) + 1)
                i += size
                break
        else:
            i += 1
    return scores


def parse_traits(prompt: str) -> Traits:
    """The traits a prompt asks for, e.g. ``"very distant heavy thunder"``.

    Examples
    --------
    >>> t = parse_traits("very distant, short and heavy")
    >>> t.distance > 0.9, t.length < 0, t.weight > 0
    (True, True, True)
    >>> parse_traits("three loud knocks").repeats
    3
    """
    tokens = words(prompt)
    values: dict[str, float] = {}
    found: list[str] = []
    repeats: int | None = None
    scale, i = 1.0, 0
    trait_index, several, intensifiers, counts, negations = _trait_tables()
    while i < len(tokens):
        token = tokens[i]
        size, effects = _longest(trait_index, tokens, i)
        if effects is not None:
            for field, amount in effects:
                values[field] = values.get(field, 0.0) + amount * scale
            found.append(" ".join(tokens[i : i + size]))
            scale, i = 1.0, i + size
            continue
        if token in intensifiers:
            scale *= intensifiers[token]
        elif token in negations:
            scale = -scale
        elif token.isdigit() and 0 < int(token) <= 64:
            repeats = int(token)
        elif token in counts:
            repeats = counts[token]
        elif _longest(several, tokens, i)[1] is not None:
            repeats = repeats or 4
        elif token not in _FILLERS:
            scale = 1.0
        i += 1
    return _traits_from(values, repeats, tuple(found))


@lru_cache(maxsize=1)
def _trait_tables() -> tuple[
    dict[tuple[str, ...], tuple[tuple[str, float], ...]],
    dict[tuple[str, ...], bool],
    dict[str, float],
    dict[str, int],
    frozenset[str],
]:
    """The trait vocabularies with stemmed keys, as the prompt's words are stemmed."""
    return (
        {_phrase(k): v for k, v in TRAIT_WORDS.items()},
        {_phrase(k): True for k in _SEVERAL},
        {stem(k): v for k, v in _INTENSIFIERS.items()},
        {stem(k): v for k, v in _COUNTS.items()},
        frozenset(stem(k) for k in _NEGATIONS),
    )


def _longest(table: Mapping[tuple[str, ...], _T], tokens: list[str], i: int) -> tuple[int, _T | None]:
    """(length, value) of the longest phrase of ``table`` starting at ``tokens[i]``; (0, None) if none."""
    for size in range(min(_MAX_PHRASE, len(tokens) - i), 0, -1):
        value = table.get(tuple(tokens[i : i + size]))
        if value is not None:
            return size, value
    return 0, None


def _traits_from(values: Mapping[str, float], repeats: int | None, found: tuple[str, ...]) -> Traits:
    base = Traits()
    settings: dict[str, float] = {}
    for field, amount in values.items():
        low, high = (-1.0, 1.0) if field in _BIPOLAR else (0.0, 1.0)
        settings[field] = float(np.clip(getattr(base, field) + amount, low, high))
    return replace(base, **settings, repeats=repeats, words=found)


def embedding_scores(prompt: str) -> dict[str, float] | None:
    """Similarity of the prompt to every recipe (see :func:`_similarities`); ``None`` without the model."""
    if not embeddings_available():
        return None
    from mixdown.engines.text_embedding import embed_one

    return _similarities(embed_one(prompt.strip().lower()))


@lru_cache(maxsize=1)
def embeddings_available() -> bool:
    """Whether the sentence-embedding model loads here; tried once per process, a failure logged once."""
    try:
        _recipe_vectors()
    except Exception:  # an absent or broken model must not break keyword matching
        log.warning("sentence embeddings unavailable; matching sound prompts by keyword only", exc_info=True)
        return False
    return True


@lru_cache(maxsize=1)
def _recipe_vectors() -> tuple[tuple[str, ...], np.ndarray]:
    """Recipe names and, per recipe, three vectors: description, keywords, related words."""
    from mixdown.engines.text_embedding import embed

    names = tuple(RECIPES)
    texts = [text for name in names for text in _texts_of(RECIPES[name])]
    return names, embed(texts).reshape(len(names), 3, -1)


def _texts_of(r: Recipe) -> tuple[str, str, str]:
    return r.description, ", ".join((r.name.replace("_", " "), *r.keywords)), ", ".join(r.related)


def _similarities(query: np.ndarray) -> dict[str, float]:
    """Per recipe: half the description's similarity, a quarter each for the keyword and related lists.

    The description catches scenes ("a bolt from the sky"), the word lists catch
    synonyms ("a hearth" ~ "fireplace"); either alone misses more paraphrases.
    """
    names, vectors = _recipe_vectors()
    sims = vectors @ query
    return dict(zip(names, (float(s) for s in sims @ np.array([0.5, 0.25, 0.25])), strict=True))


def warm_up() -> threading.Thread:
    """Load the embedding model and embed the recipes in the background (~10 s on one core)."""

    def load() -> None:
        embedding_scores("warm up")

    thread = threading.Thread(target=load, name="sfx-embedding-warm-up", daemon=True)
    thread.start()
    return thread


def match_prompt(prompt: str, *, use_embeddings: bool | None = None) -> SfxMatch:
    """Pick the recipe and traits for ``prompt``.

    Parameters
    ----------
    prompt : str
        What the sound should be, in plain words.
    use_embeddings : bool or None
        ``None`` (default): only when keywords are missing or nearly tied;
        ``True``: always; ``False``: never (keywords alone, no model load).

    Examples
    --------
    >>> m = match_prompt("distant rolling thunder", use_embeddings=False)
    >>> m.recipe, m.method, m.traits.distance > 0.5
    ('thunder', 'keyword', True)
    """
    traits = parse_traits(prompt)
    keywords = keyword_scores(prompt)
    ranked = _ranked(keywords)
    wanted = use_embeddings if use_embeddings is not None else _ambiguous(ranked)
    similarity = embedding_scores(prompt) if wanted else None
    if similarity is not None:
        combined = {
            name: keywords.get(name, 0.0) + EMBEDDING_WEIGHT * sim for name, sim in similarity.items()
        }
        method: Method = "keyword+embedding" if keywords else "embedding"
        return SfxMatch(recipe=_ranked(combined)[0][0], traits=traits, method=method, scores=_top(combined))
    if ranked:
        return SfxMatch(recipe=ranked[0][0], traits=traits, method="keyword", scores=_top(keywords))
    return SfxMatch(recipe=DEFAULT_RECIPE, traits=traits, method="default", scores=())


def _ranked(scores: Mapping[str, float]) -> list[tuple[str, float]]:
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def _ambiguous(ranked: list[tuple[str, float]]) -> bool:
    return not ranked or (len(ranked) > 1 and ranked[0][1] - ranked[1][1] < AMBIGUOUS_MARGIN)


def _top(scores: Mapping[str, float], count: int = 5) -> tuple[tuple[str, float], ...]:
    return tuple((name, round(score, 3)) for name, score in _ranked(scores)[:count])
