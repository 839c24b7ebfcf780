"""Matching a prompt to the style library: keyword votes carry most of the weight, sentence
embeddings of each style's description and tags break ties and handle prompts that name no genre.

Every style gets a logit::

    KEYWORD_SCALE * named-genre vote + CUE_SCALE * tag cues + f * (similarity - best) / EMBED_TEMPERATURE

with ``f = NAMED_EMBEDDING`` once the prompt (or a tag) names a genre, else 1.

Raw embedding similarity is weak at genre matching (all-MiniLM-L6-v2 puts "dark melodic techno"
nearer "gentle acoustic folk song" than "warehouse rave"), so it only decides among styles the
keywords leave level. The constants are calibrated on the prompt table in the tests.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from mixdown.engines import text_embedding
from mixdown.engines.music.prompt_parse import ParsedPrompt, find_phrases
from mixdown.engines.music.spec import StyleWeight
from mixdown.engines.music.style import StyleProfile, load_styles

Embedder = Callable[[list[str]], np.ndarray]  # texts -> unit vectors, shape (n, dim)

KEYWORD_SCALE = 8.0  # a genre named outright outweighs any embedding difference
CUE_SCALE = 3.0  # style tags found in the prompt (weighted by rarity across styles)
CUE_CAP = 2.0
HINT_VOTE = 0.3  # a word that hints at a style ("warehouse" -> techno), in cue units
EMBED_TEMPERATURE = 0.05  # a similarity gap of 0.05 is one logit
NAMED_EMBEDDING = 0.35  # once a genre is named, the embedding only breaks near-ties
BLEND_TEMPERATURE = 3.0  # blend weights are a softer softmax than the ranking
MIN_BLEND_WEIGHT = 0.05
MAX_BLEND = 3
CLOSE_RATIO = 0.5  # with no genre named, styles within this probability ratio of the best blend in


@dataclass(frozen=True)
class StyleScores:
    """Every style's logit and its parts, for ranking, blending and explaining a match."""

    names: tuple[str, ...]
    keyword: Mapping[str, float]
    cues: Mapping[str, float]
    similarity: Mapping[str, float]

    def logits(self) -> tuple[float, ...]:
        """Each style's logit (the embedding term damped once the prompt names a genre)."""
        best = max(self.similarity.values(), default=0.0)
        factor = NAMED_EMBEDDING if self.keyword else 1.0
        return tuple(
            KEYWORD_SCALE * self.keyword.get(name, 0.0)
            + CUE_SCALE * self.cues.get(name, 0.0)
            + factor * (self.similarity[name] - best) / EMBED_TEMPERATURE
            for name in self.names
        )

    def probabilities(self) -> dict[str, float]:
        """Softmax of the logits."""
        values = np.asarray(self.logits())
        weights = np.exp(values - values.max())
        return dict(zip(self.names, (weights / weights.sum()).tolist(), strict=True))

    def ranked(self) -> list[tuple[str, float]]:
        """(style, probability), best first; ties broken by name."""
        return sorted(self.probabilities().items(), key=lambda item: (-item[1], item[0]))


def style_text(style: StyleProfile) -> str:
    """The text a style is embedded as: its name, description and tags."""
    return f"{style.name.replace('_', ' ')} music. {style.description} Tags: {', '.join(style.tags)}."


@lru_cache(maxsize=8)
def _style_matrix(texts: tuple[str, ...], embedder: Embedder | None) -> np.ndarray:
    vectors = (embedder or text_embedding.embed)(list(texts))
    matrix = np.asarray(vectors, dtype=np.float32)
    matrix.setflags(write=False)
    return matrix


def _embed_prompt(text: str, embedder: Embedder | None) -> np.ndarray:
    vectors = [text_embedding.embed_one(text)] if embedder is None else embedder([text])
    return np.asarray(vectors, dtype=np.float32).reshape(-1)


def similarities(
    text: str, styles: Mapping[str, StyleProfile], embedder: Embedder | None = None
) -> np.ndarray:
    """Cosine similarity of ``text`` with every style's text, in ``styles`` order (zeros for no text)."""
    if not text.strip():
        return np.zeros(len(styles), dtype=np.float32)
    matrix = _style_matrix(tuple(style_text(s) for s in styles.values()), embedder)
    return np.asarray(matrix @ _embed_prompt(text, embedder), dtype=np.float32)


