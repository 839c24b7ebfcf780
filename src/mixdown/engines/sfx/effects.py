"""Filters, space and dynamics for sound effects: pure ndarray functions, mono or stereo.

Every function keeps the length of its input to the sample (reverb tails are cut
at the end), which is what lets :func:`~mixdown.engines.sfx.render.render_sfx`
promise an exact duration.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyloudnorm
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import butter, iirpeak, istft, lfilter, oaconvolve, sosfilt, stft

from mixdown.engines.sfx.dsp import Signal, as_stereo, frames_for, rms

Response = Callable[[Signal, Signal], Signal]

_STFT_WINDOW = 1024
# pyloudnorm gates in 400 ms blocks and refuses anything shorter.
_LOUDNESS_MIN_SECONDS = 0.5
_SILENCE = 1e-9


def lowpass(x: Signal, sample_rate: int, *, cutoff: float, order: int = 2) -> Signal:
    """Butterworth low-pass along time; a no-op when ``cutoff`` is at or above Nyquist.

    Examples
    --------
    >>> t = np.arange(4410) / 44100
    >>> hiss = np.sin(2 * np.pi * 8000 * t)
    >>> bool(abs(lowpass(hiss, 44100, cutoff=500.0, order=4))[2000:].max() < 0.01)
    True
    """
    if cutoff >= 0.49 * sample_rate:
        return x
    sos = butter(order, max(cutoff, 10.0), btype="lowpass", fs=sample_rate, output="sos")
    return np.asarray(sosfilt(sos, x, axis=0), dtype=np.float64)


def highpass(x: Signal, sample_rate: int, *, cutoff: float, order: int = 2) -> Signal:
    """Butterworth high-pass along time; ``cutoff`` is clamped below Nyquist.

    Examples
    --------
    >>> rumble = np.sin(2 * np.pi * 50 * np.arange(22050) / 22050)
    >>> bool(abs(highpass(rumble, 22050, cutoff=1000.0, order=4))[5000:].max() < 0.01)
    True
    """
    sos = butter(
        order, min(max(cutoff, 5.0), 0.45 * sample_rate), btype="highpass", fs=sample_rate, output="sos"
    )
    return np.asarray(sosfilt(sos, x, axis=0), dtype=np.float64)


def bandpass(x: Signal, sample_rate: int, *, low: float, high: float, order: int = 2) -> Signal:
    """Butterworth band-pass from ``low`` to ``high`` Hz, clamped to the audible band below Nyquist.

    Examples
    --------
    >>> hiss = np.random.default_rng(0).standard_normal(22050)
    >>> bool(bandpass(hiss, 22050, low=1000.0, high=2000.0).std() < 0.5)
    True
    """
    top = min(high, 0.45 * sample_rate)
    bottom = min(max(low, 10.0), 0.8 * top)
    sos = butter(order, [bottom, top], btype="bandpass", fs=sample_rate, output="sos")
    return np.asarray(sosfilt(sos, x, axis=0), dtype=np.float64)


def resonate(x: Signal, sample_rate: int, *, freq: float, q: float) -> Signal:
    """A narrow resonance at ``freq`` (gain 1 at the peak): formants, bodies, tubes."""
    if freq >= 0.45 * sample_rate:
        return np.zeros_like(x)
    b, a = iirpeak(freq, q, fs=sample_rate)
    return np.asarray(lfilter(b, a, x, axis=0), dtype=np.float64)


def spectral_filter(x: Signal, sample_rate: int, *, response: Response) -> Signal:
    """A time-varying filter: ``response(freqs, times)`` gives the gain of every STFT cell.

    Parameters
    ----------
    x : numpy.ndarray
        Mono ``(frames,)`` or stereo ``(frames, 2)`` signal.
    sample_rate : int
        Sample rate in Hz.
    response : callable
        ``(freqs (F,), times (T,)) -> gains (F, T)``; times in seconds.

    Returns
    -------
    numpy.ndarray
        The filtered signal, same shape.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> hiss = rng.standard_normal(22050)
    >>> dark = spectral_filter(hiss, 22050, response=lambda f, t: (f[:, None] < 1000) + 0 * t)
    >>> bool(dark.std() < hiss.std() / 2)
    True
    """
    if x.ndim == 2:
        return np.stack(
            [spectral_filter(x[:, c], sample_rate, response=response) for c in range(x.shape[1])], -1
        )
    window = min(_STFT_WINDOW, 1 << max(4, int(np.log2(max(len(x), 16)))))
    freqs, times, cells = stft(x, fs=sample_rate, nperseg=window, noverlap=window * 3 // 4)
    _, y = istft(cells * response(freqs, times), fs=sample_rate, nperseg=window, noverlap=window * 3 // 4)
    out = np.zeros(len(x))
    out[: min(len(x), len(y))] = y[: len(x)]
    return out


def moving_band(x: Signal, sample_rate: int, *, centre: Signal, octaves: float) -> Signal:
    """A band-pass whose centre follows the per-sample curve ``centre``: whooshes, gusts, sweeps.

    ``octaves`` is the band's standard deviation in octaves (Gaussian on a log axis).

    Examples
    --------
    >>> hiss = np.random.default_rng(0).standard_normal(22050)
    >>> sweep = moving_band(hiss, 22050, centre=np.geomspace(200.0, 5000.0, 22050), octaves=0.5)
    >>> sweep.shape
    (22050,)
    """

    def response(freqs: Signal, times: Signal) -> Signal:
        where = np.interp(times, np.arange(len(centre)) / sample_rate, centre)
        distance = np.log2(np.maximum(freqs, 1.0)[:, None] / np.maximum(where, 1.0)[None, :])
        return np.asarray(np.exp(-0.5 * (distance / octaves) ** 2), dtype=np.float64)

    return spectral_filter(x, sample_rate, response=response)


def moving_lowpass(x: Signal, sample_rate: int, *, cutoff: Signal, slope: float = 2.0) -> Signal:
    """A low-pass whose cutoff follows the per-sample curve ``cutoff``; ``slope`` sets its steepness.

    Examples
    --------
    >>> hiss = np.random.default_rng(0).standard_normal(22050)
    >>> closing = moving_lowpass(hiss, 22050, cutoff=np.geomspace(8000.0, 200.0, 22050))
    >>> bool(closing[-4000:].std() < closing[:4000].std())
    True
    """

    def response(freqs: Signal, times: Signal) -> Signal:
        where = np.interp(times, np.arange(len(cutoff)) / sample_rate, cutoff)
        ratio = freqs[:, None] / np.maximum(where, 1.0)[None, :]
        return np.asarray(1.0 / np.sqrt(1.0 + ratio ** (2.0 * slope)), dtype=np.float64)

    return spectral_filter(x, sample_rate, response=response)


def saturate(x: Signal, *, drive: float) -> Signal:
    """Soft ``tanh`` saturation; a sample at 1 stays at 1, quieter ones are pushed up by ``drive``.

    Examples
    --------
    >>> saturate(np.array([-1.0, 0.1, 1.0]), drive=3.0).round(3).tolist()
    [-1.0, 0.293, 1.0]
    """
    drive = max(drive, 1e-3)
    return np.asarray(np.tanh(drive * x) / np.tanh(drive), dtype=np.float64)


def bitcrush(x: Signal, *, bits: int, hold: int = 1) -> Signal:
    """Quantise to ``bits`` and hold every ``hold``-th sample: the 8-bit console sound.

    Examples
    --------
    >>> bitcrush(np.array([0.1, 0.2, 0.3, 0.4]), bits=2, hold=2).tolist()
    [0.0, 0.0, 0.5, 0.5]
    """
    levels = 2.0 ** (bits - 1)
    held = np.repeat(x[::hold], hold, axis=0)[: len(x)] if hold > 1 else x
    return np.round(held * levels) / levels


def metallic(x: Signal, sample_rate: int, rng: np.random.Generator, *, amount: float) -> Signal:
    """Ring ``x`` through a bank of narrow inharmonic resonances, like a struck plate.

    Examples
    --------
    >>> knock = np.zeros(22050); knock[10] = 1.0
    >>> ringing = metallic(knock, 22050, np.random.default_rng(0), amount=1.0)
    >>> bool(abs(ringing[5000:]).max() > abs(knock[5000:]).max())
    True
    """
    if amount <= 0.0:
        return x
    base = rng.uniform(300.0, 700.0)
    ring = np.zeros_like(x)
    for ratio in (1.0, 2.32, 4.25, 6.63, 9.38, 12.9):
        # Q grows with frequency so every partial rings for roughly the same ~0.3 s.
        freq = base * ratio * rng.uniform(0.97, 1.03)
        ring += resonate(x, sample_rate, freq=freq, q=min(0.3 * np.pi * freq / 6.9, 3000.0)) / np.sqrt(ratio)
    ring *= rms(x) / max(rms(ring), _SILENCE)
    return (1.0 - 0.5 * amount) * x + 1.2 * amount * ring


def impulse_response(
    rng: np.random.Generator,
    sample_rate: int,
    *,
    seconds: float,
    damping: float = 0.5,
    predelay: float = 0.01,
) -> Signal:
    """A stereo room: decaying noise whose highs die faster when ``damping`` is high, unit energy."""
    frames = frames_for(min(max(seconds, 0.05), 8.0), sample_rate)
    t = np.arange(frames) / sample_rate
    channels = []
    for _ in range(2):
        white = rng.standard_normal(frames)
        dark = lowpass(white, sample_rate, cutoff=1500.0 + 6000.0 * (1.0 - damping))
        tail = dark * np.exp(-6.907755 * t / seconds) + (1.0 - damping) * white * np.exp(
            -6.907755 * t / (0.3 * seconds)
        )
        channels.append(np.concatenate([np.zeros(frames_for(predelay, sample_rate)), tail]))
    ir = np.stack(channels, axis=-1)
    return np.asarray(ir / np.sqrt(np.sum(np.square(ir)) / 2.0), dtype=np.float64)


def reverb(
    x: Signal,
    sample_rate: int,
    rng: np.random.Generator,
    *,
    seconds: float,
    mix: float,
    damping: float = 0.5,
    predelay: float = 0.01,
) -> Signal:
    """Convolution reverb with a synthetic room of RT60 ``seconds``; ``mix`` 0 dry .. 1 all reverb.

    Returns stereo; the tail is cut at the input's end.

    Examples
    --------
    >>> clap = np.zeros(22050); clap[100] = 1.0
    >>> wet = reverb(clap, 22050, np.random.default_rng(0), seconds=0.5, mix=0.5)
    >>> wet.shape, bool(abs(wet[5000:]).max() > 1e-4)
    ((22050, 2), True)
    """
    dry = as_stereo(x)
    if mix <= 0.0:
        return dry
    ir = impulse_response(rng, sample_rate, seconds=seconds, damping=damping, predelay=predelay)
    mid = dry.mean(axis=1)
    wet = np.stack([oaconvolve(mid, ir[:, c])[: len(mid)] for c in range(2)], axis=-1)
    mix = min(mix, 1.0)
    return np.asarray(np.sqrt(1.0 - mix) * dry + np.sqrt(mix) * wet, dtype=np.float64)


def place(
    x: Signal, sample_rate: int, rng: np.random.Generator, *, distance: float, wet: float = 0.0
) -> Signal:
    """Put a sound at ``distance`` (0 at the ear .. 1 far away) in a room ``wet`` (-1 dry .. 1 cavernous).

    Far sounds lose their highs (air absorption and obstacles) and arrive mostly
    as reverberation; their lower level is applied by the renderer's loudness target.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> hiss = rng.standard_normal(22050)
    >>> far = place(hiss, 22050, rng, distance=1.0)
    >>> bool(far.std() < hiss.std())
    True
    """
    far = float(np.clip((distance - 0.2) / 0.8, 0.0, 1.0))
    out = as_stereo(x)
    if far > 0.0:
        out = lowpass(out, sample_rate, cutoff=18000.0 * 0.06**far, order=2)
    mix = float(np.clip(0.05 + 0.55 * far + 0.5 * wet + 0.1 * distance, 0.0, 0.9))
    if mix > 0.02:
        seconds = 0.6 + 1.8 * far + 2.5 * max(wet, 0.0)
        out = reverb(
            out,
            sample_rate,
            rng,
            seconds=seconds,
            mix=mix,
            damping=0.4 + 0.5 * far,
            predelay=0.005 + 0.03 * far,
        )
    return out


def loudness(x: Signal, sample_rate: int) -> float:
    """Integrated loudness (ITU-R BS.1770, LUFS); ``-inf`` for silence. Short sounds are padded to 0.5 s.

    Examples
    --------
    >>> tone = np.sin(2 * np.pi * 1000 * np.arange(44100) / 44100)
    >>> round(loudness(np.stack([tone, tone], axis=-1), 44100))
    0
    """
    stereo = as_stereo(x)
    if not np.abs(stereo).max(initial=0.0) > _SILENCE:
        return float("-inf")
    minimum = frames_for(_LOUDNESS_MIN_SECONDS, sample_rate)
    if len(stereo) < minimum:
        stereo = np.concatenate([stereo, np.zeros((minimum - len(stereo), 2))])
    return float(pyloudnorm.Meter(sample_rate).integrated_loudness(stereo))


def peak_limit(x: Signal, sample_rate: int, *, ceiling: float, window: float = 0.02) -> Signal:
    """Bring every peak down to ``ceiling`` with a smooth gain curve (look-ahead brick-wall limiter).

    The gain is the running minimum of the needed gain over ``window`` seconds
    either side, then averaged over the same span: the average of minima never
    exceeds the gain any sample inside it needs, so no sample ends above the
    ceiling, and the gain moves over tens of milliseconds, not within one cycle.

    Examples
    --------
    >>> t = np.arange(44100) / 44100
    >>> loud = 3.0 * np.sin(2 * np.pi * 100 * t)
    >>> bool(np.abs(peak_limit(loud, 44100, ceiling=0.9)).max() <= 0.9)
    True
    """
    level = np.abs(x).reshape(len(x), -1).max(axis=1)
    needed = np.minimum(1.0, ceiling / np.maximum(level, _SILENCE))
    if needed.min() >= 1.0:
        return x
    span = 2 * frames_for(window, sample_rate) + 1
    gain = uniform_filter1d(minimum_filter1d(needed, span, mode="nearest"), span, mode="nearest")
    gain = np.minimum(gain, needed)  # guards the float rounding of the running mean
    return np.asarray(x * (gain if x.ndim == 1 else gain[:, None]), dtype=np.float64)
