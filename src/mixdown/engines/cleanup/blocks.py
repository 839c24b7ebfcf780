"""Run a whole-signal process over long audio in overlapping blocks, with bounded memory.

Block ``k`` covers ``[s_k, s_k + block)``. Its first ``context`` samples only warm the
process up (a linear predictor has no past at a block start) and are dropped; over the next
``fade`` samples it is cross-faded (equal-gain raised cosine) with the end of block ``k - 1``.
Memory holds one block's working set plus the output, whatever the input length.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import numpy.typing as npt

Block = npt.NDArray[np.float32]


def fit_length(samples: Block, length: int) -> Block:
    """``samples`` (frames first) cut or zero-padded at the end to ``length`` frames.

    Examples
    --------
    >>> fit_length(np.ones((3, 1), np.float32), 5).ravel().tolist()
    [1.0, 1.0, 1.0, 0.0, 0.0]
    """
    if len(samples) >= length:
        return samples[:length]
    pad = np.zeros((length - len(samples), *samples.shape[1:]), dtype=samples.dtype)
    return np.concatenate([samples, pad])


def block_starts(total: int, *, block: int, context: int, fade: int) -> Iterator[int]:
    """Start frames of the blocks that cover ``total`` frames.

    Examples
    --------
    >>> list(block_starts(25, block=10, context=2, fade=3))
    [0, 5, 10, 15]
    """
    step = block - context - fade
    if step <= 0:
        raise ValueError("block must be longer than context + fade")
    start = 0
    while True:
        yield start
        if start + block >= total:
            return
        start += step


def process_in_blocks(
    samples: Block,
    process: Callable[[Block], Block],
    *,
    block: int,
    context: int,
    fade: int,
    on_progress: Callable[[float], None] | None = None,
) -> Block:
    """``process`` applied block-wise to ``(frames, channels)`` samples; see the module docstring.

    ``process`` gets a ``(n, channels)`` float32 block and returns one of the same shape.
    Input no longer than ``block`` is processed in one piece. ``on_progress`` is called with
    the fraction done after each block.

    Examples
    --------
    >>> x = np.arange(30, dtype=np.float32).reshape(-1, 1)
    >>> y = process_in_blocks(x, lambda b: 2 * b, block=12, context=2, fade=4)
    >>> bool(np.allclose(y, 2 * x))
    True
    """
    total = len(samples)
    if total <= block:
        return process(samples)
    report = on_progress or (lambda _done: None)
    out = np.zeros_like(samples)
    ramp = _fade_in(fade)
    previous_end = 0
    for start in block_starts(total, block=block, context=context, fade=fade):
        stop = min(start + block, total)
        piece = process(samples[start:stop])
        keep = 0 if start == 0 else context
        _blend(out, piece[keep:], at=start + keep, ramp=ramp, overlap=previous_end - (start + keep))
        previous_end = stop
        report(stop / total)
    return out


def _fade_in(length: int) -> Block:
    """A raised-cosine ramp from 0 to 1 over ``length`` samples, as a column."""
    ramp = 0.5 - 0.5 * np.cos(np.pi * (np.arange(length) + 0.5) / max(length, 1))
    return ramp.astype(np.float32)[:, None]


def _blend(out: Block, piece: Block, *, at: int, ramp: Block, overlap: int) -> None:
    """Write ``piece`` into ``out`` at ``at``, cross-fading its first ``overlap`` frames."""
    overlap = max(0, min(overlap, len(ramp), len(piece)))
    if overlap:
        fade = ramp[:overlap]
        out[at : at + overlap] = out[at : at + overlap] * (1 - fade) + piece[:overlap] * fade
    out[at + overlap : at + len(piece)] = piece[overlap:]
