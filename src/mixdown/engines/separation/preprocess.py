"""Clean-up before separation (MusicGPT's ``preprocessing_options``), reusing the cleanup engines.

Applied in a fixed order whatever the request's order: denoise, then deecho, then dereverb (noise
confuses echo detection, and WPE models reverberation best once echoes are gone). Denoising is
spectral gating (``noisereduce``): DeepFilterNet is a speech model and would take the music for
noise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from mixdown.engines.separation.spectral import Floats

Step = Literal["denoise", "deecho", "dereverb"]
ORDER: tuple[Step, ...] = ("denoise", "deecho", "dereverb")
Progress = Callable[[float], None]


def preprocess(
    samples: Floats, sample_rate: int, steps: Sequence[str], on_progress: Progress | None = None
) -> Floats:
    """``samples`` through the requested clean-up ``steps`` (same shape and length).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(0, 0.1, (16000, 1)).astype(np.float32)
    >>> preprocess(x, 16000, []) is x, preprocess(x, 16000, ["deecho"]).shape
    (True, (16000, 1))
    """
    chosen = [step for step in ORDER if step in steps]
    for number, step in enumerate(chosen):
        samples = _run(step, samples, sample_rate)
        if on_progress is not None:
            on_progress((number + 1) / len(chosen))
    return samples


def _run(step: Step, samples: Floats, sample_rate: int) -> Floats:
    from mixdown.engines.cleanup.deecho import deecho
    from mixdown.engines.cleanup.denoise import denoise
    from mixdown.engines.cleanup.wpe import dereverb

    if step == "denoise":
        return denoise(samples, sample_rate, engine="noisereduce")
    if step == "deecho":
        return deecho(samples, sample_rate)
    return dereverb(samples, sample_rate)
