"""Echo removal: cepstral detection + inverse filtering (default) or long-tap WPE.

``cepstral`` (:mod:`~mixdown.engines.cleanup.cepstral`) finds each discrete echo's delay
and gain per channel and cancels it exactly; it leaves everything else bit-for-bit alone
when it finds no echo. ``wpe`` runs the dereverberation predictor with taps reaching
``max_delay``: it needs no echo model and also thins smeared reflections, but it removed far
less of a clean echo in our measurements (docs/cleanup.md) and costs more.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from mixdown.audio.pcm import Samples, as_frames, to_float32
from mixdown.engines.cleanup.cepstral import Echo, EchoSearch, cancel, detect_echoes
from mixdown.engines.cleanup.wpe import FRAME_SECONDS, dereverb

DeechoMethod: TypeAlias = Literal["cepstral", "wpe"]
DEECHO_METHODS: tuple[DeechoMethod, ...] = ("cepstral", "wpe")
WPE_MAX_TAPS = 64  # ~1 s of 16 ms frames; WPE's cost grows with taps squared
WPE_MIN_DELAY_FRAMES = 3


@dataclass(frozen=True)
class DeechoResult:
    """The cleaned samples and, for the cepstral method, each channel's echoes."""

    samples: npt.NDArray[np.float32]
    echoes: list[list[Echo]] = field(default_factory=list)


def remove_echoes(
    samples: Samples,
    sample_rate: int,
    *,
    method: DeechoMethod = "cepstral",
    min_delay: float = 0.03,
    max_delay: float = 1.0,
    max_echoes: int = 4,
    on_progress: Callable[[float], None] | None = None,
) -> DeechoResult:
    """Remove discrete echoes between ``min_delay`` and ``max_delay`` seconds.

    Parameters
    ----------
    samples : numpy.ndarray
        ``(frames, channels)`` (or 1-D mono) samples.
    sample_rate : int
        Sample rate in Hz.
    method : {"cepstral", "wpe"}
        See the module docstring.
    min_delay, max_delay : float
        Echo delays searched, seconds. Below ~30 ms an echo is heard as colouring (comb
        filtering), not as a repeat, and voice pitch periods live there.
    max_echoes : int
        Most echoes cancelled per channel (cepstral method).
    on_progress : callable, optional
        Called with the fraction done now and then; may raise to stop the work.

    Returns
    -------
    DeechoResult
        ``(frames, channels)`` float32 samples, aligned with the input, and the echoes found.

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(0, 0.1, 32000).astype(np.float32)
    >>> y = x.copy(); y[4000:] += 0.5 * x[:-4000]
    >>> result = remove_echoes(y, 16000)
    >>> [e.describe(16000)["delay_ms"] for e in result.echoes[0]]
    [250.0]
    """
    audio = to_float32(as_frames(samples))
    if not 0 < min_delay < max_delay:
        raise ValueError("need 0 < min_delay < max_delay")
    if method == "wpe":
        # The predictor that undoes an echo at d has taps at d, 2d, 3d...: it needs about twice
        # the delay to work (measured +0.5 dB with taps to 1.8 d, +9 dB to 4 d). Shorter than
        # 48 ms it starts predicting the voice itself.
        delay = max(WPE_MIN_DELAY_FRAMES, math.floor(min_delay / FRAME_SECONDS))
        out = dereverb(audio, sample_rate, taps=wpe_taps(max_delay), delay=delay, on_progress=on_progress)
        return DeechoResult(out)
    if method != "cepstral":
        raise ValueError(f"unknown de-echo method {method!r}; choose one of {DEECHO_METHODS}")
    search = EchoSearch(
        min_delay=max(1, round(min_delay * sample_rate)),
        max_delay=round(max_delay * sample_rate),
        max_echoes=max_echoes,
    )
    return _cepstral(audio, sample_rate, search, on_progress or (lambda _done: None))


def wpe_taps(max_delay: float) -> int:
    """Taps of the long-tap WPE: twice ``max_delay`` in 16 ms frames, at most ``WPE_MAX_TAPS``.

    Examples
    --------
    >>> wpe_taps(0.25), wpe_taps(1.0)
    (32, 64)
    """
    return min(WPE_MAX_TAPS, math.ceil(2 * max_delay / FRAME_SECONDS))


def _cepstral(
    audio: npt.NDArray[np.float32], sample_rate: int, search: EchoSearch, on_progress: Callable[[float], None]
) -> DeechoResult:
    """Detect and cancel each channel's echoes on its own (a ping-pong delay differs per side)."""
    out = audio.copy()
    found: list[list[Echo]] = []
    channels = audio.shape[1]
    for channel in range(channels):
        on_progress(channel / channels)
        signal = audio[:, channel].astype(np.float64)
        echoes = detect_echoes(signal, sample_rate, search)
        if echoes:
            out[:, channel] = cancel(signal, echoes).astype(np.float32)
        found.append(echoes)
    return DeechoResult(out, found)


def deecho(
    samples: Samples,
    sample_rate: int,
    *,
    method: DeechoMethod = "cepstral",
    min_delay: float = 0.03,
    max_delay: float = 1.0,
    max_echoes: int = 4,
) -> npt.NDArray[np.float32]:
    """:func:`remove_echoes`, samples only: ``(frames, channels)`` float32.

    Examples
    --------
    >>> x = np.random.default_rng(1).normal(0, 0.1, 32000).astype(np.float32)
    >>> y = x.copy(); y[3200:] += 0.4 * x[:-3200]
    >>> bool(np.abs(deecho(y, 16000)[:, 0] - x).max() < 0.05)
    True
    """
    return remove_echoes(
        samples,
        sample_rate,
        method=method,
        min_delay=min_delay,
        max_delay=max_delay,
        max_echoes=max_echoes,
    ).samples
