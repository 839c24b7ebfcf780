"""Noise reduction: DeepFilterNet3 (default) or spectral gating, with one ``strength`` knob.

``strength`` in 0..1 means the same for both engines: the output keeps at least ``1 - strength``
of the input's amplitude in every time-frequency cell, i.e. the largest attenuation is
``-20 log10(1 - strength)`` dB (0.5 -> 6 dB, 0.9 -> 20 dB, 0.99 -> 40 dB, 1 -> unlimited).
DeepFilterNet gets it as its attenuation limit (libDF mixes the noisy input back in by that
amount); noisereduce as ``prop_decrease``, which is the same mix applied to its mask.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from mixdown.audio.pcm import Samples, as_frames, to_float32
from mixdown.audio.resample import resample
from mixdown.engines.cleanup import deepfilternet
from mixdown.engines.cleanup.blocks import fit_length
from mixdown.engines.cleanup.spectral_gate import spectral_gate

DenoiseEngine: TypeAlias = Literal["deepfilternet", "noisereduce"]
DENOISE_ENGINES: tuple[DenoiseEngine, ...] = ("deepfilternet", "noisereduce")
# Measured on TTS speech at 5 dB SNR (docs/cleanup.md): a 20 dB limit scored 0.2-1.6 dB better
# SI-SDR than no limit with DeepFilterNet (1.2 dB with noisereduce), and keeps some room tone.
DEFAULT_STRENGTH = 0.9


def attenuation_limit_db(strength: float) -> float:
    """The largest attenuation ``strength`` allows, in dB (``NO_LIMIT_DB`` at 1).

    Examples
    --------
    >>> attenuation_limit_db(0.9)
    20.0
    >>> attenuation_limit_db(0.0), attenuation_limit_db(1.0)
    (0.0, 100.0)
    """
    if not 0.0 <= strength <= 1.0:
        raise ValueError(f"strength must be within 0..1, got {strength}")
    if strength >= 1.0 - 10 ** (-deepfilternet.NO_LIMIT_DB / 20):
        return deepfilternet.NO_LIMIT_DB
    return round(abs(20.0 * math.log10(1.0 - strength)), 6)


def denoise(
    samples: Samples,
    sample_rate: int,
    *,
    strength: float = DEFAULT_STRENGTH,
    engine: DenoiseEngine = "deepfilternet",
    on_progress: Callable[[float], None] | None = None,
) -> npt.NDArray[np.float32]:
    """Reduce background noise in every channel.

    Parameters
    ----------
    samples : numpy.ndarray
        ``(frames, channels)`` (or 1-D mono) samples, any dtype of :mod:`mixdown.audio.pcm`.
    sample_rate : int
        Sample rate in Hz. DeepFilterNet runs at 48 kHz: other rates are resampled there and
        back with soxr, so the output still has exactly ``frames`` samples.
    strength : float
        0..1, see the module docstring; 0 returns the input unchanged.
    engine : {"deepfilternet", "noisereduce"}
        The neural model (best on speech) or spectral gating (fast, steady noise only).
    on_progress : callable, optional
        Called now and then with the fraction done (0..1); may raise to stop the work.

    Returns
    -------
    numpy.ndarray
        ``(frames, channels)`` float32, aligned sample-exactly with the input.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> noisy = rng.normal(0, 0.05, (8000, 2)).astype(np.float32)
    >>> out = denoise(noisy, 16000, strength=0.9)
    >>> out.shape, bool(np.std(out) < np.std(noisy))
    ((8000, 2), True)
    """
    audio = to_float32(as_frames(samples))
    limit = attenuation_limit_db(strength)
    if limit == 0.0 or len(audio) == 0:
        return audio.copy()
    if engine == "noisereduce":
        return spectral_gate(audio, sample_rate, prop_decrease=strength)
    if engine == "deepfilternet":
        return _deepfilternet(audio, sample_rate, limit, on_progress or _ignore)
    raise ValueError(f"unknown denoise engine {engine!r}; choose one of {DENOISE_ENGINES}")


def _ignore(_fraction: float) -> None:
    """No progress reporting."""


def _deepfilternet(
    audio: npt.NDArray[np.float32], sample_rate: int, limit_db: float, on_progress: Callable[[float], None]
) -> np.ndarray:
    """Each channel through DeepFilterNet at 48 kHz, back at ``sample_rate``."""
    wide = resample(audio, from_rate=sample_rate, to_rate=deepfilternet.DF_RATE)
    out = np.empty_like(wide)
    channels = wide.shape[1]
    for channel in range(channels):

        def report(done: float, channel: int = channel) -> None:
            on_progress((channel + done) / channels)

        out[:, channel], _ = deepfilternet.enhance_48k(
            np.ascontiguousarray(wide[:, channel]), atten_lim_db=limit_db, on_progress=report
        )
    back = resample(out, from_rate=deepfilternet.DF_RATE, to_rate=sample_rate)
    return np.ascontiguousarray(fit_length(back, len(audio)), dtype=np.float32)
