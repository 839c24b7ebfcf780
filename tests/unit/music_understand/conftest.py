"""Shared fixtures: one sentence-embedding model load per session, and a stand-in embedder."""

from __future__ import annotations

import numpy as np
import pytest

from mixdown.engines import text_embedding


def flat_embedder(texts: list[str]) -> np.ndarray:
    """Every text at the same point: the match rests on keywords, tags and hints alone (fast)."""
    vectors = np.zeros((len(texts), 8), dtype=np.float32)
    vectors[:, 0] = 1.0
    return vectors


@pytest.fixture(scope="session")
def embedding_model() -> None:
    """Load all-MiniLM-L6-v2 once; later ``text_embedding`` calls reuse it."""
    text_embedding.embed(["warm up"])
