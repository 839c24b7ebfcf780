"""Cheap measurements for cleanup metadata, tests and benchmarks.

``si_sdr`` needs the clean reference (tests, benchmarks); the others are blind estimates a
job can report about its own input and output. They are rough by design: frame levels, not
a speech-presence model.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from mixdown.audio.pcm import Samples, as_frames, to_float32

FRAME_SECONDS = 0.02
_SILENCE = 1e-12


def si_sdr(estimate: npt.ArrayLike, reference: npt.ArrayLike) -> float:
    """Scale-invariant signal-to-distortion ratio in dB (Le Roux et al., 2019).

    Both are 1-D and equally long; means are removed first.

    Examples
    --------
    >>> ref = np.sin(np.arange(1000) / 7)
    >>> round(si_sdr(0.5 * ref + 0.05 * np.cos(np.arange(1000) / 3), ref), 1)
    20.0
    """
    est = np.asarray(estimate, dtype=np.float64).ravel()
    ref = np.asarray(reference, dtype=np.float64).ravel()
    est, ref = est - est.mean(), ref - ref.mean()
    scale = np.dot(est, ref) / max(np.dot(ref, ref), _SILENCE)
    target = scale * ref
    noise = est - target
    return float(10 * np.log10(max(np.dot(target, target), _SILENCE) / max(np.dot(noise, noise), _SILENCE)))


def frame_powers(samples: Samples, sample_rate: int) -> npt.NDArray[np.float64]:
    """Mean power of each 20 ms frame of the channel mix (the last partial frame dropped)."""
    mono = to_float32(as_frames(samples)).astype(np.float64).mean(axis=1)
    size = max(1, round(FRAME_SECONDS * sample_rate))
    count = len(mono) // size
    frames = mono[: count * size].reshape(count, size)
    powers: npt.NDArray[np.float64] = (frames * frames).mean(axis=1)
    return powers


def estimate_snr_db(samples: Samples, sample_rate: int) -> float | None:
    """A blind SNR estimate: the quietest 10 % of frames taken as the noise floor.

    ``10 log10((P - N) / N)`` with ``P`` the mean frame power and ``N`` the mean power of the
    quietest tenth of the frames; None for silence or input shorter than 10 frames. It reads
    high on speech with long pauses and low on dense music: compare before and after, not
    across files.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> bursts = np.where(np.arange(48000) % 16000 < 8000, 1.0, 0.0) * np.sin(np.arange(48000) / 5)
    >>> noisy = bursts + 0.01 * rng.normal(size=48000)
    >>> round(estimate_snr_db(noisy, 16000))
    35
    """
    powers = frame_powers(samples, sample_rate)
    if len(powers) < 10 or powers.mean() <= _SILENCE:
        return None
    floor = float(np.sort(powers)[: max(1, len(powers) // 10)].mean())
    signal = float(powers.mean()) - floor
    if floor <= _SILENCE:
        return None
    return round(10 * math.log10(max(signal, _SILENCE) / floor), 2)


def dynamic_range_db(samples: Samples, sample_rate: int) -> float | None:
    """Spread of the frame levels, 95th minus 10th percentile, in dB.

    Reverberation fills the gaps between sounds, so removing it widens this spread.

    Examples
    --------
    >>> steps = np.repeat([1.0, 0.01], 8000)
    >>> round(dynamic_range_db(steps, 16000))
    40
    """
    powers = frame_powers(samples, sample_rate)
    if len(powers) < 10 or powers.max() <= _SILENCE:
        return None
    high, low = np.percentile(powers, [95, 10])
    return round(float(10 * np.log10(max(high, _SILENCE) / max(low, _SILENCE))), 2)


def level_change_db(before: Samples, after: Samples) -> float | None:
    """Energy of ``after`` relative to ``before`` in dB (negative: energy was removed)."""
    start = float(np.sum(np.square(to_float32(as_frames(before)), dtype=np.float64)))
    end = float(np.sum(np.square(to_float32(as_frames(after)), dtype=np.float64)))
    if start <= _SILENCE:
        return None
    return round(10 * math.log10(max(end, _SILENCE) / start), 2)
