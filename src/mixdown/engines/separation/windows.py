"""Separating long audio window by window, so memory holds one window's working set.

Windows of ``window`` frames overlap by ``overlap`` frames; each is separated on its own and the
overlaps are cross-faded (raised cosine, gains adding up to 1), so every source stays continuous
and the sources still add up to the input wherever the engine's do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from mixdown.engines.separation.spectral import Floats

Separator = Callable[[Floats], dict[str, Floats]]


def window_starts(total: int, window: int, overlap: int) -> list[int]:
    """First frame of each window covering ``total`` frames.

    Examples
    --------
    >>> window_starts(25, 10, 2), window_starts(10, 10, 2), window_starts(0, 10, 2)
    ([0, 8, 16], [0], [0])
    """
    if window <= overlap:
        raise ValueError("window must be longer than overlap")
    starts = [0]
    while starts[-1] + window < total:
        starts.append(starts[-1] + window - overlap)
    return starts


def windowed(
    samples: Floats,
    separate: Separator,
    *,
    window: int,
    overlap: int,
    on_progress: Callable[[float], None] | None = None,
) -> Iterator[tuple[int, dict[str, Floats]]]:
    """``(start, sources)`` pieces that tile the input in order, each final when yielded.

    Examples
    --------
    >>> x = np.arange(25, dtype=np.float32)[:, None]
    >>> pieces = list(windowed(x, lambda b: {"a": 2 * b, "b": -b}, window=10, overlap=4))
    >>> [start for start, _ in pieces]
    [0, 6, 12, 18]
    >>> bool(np.allclose(np.concatenate([p["a"] for _, p in pieces]), 2 * x))
    True
    """
    total = len(samples)
    starts = window_starts(total, window, overlap)
    tail: dict[str, Floats] = {}
    fade_in = _ramp(overlap)
    for number, start in enumerate(starts):
        stop = min(start + window, total)
        sources = separate(samples[start:stop])
        for name, held in tail.items():
            n = len(held)
            sources[name][:n] = held * (1.0 - fade_in[:n]) + sources[name][:n] * fade_in[:n]
        last = number == len(starts) - 1
        keep = stop - start if last else stop - start - overlap
        yield start, {name: audio[:keep] for name, audio in sources.items()}
        tail = {} if last else {name: audio[keep:].copy() for name, audio in sources.items()}
        if on_progress is not None:
            on_progress(stop / max(1, total))


def _ramp(length: int) -> Floats:
    """0 -> 1 raised cosine over ``length`` frames, as a column."""
    ramp = 0.5 - 0.5 * np.cos(np.pi * (np.arange(length) + 0.5) / max(1, length))
    return ramp.astype(np.float32)[:, None]
