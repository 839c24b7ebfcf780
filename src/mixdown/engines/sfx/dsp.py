"""Synthesis primitives the sound-effect recipes are built from: pure ndarray functions.

Conventions: a mono signal is a 1-D float64 array, a stereo one ``(frames, 2)``;
times are seconds and frequencies Hz. Randomness comes only from the ``rng``
passed in, so whatever a recipe builds from these is deterministic for a seed.
Filters, space and dynamics live in :mod:`mixdown.engines.sfx.effects`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
import soxr
from scipy.signal import oaconvolve

Signal: TypeAlias = npt.NDArray[np.float64]
Values: TypeAlias = Sequence[float] | npt.NDArray[np.floating[Any]]
Curve: TypeAlias = float | Signal
NoiseColour: TypeAlias = Literal["white", "pink", "brown", "blue", "violet"]
Shape: TypeAlias = Literal["sine", "saw", "square", "triangle"]

# Power falls as 1/f**exponent: pink halves the power per octave, brown quarters it.
_NOISE_EXPONENTS: dict[str, float] = {"white": 0.0, "pink": 1.0, "brown": 2.0, "blue": -1.0, "violet": -2.0}
# Coloured noise is flat below this, and nothing below _SUBSONIC_HZ: brown noise
# would otherwise put most of its power into an inaudible drift that eats headroom.
_NOISE_FLOOR_HZ = 40.0
_SUBSONIC_HZ = 15.0
# Oscillators stop short of Nyquist so a pitch curve that overshoots cannot alias.
_MAX_FREQUENCY_RATIO = 0.45
_CONTROL_STEP = 16


def frames_for(duration: float, sample_rate: int) -> int:
    """Frames in ``duration`` seconds: ``round(duration * sample_rate)``, at least 1."""
    return max(1, round(duration * sample_rate))


def rms(x: Signal) -> float:
    """Root mean square of all samples (0 for an empty array)."""
    return float(np.sqrt(np.mean(np.square(x)))) if x.size else 0.0


def noise(
    rng: np.random.Generator, frames: int, sample_rate: int, *, colour: NoiseColour = "white"
) -> Signal:
    """Gaussian noise of unit RMS with the power spectrum of ``colour``.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    frames : int
        Length in samples.
    sample_rate : int
        Sample rate in Hz (where the colour's slope starts and ends).
    colour : {"white", "pink", "brown", "blue", "violet"}
        Spectral slope: 0, -3, -6, +3 or +6 dB per octave.

    Returns
    -------
    numpy.ndarray
        ``(frames,)`` float64 noise with RMS 1.

    Examples
    --------
    >>> n = noise(np.random.default_rng(0), 44100, 44100, colour="brown")
    >>> round(rms(n), 6)
    1.0
    """
    white = rng.standard_normal(frames)
    exponent = _NOISE_EXPONENTS[colour]
    if exponent == 0.0 or frames < 8:
        return white / max(rms(white), 1e-12)
    spectrum = np.fft.rfft(white)
    hz = np.fft.rfftfreq(frames, 1.0 / sample_rate)
    spectrum *= np.maximum(hz, _NOISE_FLOOR_HZ) ** (-exponent / 2.0)
    spectrum[hz < _SUBSONIC_HZ] = 0.0
    shaped = np.fft.irfft(spectrum, n=frames)
    return shaped / max(rms(shaped), 1e-12)


def points(frames: int, sample_rate: int, breakpoints: Sequence[tuple[float, float]]) -> Signal:
    """A piecewise-linear curve through ``(time, value)`` breakpoints, held flat past both ends.

    Examples
    --------
    >>> points(5, 4, [(0.0, 0.0), (1.0, 1.0)]).tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """
    times, values = zip(*breakpoints, strict=True)
    return np.asarray(np.interp(np.arange(frames) / sample_rate, times, values), dtype=np.float64)


def decay(
    frames: int, sample_rate: int, *, seconds: float, attack: float = 0.001, start: float = 0.0
) -> Signal:
    """A one-shot envelope: linear attack to 1, then an exponential fall of 60 dB in ``seconds``.

    Zero before ``start``. The workhorse of every struck or exploding sound.

    Examples
    --------
    >>> env = decay(44100, 44100, seconds=0.5)
    >>> round(float(env.max()), 2), round(float(env[22050 + 44]), 3)
    (1.0, 0.001)
    """
    t = np.arange(frames) / sample_rate - start
    attack = max(attack, 1.0 / sample_rate)
    rise = np.clip(t / attack, 0.0, 1.0)
    fall = np.exp(-6.907755 * np.maximum(t - attack, 0.0) / max(seconds, 1e-4))
    return np.where(t < 0.0, 0.0, rise * fall)


def smooth_random(
    rng: np.random.Generator,
    frames: int,
    sample_rate: int,
    *,
    rate: float,
    low: float = 0.0,
    high: float = 1.0,
) -> Signal:
    """A slowly wandering control curve: random knots ``rate`` times a second, cosine-joined.

    Examples
    --------
    >>> c = smooth_random(np.random.default_rng(1), 4410, 44100, rate=20.0, low=2.0, high=3.0)
    >>> bool(c.min() >= 2.0 and c.max() <= 3.0)
    True
    """
    knots = rng.uniform(low, high, int(np.ceil(frames / sample_rate * rate)) + 2)
    # Cosine-join on a control grid (every _CONTROL_STEP samples), then interpolate:
    # the curve moves at tens of hertz at most, so this is exact enough and much cheaper.
    grid = np.arange(0, frames + _CONTROL_STEP, _CONTROL_STEP)
    position = grid / sample_rate * rate
    index = np.floor(position).astype(np.int64)
    frac = (1.0 - np.cos(np.pi * (position - index))) / 2.0
    control = knots[index] * (1.0 - frac) + knots[index + 1] * frac
    return np.asarray(np.interp(np.arange(frames), grid, control), dtype=np.float64)


def lfo(frames: int, sample_rate: int, *, rate: Curve, phase: float = 0.0) -> Signal:
    """A sine in -1..1 at ``rate`` Hz (a number or a per-sample curve), starting at ``phase`` cycles.

    Examples
    --------
    >>> wobble = lfo(44100, 44100, rate=5.0)
    >>> round(float(wobble.max()), 3), round(float(wobble.min()), 3)
    (1.0, -1.0)
    """
    return np.sin(2.0 * np.pi * _phase(np.broadcast_to(rate, (frames,)), sample_rate, phase))


def glide(
    frames: int, *, start: float, end: float, curve: Literal["exp", "linear"] = "exp", power: float = 1.0
) -> Signal:
    """A curve from ``start`` to ``end``: exponential suits pitch, linear suits levels.

    ``power`` > 1 lingers near ``start`` and moves late; < 1 moves early.

    Examples
    --------
    >>> glide(3, start=100.0, end=400.0).round(3).tolist()
    [100.0, 200.0, 400.0]
    """
    x = np.linspace(0.0, 1.0, frames) ** power
    if curve == "exp":
        return float(start) * (float(end) / float(start)) ** x
    return start + (end - start) * x


def _phase(freq: Signal, sample_rate: int, phase: float) -> Signal:
    """Running phase in cycles (0..1) of a per-sample frequency."""
    increments = freq / sample_rate
    return np.asarray((phase + np.cumsum(increments) - increments[0]) % 1.0, dtype=np.float64)


def _polyblep(t: Signal, dt: Signal) -> Signal:
    """The polynomial band-limited step residual that removes most of a naive edge's aliasing."""
    out = np.zeros_like(t)
    head = t < dt
    x = t[head] / dt[head]
    out[head] = x + x - x * x - 1.0
    tail = t > 1.0 - dt
    x = (t[tail] - 1.0) / dt[tail]
    out[tail] = x * x + x + x + 1.0
    return out


def oscillator(
    freq: Curve, sample_rate: int, *, frames: int, shape: Shape = "sine", phase: float = 0.0
) -> Signal:
    """A band-limited oscillator following a pitch curve.

    Parameters
    ----------
    freq : float or numpy.ndarray
        Frequency in Hz, constant or one value per sample (a pitch curve).
    sample_rate : int
        Sample rate in Hz.
    frames : int
        Length in samples.
    shape : {"sine", "saw", "square", "triangle"}
        Waveform; saw and square edges are polyBLEP-corrected.
    phase : float
        Starting phase in cycles.

    Returns
    -------
    numpy.ndarray
        ``(frames,)`` float64 in -1..1.

    Examples
    --------
    >>> falling = glide(4410, start=2000.0, end=200.0)
    >>> osc = oscillator(falling, 44100, frames=4410, shape="saw")
    >>> osc.shape, bool(np.abs(osc).max() <= 1.5)
    ((4410,), True)
    """
    f = np.clip(
        np.broadcast_to(np.asarray(freq, dtype=np.float64), (frames,)),
        0.0,
        _MAX_FREQUENCY_RATIO * sample_rate,
    )
    t = _phase(f, sample_rate, phase)
    dt = np.maximum(f / sample_rate, 1e-9)
    if shape == "sine":
        return np.sin(2.0 * np.pi * t)
    if shape == "saw":
        return 2.0 * t - 1.0 - _polyblep(t, dt)
    if shape == "square":
        return np.where(t < 0.5, 1.0, -1.0) + _polyblep(t, dt) - _polyblep((t + 0.5) % 1.0, dt)
    return 1.0 - 4.0 * np.abs(t - 0.5)


def fm(carrier: Curve, sample_rate: int, *, frames: int, ratio: float, index: Curve) -> Signal:
    """Two-operator FM: a sine at ``carrier`` whose phase a sine at ``carrier * ratio`` modulates.

    Integer ratios give harmonic, buzzy tones; irrational ones bells and clangs.

    Examples
    --------
    >>> bell = fm(440.0, 44100, frames=44100, ratio=1.4, index=decay(44100, 44100, seconds=1.0) * 5)
    >>> bool(np.abs(bell).max() <= 1.0)
    True
    """
    f = np.broadcast_to(np.asarray(carrier, dtype=np.float64), (frames,))
    modulator = np.sin(2.0 * np.pi * _phase(f * ratio, sample_rate, 0.0))
    depth: Signal = np.broadcast_to(np.asarray(index, dtype=np.float64), (frames,))
    return np.asarray(np.sin(2.0 * np.pi * _phase(f, sample_rate, 0.0) + depth * modulator), dtype=np.float64)


def modes(freqs: Values, decays: Values, gains: Values, *, frames: int, sample_rate: int) -> Signal:
    """Modal synthesis: exponentially decaying sines, the ring of a struck object.

    ``decays`` are 60 dB fall times in seconds; modes above Nyquist are dropped.

    Examples
    --------
    >>> freqs, decays, gains = [400.0, 1080.0, 2130.0], [1.5, 0.8, 0.4], [1.0, 0.6, 0.3]
    >>> clang = modes(freqs, decays, gains, frames=22050, sample_rate=22050)
    >>> bool(abs(clang[:100]).max() > 0.1 and abs(clang[-100:]).max() < 0.1)
    True
    """
    t = np.arange(frames) / sample_rate
    out = np.zeros(frames)
    for freq, seconds, gain in zip(np.asarray(freqs), np.asarray(decays), np.asarray(gains), strict=True):
        if freq < _MAX_FREQUENCY_RATIO * sample_rate:
            out += gain * np.sin(2.0 * np.pi * freq * t) * np.exp(-6.907755 * t / max(seconds, 1e-4))
    return out


def poisson_times(rng: np.random.Generator, duration: float, *, rate: float, start: float = 0.0) -> Signal:
    """Event times of a Poisson process at ``rate`` events per second in ``[start, duration)``.

    Examples
    --------
    >>> times = poisson_times(np.random.default_rng(0), 10.0, rate=50.0)
    >>> 400 < times.size < 600, bool(np.all(np.diff(times) >= 0))
    (True, True)
    """
    count = rng.poisson(max(rate, 0.0) * max(duration - start, 0.0))
    return np.sort(rng.uniform(start, duration, count)) if count else np.zeros(0)


def regular_times(
    rng: np.random.Generator, duration: float, *, period: float, jitter: float = 0.0, start: float = 0.0
) -> Signal:
    """Event times every ``period`` seconds from ``start``, each moved by up to ``jitter`` x period.

    Examples
    --------
    >>> regular_times(np.random.default_rng(0), 2.0, period=0.5).tolist()
    [0.0, 0.5, 1.0, 1.5]
    """
    base = np.arange(start, duration, max(period, 1e-3))
    moved = base + rng.uniform(-jitter, jitter, base.size) * period
    return np.clip(moved, 0.0, max(duration - 1e-6, 0.0))


def scatter(
    times: Values, grain: Values, *, frames: int, sample_rate: int, gains: Signal | None = None
) -> Signal:
    """Copies of ``grain`` starting at ``times`` (seconds), scaled by ``gains``, summed.

    An impulse train convolved with the grain: thousands of raindrops cost one FFT.

    Examples
    --------
    >>> out = scatter(np.array([0.0, 0.5]), np.ones(3), frames=10, sample_rate=10)
    >>> out.round(6).tolist()
    [1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0]
    """
    impulses = np.zeros(frames)
    at = np.clip(np.round(np.asarray(times) * sample_rate).astype(np.int64), 0, frames - 1)
    np.add.at(impulses, at, np.ones(at.size) if gains is None else gains)
    if not impulses.any():
        return impulses
    return np.asarray(oaconvolve(impulses, grain)[:frames], dtype=np.float64)


def overlay(base: Signal, sound: Signal, *, at: int) -> Signal:
    """Add ``sound`` into ``base`` (in place) from frame ``at``, cut at ``base``'s end; returns ``base``."""
    if at >= len(base) or at + len(sound) <= 0:
        return base
    start = max(at, 0)
    piece = sound[start - at : len(base) - at]
    base[start : start + len(piece)] += piece
    return base


def pan(mono: Signal, position: Curve = 0.0) -> Signal:
    """Equal-power placement of ``mono`` at ``position`` (-1 left .. 1 right, or a per-sample curve).

    Examples
    --------
    >>> pan(np.ones(2), 0.0).round(4).tolist()
    [[0.7071, 0.7071], [0.7071, 0.7071]]
    """
    angle = (np.clip(np.asarray(position, dtype=np.float64), -1.0, 1.0) + 1.0) * np.pi / 4.0
    return np.stack([mono * np.cos(angle), mono * np.sin(angle)], axis=-1)


def stereo_noise(
    rng: np.random.Generator,
    frames: int,
    sample_rate: int,
    *,
    colour: NoiseColour = "white",
    width: float = 1.0,
) -> Signal:
    """Noise for both ears: fully independent at ``width`` 1, identical (centred) at 0.

    Examples
    --------
    >>> hiss = stereo_noise(np.random.default_rng(0), 44100, 44100, colour="pink", width=1.0)
    >>> hiss.shape, abs(float(np.corrcoef(hiss.T)[0, 1])) < 0.05
    ((44100, 2), True)
    """
    mid = noise(rng, frames, sample_rate, colour=colour)
    side = noise(rng, frames, sample_rate, colour=colour)
    mix = np.clip(width, 0.0, 1.0) * 0.5
    left = np.sqrt(1 - mix) * mid + np.sqrt(mix) * side
    right = np.sqrt(1 - mix) * mid - np.sqrt(mix) * side
    return np.stack([left, right], axis=-1)


def resample(x: Signal, rate: int, target: int, *, frames: int) -> Signal:
    """``x`` at ``rate`` resampled to ``target`` Hz (soxr), cut or padded to exactly ``frames``.

    Lets a recipe synthesise band-limited layers (voices, rumbles) at a low rate.

    Examples
    --------
    >>> resample(np.ones((16000, 2)), 16000, 44100, frames=44100).shape
    (44100, 2)
    """
    out = np.asarray(soxr.resample(x, rate, target), dtype=np.float64) if rate != target else x
    fitted = np.zeros((frames, *x.shape[1:]))
    fitted[: min(frames, len(out))] = out[:frames]
    return fitted


def as_stereo(x: Signal) -> Signal:
    """``(frames, 2)``: a mono signal centred at equal power, a stereo one unchanged."""
    return pan(x, 0.0) if x.ndim == 1 else x
