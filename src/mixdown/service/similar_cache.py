"""The similar-prompt cache: a generation whose prompt means nearly what an earlier one's did.

Seed 001's embedding-based caching. A request takes part when it asks for it (``"cache":
"similar"``, or ``cache_similar_default``), its task is a cacheable generation from a ``prompt``
(``generate``, ``sfx``; not TTS, whose words must be spoken as written) and it is not a stream.
Its *similar key* hashes everything but the prompt and the seed: task, server version, the other
parameters and the input files' SHA-256. An earlier completed job with the same similar key, of
the same key (or any key with ``cache_shared``), within the retention period, answers it when

* the cosine of the two prompts' all-MiniLM-L6-v2 embeddings is at least
  ``cache_similar_threshold``,
* both prompts contain the same numbers ("84 BPM" is not "120 BPM", "90s" is not "80s"; the
  embedding alone scores such pairs above 0.95), and
* the request's seed, when it gives one, is the one the earlier job used (asked for, or drawn
  at random and reported in its metadata); a request without a seed takes any.

Only jobs that computed their results under this cache are candidates (they store the prompt's
embedding); the newest ``MAX_CANDIDATES`` are compared, in NumPy.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Select, select

from mixdown import __version__
from mixdown.jobs.states import JobStatus, TaskCategory
from mixdown.storage.models import Job
from mixdown.tasks.base import TaskSpec

MAX_CANDIDATES = 500
DIMENSIONS = 384
_DTYPE = np.dtype("<f4")  # stored little-endian whatever the host
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")

Embedder = Callable[[str], np.ndarray]


def embed_prompt(prompt: str) -> np.ndarray:
    """The prompt's unit-length all-MiniLM-L6-v2 embedding (loads the model on first use)."""
    from mixdown.engines.text_embedding import embed_one

    return embed_one(prompt)


@dataclass(frozen=True)
class SimilarRequest:
    """What the similar cache needs of a request."""

    key: str
    prompt: str
    seed: int | None
    embedding: np.ndarray


def similar_request(
    spec: TaskSpec, params: Any, inputs_raw: dict[str, Any], *, embedder: Embedder = embed_prompt
) -> SimilarRequest | None:
    """The request as the similar cache sees it, or None when it cannot take part."""
    prompt = getattr(params, "prompt", None)
    if spec.cacheable is None or spec.category is not TaskCategory.GENERATION:
        return None
    if not isinstance(prompt, str) or not prompt.strip() or getattr(params, "stream", False):
        return None
    others = params.model_dump(mode="json")
    others.pop("prompt")
    seed = others.pop("seed", None)
    audio = {name: item["sha256"] for name, item in inputs_raw.get("audio", {}).items()}
    described = {"task": spec.name, "version": __version__, "params": others, "inputs": audio}
    key = hashlib.sha256(json.dumps(described, sort_keys=True, default=str).encode()).hexdigest()
    return SimilarRequest(key, prompt, seed, embedder(prompt))


def remember(job: Job, request: SimilarRequest | None) -> None:
    """Make ``job`` (about to compute) a candidate for later similar requests."""
    if request is not None:
        job.similar_key = request.key
        job.prompt_embedding = np.asarray(request.embedding, dtype=_DTYPE).tobytes()


def candidates(request: SimilarRequest, key_id: str, *, shared: bool, since: datetime) -> Select[Any]:
    """The newest completed jobs that may answer ``request``: id, params, embedding, metadata."""
    query = select(Job.id, Job.params, Job.prompt_embedding, Job.job_metadata).where(
        Job.similar_key == request.key,
        Job.status == JobStatus.COMPLETE.value,
        Job.prompt_embedding.is_not(None),
        Job.finished_at >= since,
    )
    if not shared:
        query = query.where(Job.key_id == key_id)
    return query.order_by(Job.finished_at.desc()).limit(MAX_CANDIDATES)


def rank(request: SimilarRequest, rows: Sequence[Any], threshold: float) -> list[tuple[str, float]]:
    """(job id, similarity) of the rows that may answer, most similar (then newest) first."""
    usable = [row for row in rows if _compatible(request, row[1] or {}, row[3] or {})]
    if not usable:
        return []
    matrix = np.frombuffer(b"".join(row[2] for row in usable), dtype=_DTYPE).reshape(-1, DIMENSIONS)
    scores = matrix @ np.asarray(request.embedding, dtype=np.float32)
    order = np.argsort(-scores, kind="stable")  # stable: equal scores keep the newest first
    return [(usable[i][0], float(scores[i])) for i in order if scores[i] >= threshold]


def numbers(prompt: str) -> list[str]:
    """The numbers a prompt states, in order ("84 BPM, 2 bars" -> ["84", "2"]).

    Examples
    --------
    >>> numbers("90s house at 124 BPM, 1.5x swing")
    ['90', '124', '1.5']
    """
    return [n.replace(",", ".") for n in _NUMBER.findall(prompt)]


def _compatible(request: SimilarRequest, params: dict[str, Any], metadata: dict[str, Any]) -> bool:
    used = params.get("seed") if params.get("seed") is not None else metadata.get("seed")
    if request.seed is not None and used != request.seed:
        return False
    return sorted(numbers(request.prompt)) == sorted(numbers(str(params.get("prompt", ""))))
