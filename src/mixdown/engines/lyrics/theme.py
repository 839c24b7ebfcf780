"""Theme words: how close each word of the bank is to the prompt, by sentence-embedding similarity.

The vectors of the bank's words (all-MiniLM-L6-v2, the model of
:mod:`mixdown.engines.text_embedding`) are computed once and shipped in ``data/vectors.npz``
(float16), because embedding ~900 words takes tens of seconds on a busy CPU and a prompt takes a
few milliseconds. ``python -m mixdown.engines.lyrics.theme`` rebuilds the file after the word
lists change; a test checks that it covers the bank and matches the model.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from mixdown.engines.lyrics.bank import DATA, word_bank

VECTORS = DATA / "vectors.npz"
Embedder = Callable[[list[str]], np.ndarray]
# Similarities are rounded so that BLAS thread counts cannot change which word a seed picks.
_DECIMALS = 4


@dataclass(frozen=True)
class Theme:
    """Similarity of each base word to the prompt (cosine, -1..1)."""

    scores: Mapping[str, float]

    def score(self, lemma: str) -> float:
        """The word's similarity; 0 for a word without a vector."""
        return self.scores.get(lemma, 0.0)

    def top(self, count: int) -> list[tuple[str, float]]:
        """The ``count`` closest words, best first (ties by spelling)."""
        return sorted(self.scores.items(), key=lambda item: (-item[1], item[0]))[:count]


@cache
def bank_vectors() -> tuple[tuple[str, ...], np.ndarray]:
    """The shipped words and their unit vectors (float32, one row per word)."""
    with np.load(VECTORS, allow_pickle=False) as data:
        words = tuple(str(w) for w in data["words"])
        vectors = data["vectors"].astype(np.float32)
    return words, vectors


def _embed(texts: list[str]) -> np.ndarray:
    from mixdown.engines.text_embedding import embed  # one BLAS thread inside (see there)

    return embed(texts)


def theme_of(prompt: str, *, embedder: Embedder | None = None) -> Theme:
    """Similarity of every bank word to ``prompt``.

    Examples
    --------
    >>> theme = theme_of("waves crashing on the shore at night")
    >>> "ocean" in [word for word, _ in theme.top(15)]
    True
    """
    words, vectors = bank_vectors()
    query = (embedder or _embed)([prompt.strip().lower()])[0]
    sims = np.round(vectors @ query.astype(np.float32), _DECIMALS)
    return Theme(dict(zip(words, (float(s) for s in sims), strict=True)))


def build_vectors(
    words: Sequence[str], path: Path = VECTORS, *, embedder: Embedder | None = None
) -> np.ndarray:
    """Embed ``words`` and write them with their vectors to ``path``; returns the vectors."""
    vectors = (embedder or _embed)(list(words)).astype(np.float16)
    np.savez_compressed(path, words=np.array(list(words)), vectors=vectors)
    return vectors


def main(argv: Sequence[str] = ()) -> int:
    """Rebuild ``data/vectors.npz`` from the bank's words."""
    lemmas = word_bank().lemmas
    build_vectors(lemmas)
    print(f"wrote {len(lemmas)} vectors to {VECTORS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
