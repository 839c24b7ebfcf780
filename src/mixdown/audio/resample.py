"""Sample-rate conversion (soxr) and channel-count changes."""

from __future__ import annotations

from typing import Literal, TypeAlias

import numpy as np
import soxr

from mixdown.audio.pcm import Samples, as_frames, like, to_float32

Quality: TypeAlias = Literal["QQ", "LQ", "MQ", "HQ", "VHQ"]


def resampled_length(frames: int, *, from_rate: int, to_rate: int) -> int:
    """``frames * to_rate / from_rate`` rounded half up, computed exactly.

    Examples
    --------
    >>> resampled_length(44100, from_rate=44100, to_rate=48000)
    48000
    >>> resampled_length(3, from_rate=2, to_rate=1)
    2
    """
    return (2 * frames * to_rate + from_rate) // (2 * from_rate)


def resample(
    samples: Samples,
    *,
    from_rate: int,
    to_rate: int,
    quality: Quality = "VHQ",
) -> Samples:
    """Resample ``samples`` from ``from_rate`` to ``to_rate`` with soxr.

    The result has exactly ``resampled_length(frames, ...)`` frames: soxr's
    one-shot output is trimmed or zero-padded by the odd sample it differs by,
    so durations add up exactly across a pipeline. Integer input is resampled
    in float and rounded back to its own dtype (clipping any overshoot).

    Parameters
    ----------
    samples : numpy.ndarray
        ``(frames, channels)`` samples (1-D is taken as mono).
    from_rate, to_rate : int
        Sample rates in Hz.
    quality : {"QQ", "LQ", "MQ", "HQ", "VHQ"}
        soxr quality recipe; VHQ is linear phase with a passband to ~95 %.

    Returns
    -------
    numpy.ndarray
        ``(round(frames * to_rate / from_rate), channels)`` samples, same dtype.

    Examples
    --------
    >>> x = np.zeros((44100, 2), dtype=np.float32)
    >>> resample(x, from_rate=44100, to_rate=48000).shape
    (48000, 2)
    """
    if from_rate <= 0 or to_rate <= 0:
        raise ValueError(f"sample rates must be positive, got {from_rate}, {to_rate}")
    frames = as_frames(samples)
    if from_rate == to_rate:
        return frames
    length = resampled_length(len(frames), from_rate=from_rate, to_rate=to_rate)
    if len(frames) == 0:
        return np.zeros((0, frames.shape[1]), dtype=frames.dtype)
    out = soxr.resample(to_float32(frames), from_rate, to_rate, quality=quality)
    return like(_fit_length(as_frames(out), length), frames)


def _fit_length(samples: Samples, length: int) -> Samples:
    """``samples`` cut or zero-padded at the end to ``length`` frames."""
    if len(samples) >= length:
        return samples[:length]
    pad = np.zeros((length - len(samples), samples.shape[1]), dtype=samples.dtype)
    return np.concatenate([samples, pad])


def to_channels(samples: Samples, channels: int) -> Samples:
    """``samples`` with ``channels`` channels.

    Downmixing to mono averages the channels (so a full-scale stereo signal
    cannot clip); mono is widened by copying it to every channel. Other
    changes (e.g. 5.1 to stereo) need a mixing matrix and are refused.

    Parameters
    ----------
    samples : numpy.ndarray
        ``(frames, channels)`` samples (1-D is taken as mono).
    channels : int
        Wanted channel count, at least 1.

    Returns
    -------
    numpy.ndarray
        ``(frames, channels)`` samples of the same dtype.

    Examples
    --------
    >>> stereo = np.array([[1.0, 0.0], [0.5, 0.5]], dtype=np.float32)
    >>> to_channels(stereo, 1).ravel().tolist()
    [0.5, 0.5]
    >>> to_channels(np.ones(2, dtype=np.int16), 2).shape
    (2, 2)
    """
    frames = as_frames(samples)
    have = frames.shape[1]
    if channels < 1:
        raise ValueError(f"channels must be at least 1, got {channels}")
    if have == channels:
        return frames
    if channels == 1:
        return _average(frames)
    if have == 1:
        return np.repeat(frames, channels, axis=1)
    raise ValueError(f"cannot mix {have} channels to {channels}; only mono up or down")


def _average(frames: Samples) -> Samples:
    """Mean over channels, rounded back to the input dtype."""
    mean: Samples = frames.mean(axis=1, dtype=np.float64, keepdims=True)
    if np.issubdtype(frames.dtype, np.integer):
        mean = np.rint(mean)
    return mean.astype(frames.dtype)
