"""Every probabilistic choice of the composer, shaped the way a language model samples.

``choose`` turns weights into a distribution, sharpens or flattens it with the temperature
(``weights ** (1 / T)``), truncates it to the ``top_k`` most likely options and then to the
smallest nucleus whose mass reaches ``top_p``, and draws one option. Randomness never comes from
global state: each component owns a generator made by ``component_rng`` from the seed and stable
names, so adding a part or a section does not change what the others play.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TypeVar

import numpy as np

from mixdown.engines.music.spec import Sampling

T = TypeVar("T")

# Below this temperature the choice is the most likely option (T -> 0 is argmax).
MIN_TEMPERATURE = 1e-3
DEFAULT = Sampling()


def stable_id(name: str) -> int:
    """A 32-bit id for ``name`` that is the same in every process (unlike ``hash``).

    Examples
    --------
    >>> stable_id("bass") == stable_id("bass")
    True
    """
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=4).digest(), "big")


def component_rng(seed: int, name: str, *index: int) -> np.random.Generator:
    """The generator of one component (``"bass"``, ``"melody"``...) for one section or item."""
    return np.random.default_rng(np.random.SeedSequence([seed & 0xFFFFFFFF, stable_id(name), *index]))


def distribution(weights: Sequence[float], sampling: Sampling = DEFAULT) -> list[float]:
    """The probabilities ``choose`` draws from, after temperature, top-k and top-p.

    Examples
    --------
    >>> distribution([1.0, 3.0], Sampling(temperature=1.0))
    [0.25, 0.75]
    >>> distribution([1.0, 3.0, 6.0], Sampling(top_k=1))
    [0.0, 0.0, 1.0]
    """
    raw = [max(0.0, float(w)) for w in weights]
    if not raw:
        raise ValueError("choose needs at least one option")
    total = sum(raw)
    if total <= 0.0:
        raw, total = [1.0] * len(raw), float(len(raw))
    probs = _tempered([w / total for w in raw], sampling.temperature)
    return _truncate(probs, sampling.top_k, sampling.top_p)


def _tempered(probs: list[float], temperature: float) -> list[float]:
    """``p ** (1/T)`` renormalised; near-zero T keeps only the most likely options."""
    if abs(temperature - 1.0) < 1e-9:
        return probs
    if temperature <= MIN_TEMPERATURE:
        best = max(probs)
        tops = [1.0 if p == best else 0.0 for p in probs]
        return [t / sum(tops) for t in tops]
    inv = 1.0 / temperature
    peak = max(probs)
    # Dividing by the peak first keeps large exponents from underflowing to all zeros.
    scaled = [(p / peak) ** inv if p > 0.0 else 0.0 for p in probs]
    total = sum(scaled)
    return [s / total for s in scaled]


def _truncate(probs: list[float], top_k: int, top_p: float) -> list[float]:
    """Keep the ``top_k`` largest, then the smallest nucleus with mass >= ``top_p``."""
    if (top_k <= 0 or top_k >= len(probs)) and top_p >= 1.0:
        return probs
    order = sorted(range(len(probs)), key=lambda i: (-probs[i], i))
    if 0 < top_k < len(order):
        order = order[:top_k]
    if top_p < 1.0:
        mass = sum(probs[i] for i in order)
        kept, acc = [], 0.0
        for i in order:
            kept.append(i)
            acc += probs[i] / mass
            if acc >= top_p - 1e-12:  # tolerance: 0.4 / (0.4 + ...) must reach 0.4
                break
        order = kept
    keep = set(order)
    total = sum(probs[i] for i in keep)
    return [probs[i] / total if i in keep else 0.0 for i in range(len(probs))]


def choose(
    rng: np.random.Generator, options: Sequence[T], weights: Sequence[float], sampling: Sampling = DEFAULT
) -> T:
    """One of ``options``, drawn with ``weights`` shaped by ``sampling``.

    Parameters
    ----------
    rng
        The component's own generator.
    options, weights
        The choices and their (unnormalised, non-negative) weights.
    sampling
        Temperature, top_k and top_p as for a language model.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> choose(rng, ["a", "b"], [0.0, 1.0])
    'b'
    """
    if len(options) != len(weights):
        raise ValueError(f"{len(options)} options but {len(weights)} weights")
    if len(options) == 1:
        return options[0]
    probs = distribution(weights, sampling)
    draw = float(rng.random())
    acc = 0.0
    for option, p in zip(options, probs, strict=True):
        acc += p
        if draw < acc:
            return option
    return next(o for o, p in zip(reversed(options), reversed(probs), strict=True) if p > 0.0)


def chance(rng: np.random.Generator, probability: float, sampling: Sampling = DEFAULT) -> bool:
    """A yes/no choice with ``probability`` of yes, through ``choose`` (so temperature acts on it)."""
    if probability <= 0.0:
        return False
    if probability >= 1.0:
        return True
    return choose(rng, (True, False), (probability, 1.0 - probability), sampling)


def index(rng: np.random.Generator, weights: Sequence[float], sampling: Sampling = DEFAULT) -> int:
    """The index of a choice among ``weights``."""
    return choose(rng, range(len(weights)), weights, sampling)