@lru_cache(maxsize=8)
def _tag_rarity(tags_per_style: tuple[tuple[str, ...], ...]) -> dict[str, float]:
    """Inverse document frequency of each style tag, scaled to 0..1 (a tag every style has is 0)."""
    count = len(tags_per_style)
    frequency: dict[str, int] = {}
    for tags in tags_per_style:
        for tag in set(tags):
            frequency[tag] = frequency.get(tag, 0) + 1
    return {tag: math.log(count / n) / math.log(count) for tag, n in frequency.items()} if count > 1 else {}


def keyword_votes(parsed: ParsedPrompt, boosts: Mapping[str, float] | None = None) -> dict[str, float]:
    """Per style: the strongest vote (named genre or tag), plus a little for each further mention."""
    votes: dict[str, list[float]] = {}
    for vote in parsed.genres:
        votes.setdefault(vote.style, []).append(vote.weight)
    for style, weight in (boosts or {}).items():
        votes.setdefault(style, []).append(weight)
    return {style: min(1.3, max(v) + 0.1 * (len(v) - 1)) for style, v in votes.items()}


def cue_scores(parsed: ParsedPrompt, styles: Mapping[str, StyleProfile]) -> dict[str, float]:
    """Per style: the rarity-weighted style tags found in the prompt, plus genre hints, capped.

    Tags are found longest first across all styles, so "nylon guitar" does not also count as "guitar".
    """
    rarity = _tag_rarity(tuple(s.tags for s in styles.values()))
    found = {hit.phrase for hit in find_phrases(parsed.masked, {tag: tag for tag in rarity}, plural=True)}
    scores: dict[str, float] = {}
    for name, style in styles.items():
        score = sum(rarity[tag] for tag in set(style.tags) & found)
        score += HINT_VOTE * parsed.genre_hints.count(name)
        if score:
            scores[name] = min(CUE_CAP, score)
    return scores


def score_styles(
    parsed: ParsedPrompt,
    *,
    boosts: Mapping[str, float] | None = None,
    extra_text: str = "",
    styles: Mapping[str, StyleProfile] | None = None,
    embedder: Embedder | None = None,
) -> StyleScores:
    """Every style's logit for a parsed prompt (plus tag ``boosts`` and ``extra_text`` such as tag names)."""
    library = styles if styles is not None else load_styles()
    keyword = keyword_votes(parsed, boosts)
    cues = cue_scores(parsed, library)
    sims = similarities(f"{parsed.plain} {extra_text}".strip(), library, embedder)
    return StyleScores(
        names=tuple(library),
        keyword=keyword,
        cues=cues,
        similarity=dict(zip(library, sims.tolist(), strict=True)),
    )


def blend(scores: StyleScores) -> tuple[StyleWeight, ...]:
    """The best style plus every other named one (or, when none is named, the close runners-up).

    Weights are a softer softmax of the logits over the chosen styles, rounded to 3 decimals and
    summing to 1, heaviest first; a style under ``MIN_BLEND_WEIGHT`` drops out.
    """
    ranked = scores.ranked()
    top_name, top_p = ranked[0]
    named = bool(scores.keyword)
    chosen = [top_name]
    for name, p in ranked[1:]:
        if len(chosen) == MAX_BLEND:
            break
        if (named and scores.keyword.get(name, 0.0) > 0) or (not named and p >= CLOSE_RATIO * top_p):
            chosen.append(name)
    logit = dict(zip(scores.names, scores.logits(), strict=True))
    raw = np.exp(np.array([logit[n] - logit[top_name] for n in chosen]) / BLEND_TEMPERATURE)
    raw = raw / raw.sum()
    kept = [
        (name, float(w))
        for name, w in zip(chosen, raw, strict=True)
        if w >= MIN_BLEND_WEIGHT or name == top_name
    ]
    total = sum(w for _, w in kept)
    weights = [round(w / total, 3) for _, w in kept]
    weights[0] = round(1.0 - sum(weights[1:]), 3)
    ordered = sorted(zip((n for n, _ in kept), weights, strict=True), key=lambda item: (-item[1], item[0]))
    return tuple(StyleWeight(name, w) for name, w in ordered)


def match_styles(
    parsed: ParsedPrompt,
    *,
    boosts: Mapping[str, float] | None = None,
    extra_text: str = "",
    styles: Mapping[str, StyleProfile] | None = None,
    embedder: Embedder | None = None,
) -> tuple[StyleWeight, ...]:
    """The style blend for a parsed prompt, heaviest first."""
    scores = score_styles(parsed, boosts=boosts, extra_text=extra_text, styles=styles, embedder=embedder)
    return blend(scores)
