"""The similar-prompt cache's rules: who takes part, the key, ranking, guards, the ``cache`` field."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from mixdown.engines.text_embedding import cosine, embed_one
from mixdown.errors import ValidationFailed
from mixdown.service.cache import CacheMode, cache_mode
from mixdown.service.similar_cache import SimilarRequest, numbers, rank, similar_request
from mixdown.settings import Settings
from mixdown.tasks import generate, sfx, tts
from mixdown.tasks.base import TaskSpec


def request_for(spec: TaskSpec, **fields: Any) -> SimilarRequest | None:
    return similar_request(spec, spec.parse_params(fields), {})


def row(job_id: str, prompt: str, seed: int | None = None, used: int | None = None) -> tuple[Any, ...]:
    """A candidate as the database returns it: id, params, embedding bytes, metadata."""
    vector = embed_one(prompt).astype("<f4").tobytes()
    return (job_id, {"prompt": prompt, "seed": seed}, vector, {"seed": used if used is not None else seed})


def test_only_cacheable_generations_from_a_prompt_take_part() -> None:
    assert request_for(sfx.TASK, prompt="distant thunder") is not None
    assert request_for(generate.TASK, prompt="lofi hip hop", duration=5) is not None
    assert request_for(generate.TASK, params={"intensity": 5}, duration=5) is None  # no prompt
    assert request_for(generate.TASK, prompt="lofi", stream=True) is None
    assert request_for(tts.TASK, text="Hello there.") is None


def test_the_key_ignores_prompt_and_seed_but_nothing_else() -> None:
    base = request_for(sfx.TASK, prompt="distant thunder", duration=2)
    assert base is not None and base.seed is None
    same = request_for(sfx.TASK, prompt="thunder far away", duration=2, seed=9)
    other = request_for(sfx.TASK, prompt="distant thunder", duration=3)
    assert same is not None and other is not None
    assert same.key == base.key != other.key and same.seed == 9
    assert np.linalg.norm(base.embedding) == pytest.approx(1.0, abs=1e-5)


def test_rank_orders_by_similarity_and_applies_the_floor_and_guards() -> None:
    wanted = request_for(sfx.TASK, prompt="heavy rain on a window")
    assert wanted is not None
    rows = [
        row("job_close", "heavy rain against the window", seed=4),
        row("job_closer", "heavy rain on the window", used=7),
        row("job_far", "distant thunder"),
        row("job_number", "heavy rain on a window 2"),  # similar words, another number
    ]
    ranked = rank(wanted, rows, 0.92)
    assert [job for job, _ in ranked] == ["job_closer", "job_close"]
    assert ranked[0][1] == pytest.approx(
        cosine(embed_one("heavy rain on a window"), embed_one("heavy rain on the window")), abs=1e-5
    )
    assert rank(wanted, rows, ranked[0][1] + 1e-4) == []
    seeded = request_for(sfx.TASK, prompt="heavy rain on a window", seed=7)
    assert seeded is not None
    assert [job for job, _ in rank(seeded, rows, 0.5)] == ["job_closer"]  # the seed it drew was 7
    assert rank(wanted, [], 0.5) == []


def test_numbers_are_compared_as_written() -> None:
    assert numbers("lofi at 84 BPM, 2 bars") == ["84", "2"]
    assert numbers("trance at 138,5 bpm") == ["138.5"]
    assert numbers("warm pads") == []


@pytest.mark.parametrize(
    ("value", "similar_default", "enabled", "mode"),
    [
        (None, False, True, CacheMode.EXACT),
        (None, True, True, CacheMode.SIMILAR),
        (True, True, True, CacheMode.SIMILAR),
        ("exact", True, True, CacheMode.EXACT),
        ("Similar", False, True, CacheMode.SIMILAR),
        ("false", True, True, CacheMode.OFF),
        (False, False, True, CacheMode.OFF),
        ("similar", False, False, CacheMode.OFF),
    ],
)
def test_the_cache_field(value: object, similar_default: bool, enabled: bool, mode: CacheMode) -> None:
    settings = Settings(cache_similar_default=similar_default, cache_enabled=enabled)
    fields = {} if value is None else {"cache": value}
    assert cache_mode(fields, settings) is mode


@pytest.mark.parametrize("value", ["nearly", 1, ["similar"]])
def test_other_cache_values_are_422_on_the_field(value: object) -> None:
    with pytest.raises(ValidationFailed) as refused:
        cache_mode({"cache": value}, Settings())
    assert refused.value.field == "cache"
