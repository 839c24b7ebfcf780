"""Sampling: temperature, top-k and top-p behave as they do for language models."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mixdown.engines.music.sampling import chance, choose, component_rng, distribution, stable_id
from mixdown.engines.music.spec import Sampling


def test_temperature_one_keeps_the_weights() -> None:
    assert distribution([1.0, 3.0]) == pytest.approx([0.25, 0.75])


@pytest.mark.parametrize("temperature", [0.5, 2.0, 0.25])
def test_temperature_raises_weights_to_one_over_t(temperature: float) -> None:
    weights = [1.0, 2.0, 5.0]
    powered = [w ** (1 / temperature) for w in weights]
    expected = [p / sum(powered) for p in powered]
    assert distribution(weights, Sampling(temperature=temperature)) == pytest.approx(expected)


def test_near_zero_temperature_is_argmax() -> None:
    assert distribution([1.0, 5.0, 2.0], Sampling(temperature=1e-6)) == [0.0, 1.0, 0.0]


def test_top_k_keeps_the_k_most_likely() -> None:
    probs = distribution([1.0, 4.0, 3.0, 2.0], Sampling(top_k=2))
    assert probs == pytest.approx([0.0, 4 / 7, 3 / 7, 0.0])


def test_top_p_keeps_the_smallest_nucleus() -> None:
    # 0.4 + 0.3 = 0.7 < 0.75, so the nucleus needs the third option too.
    probs = distribution([0.4, 0.3, 0.2, 0.1], Sampling(top_p=0.75))
    assert probs == pytest.approx([0.4 / 0.9, 0.3 / 0.9, 0.2 / 0.9, 0.0])
    assert distribution([0.4, 0.3, 0.2, 0.1], Sampling(top_p=0.4)) == pytest.approx([1.0, 0.0, 0.0, 0.0])


def test_top_k_then_top_p() -> None:
    probs = distribution([5.0, 3.0, 1.0, 1.0], Sampling(top_k=3, top_p=0.6))
    assert probs == pytest.approx([5 / 8, 3 / 8, 0.0, 0.0])


def test_choose_follows_the_distribution() -> None:
    rng = np.random.default_rng(1)
    draws = [choose(rng, "abc", [1.0, 2.0, 7.0]) for _ in range(4000)]
    assert draws.count("c") / 4000 == pytest.approx(0.7, abs=0.03)
    assert draws.count("a") / 4000 == pytest.approx(0.1, abs=0.02)


def test_low_temperature_concentrates_choices() -> None:
    rng = np.random.default_rng(2)
    cold = [choose(rng, range(4), [4, 3, 2, 1], Sampling(temperature=0.1)) for _ in range(500)]
    hot = [choose(rng, range(4), [4, 3, 2, 1], Sampling(temperature=3.0)) for _ in range(500)]
    assert cold.count(0) > 450
    assert len(set(hot)) == 4 and hot.count(0) < 250


def test_chance_goes_through_choose() -> None:
    rng = np.random.default_rng(3)
    assert not chance(rng, 0.0) and chance(rng, 1.0)
    hits = sum(chance(rng, 0.3) for _ in range(3000))
    assert hits / 3000 == pytest.approx(0.3, abs=0.03)
    # top_p below the larger side truncates the unlikely answer away, as for a language model.
    assert not any(chance(rng, 0.3, Sampling(top_p=0.5)) for _ in range(200))


def test_zero_weights_fall_back_to_uniform_and_errors_are_clear() -> None:
    assert distribution([0.0, 0.0]) == [0.5, 0.5]
    with pytest.raises(ValueError, match="options"):
        choose(np.random.default_rng(0), [1, 2], [1.0])
    with pytest.raises(ValueError, match="at least one"):
        distribution([])


def test_stable_id_is_a_fixed_hash() -> None:
    assert stable_id("bass") == stable_id("bass") != stable_id("drums")
    assert stable_id("bass") == int.from_bytes(
        __import__("hashlib").blake2b(b"bass", digest_size=4).digest(), "big"
    )


def test_component_generators_are_independent_and_repeatable() -> None:
    a = component_rng(7, "bass", 0).random(4)
    assert np.array_equal(a, component_rng(7, "bass", 0).random(4))
    assert not np.array_equal(a, component_rng(7, "bass", 1).random(4))
    assert not np.array_equal(a, component_rng(7, "drums", 0).random(4))
    assert not np.array_equal(a, component_rng(8, "bass", 0).random(4))


def test_distribution_sums_to_one() -> None:
    for sampling in (Sampling(), Sampling(temperature=0.3, top_k=5, top_p=0.9), Sampling(temperature=4.0)):
        assert math.isclose(sum(distribution([0.1, 0.5, 0.2, 0.05, 0.15, 0.3], sampling)), 1.0)
