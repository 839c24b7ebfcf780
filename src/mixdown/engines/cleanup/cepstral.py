"""Discrete echo removal: find echoes in the cepstrum, cancel them with an inverse IIR filter.

An echo ``y[n] = x[n] + g x[n - d]`` multiplies the spectrum by ``1 + g e^{-jwd}``; its log is
``g e^{-jwd} - g^2/2 e^{-2jwd} + ...``, so the real cepstrum of ``y`` shows a peak of
``g / 2`` at quefrency ``d`` on top of the (short-quefrency) cepstrum of the voice. Detection
is iterative, strongest echo first:

1. average the real cepstrum over Hann blocks at least four times the longest delay, and
   take the highest peak in ``[min_delay, max_delay]`` whose robust z-score (median / MAD
   over that range) passes a threshold;
2. start the gain from the autocorrelation at that lag (``rho = g / (1 + g^2)``), then fit
   it by least energy after cancellation: if ``x`` is uncorrelated at lag ``d``, cancelling
   with ``g'`` leaves ``|x|^2 (1 + (g - g')^2 / (1 - g'^2))``, smallest at the true gain.
   The delay is the cepstral peak's: refining it by the autocorrelation within +-2 samples
   was pulled off by the voice's own periodicity (1602 instead of 1600 at 100 ms);
3. cancel it and look again. This removes the ``2d, 3d ...`` cepstral images of a strong
   echo (which would otherwise be found as echoes), and a filtered or fractional-delay echo
   comes out as a few neighbouring taps. All gains are then re-fitted together.

The fit runs on the raw signal, not an LPC-whitened one: whitening gives noise-dominated
bands as much weight as the voice, and with mic noise 20 dB down it halved the fitted gain
(measured: SI-SDR after cancellation 10 dB whitened vs 18 dB raw; 28 vs 50 dB on a clean
echo, where both are inaudible).

Cancellation is the exact inverse of the echo model, the sparse recursion
``x[n] = y[n] - sum_k g_k x[n - d_k]``, run in blocks of the shortest delay so every block
is one vectorised step. It is stable when ``sum |g_k| < 1`` (the model is then minimum
phase), which the detector enforces. Limits: echoes must be time-invariant and close to
copies of the signal (a delay effect, a doubled track, a line echo); smeared or filtered
room reflections are the WPE method's job.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize_scalar

Mono = npt.NDArray[np.float64]

MAX_TOTAL_GAIN = 0.95  # sum |g_k| stays below 1 so the inverse filter is stable
ANALYSIS_SECONDS = 60.0


@dataclass(frozen=True)
class Echo:
    """One discrete echo: ``gain`` times the signal, ``delay`` samples later."""

    delay: int
    gain: float

    def describe(self, sample_rate: int) -> dict[str, float]:
        """JSON view: delay in ms, linear gain and gain in dB."""
        return {
            "delay_ms": round(1000 * self.delay / sample_rate, 3),
            "gain": round(self.gain, 4),
            "gain_db": round(20 * np.log10(max(abs(self.gain), 1e-9)), 2),
        }


@dataclass(frozen=True, kw_only=True)
class EchoSearch:
    """Where and how hard to look for echoes, in samples."""

    min_delay: int
    max_delay: int
    max_echoes: int = 4
    threshold: float = 20.0  # robust z-score of a cepstral peak
    min_gain: float = 0.1  # -20 dB: weaker echoes are left alone

    def __post_init__(self) -> None:
        if not 0 < self.min_delay < self.max_delay:
            raise ValueError("need 0 < min_delay < max_delay")


def average_cepstrum(x: Mono, block: int) -> Mono:
    """Real cepstrum averaged over Hann blocks of ``block`` samples (hop ``block / 2``).

    Silent blocks are skipped; input shorter than a block is zero-padded.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=16000)
    >>> y = x.copy(); y[800:] += 0.5 * x[:-800]
    >>> int(np.argmax(average_cepstrum(y, 4096)[100:2048])) + 100
    800
    """
    if len(x) < block:
        x = np.pad(x, (0, block - len(x)))
    window = np.hanning(block)
    total = np.zeros(block)
    count = 0
    floor = 1e-12 * block
    for start in range(0, len(x) - block + 1, block // 2):
        segment = x[start : start + block] * window
        magnitude = np.abs(np.fft.rfft(segment))
        peak = float(magnitude.max())
        if peak * peak <= floor:
            continue
        total += np.fft.irfft(np.log(magnitude + 1e-6 * peak), block)
        count += 1
    return total / max(count, 1)


def cancel(y: Mono, echoes: list[Echo]) -> Mono:
    """Undo ``echoes``: ``x[n] = y[n] - sum_k g_k x[n - d_k]``, exactly.

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=1000)
    >>> y = x.copy(); y[100:] += 0.5 * x[:-100]
    >>> bool(np.allclose(cancel(y, [Echo(100, 0.5)]), x))
    True
    """
    x = np.array(y, dtype=np.float64, copy=True)
    if not echoes:
        return x
    step = min(echo.delay for echo in echoes)
    for start in range(step, len(x), step):
        stop = min(start + step, len(x))
        for echo in echoes:
            begin = max(start, echo.delay)
            if begin < stop:
                x[begin:stop] -= echo.gain * x[begin - echo.delay : stop - echo.delay]
    return x


def rho_to_gain(rho: float) -> float:
    """The echo gain whose normalised autocorrelation is ``rho`` (``rho = g / (1 + g^2)``).

    Examples
    --------
    >>> round(rho_to_gain(0.4), 6)
    0.5
    """
    rho = float(np.clip(rho, -0.499, 0.499))
    if abs(rho) < 1e-9:
        return 0.0
    return (1.0 - math.sqrt(1.0 - 4.0 * rho * rho)) / (2.0 * rho)


def lag_correlation(x: Mono, lag: int) -> float:
    """Normalised autocorrelation of ``x`` at ``lag``."""
    if lag >= len(x):
        return 0.0
    energy = float(np.dot(x, x))
    return float(np.dot(x[lag:], x[:-lag])) / energy if energy > 0 else 0.0


def echo_level_db(x: Mono, delay: int) -> float:
    """The echo gain implied at ``delay`` by the autocorrelation, in dB.

    A blind echo-to-direct measure: about ``20 log10 |g|`` for an echo of gain ``g``, and
    below -30 dB for speech without one.
    """
    gain = rho_to_gain(lag_correlation(x, delay))
    return float(20 * np.log10(max(abs(gain), 1e-4)))


def analysis_excerpt(x: Mono, sample_rate: int) -> Mono:
    """The loudest ``ANALYSIS_SECONDS`` of ``x`` (all of it if shorter): bounds detection cost."""
    length = round(ANALYSIS_SECONDS * sample_rate)
    if len(x) <= length:
        return x
    second = sample_rate
    energy = np.add.reduceat(x * x, np.arange(0, len(x), second))
    windows = np.convolve(energy, np.ones(length // second), "valid")
    start = int(np.argmax(windows)) * second
    return x[start : start + length]


def detect_echoes(x: Mono, sample_rate: int, search: EchoSearch) -> list[Echo]:
    """Echoes of a mono signal, strongest first; see the module docstring.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=48000)
    >>> y = x.copy(); y[4000:] += 0.5 * x[:-4000]
    >>> found = detect_echoes(y, 16000, EchoSearch(min_delay=480, max_delay=8000))
    >>> [(e.delay, round(e.gain, 1)) for e in found]
    [(4000, 0.5)]
    """
    excerpt = analysis_excerpt(np.asarray(x, dtype=np.float64), sample_rate)
    if not np.any(excerpt):
        return []
    block = 1 << int(np.ceil(np.log2(4 * search.max_delay)))
    echoes: list[Echo] = []
    for _ in range(search.max_echoes):
        found = _next_echo(excerpt, echoes, block, search)
        if found is None:
            break
        echoes = _refine_gains([*echoes, found], excerpt)
    return sorted(echoes, key=lambda e: -abs(e.gain))


def _next_echo(signal: Mono, known: list[Echo], block: int, search: EchoSearch) -> Echo | None:
    """The strongest echo left after cancelling ``known``, or None."""
    residual = cancel(signal, known)
    delay = _cepstral_peak(average_cepstrum(residual, block), search)
    if delay is None:
        return None
    echo = _fit_gain(residual, delay, rho_to_gain(lag_correlation(residual, delay)))
    room = MAX_TOTAL_GAIN - sum(abs(e.gain) for e in known)
    if abs(echo.gain) < search.min_gain or room < search.min_gain:
        return None
    return Echo(echo.delay, float(np.clip(echo.gain, -room, room)))


def _cepstral_peak(cepstrum: Mono, search: EchoSearch) -> int | None:
    """Quefrency of the highest peak in the search range, if it stands out enough."""
    hi = min(search.max_delay, len(cepstrum) // 2 - 1)
    values = np.abs(cepstrum[search.min_delay : hi + 1])
    if len(values) < 8:
        return None
    median = float(np.median(values))
    spread = 1.4826 * float(np.median(np.abs(values - median))) + 1e-12
    index = int(np.argmax(values))
    if (values[index] - median) / spread < search.threshold:
        return None
    return search.min_delay + index


def _fit_gain(residual: Mono, delay: int, start: float) -> Echo:
    """The gain at ``delay`` that leaves the least energy, searched around ``start``."""

    def energy(gain: float) -> float:
        out = cancel(residual, [Echo(delay, gain)])
        return float(np.dot(out, out))

    lo, hi = max(-MAX_TOTAL_GAIN, start - 0.3), min(MAX_TOTAL_GAIN, start + 0.3)
    best = minimize_scalar(energy, bounds=(lo, hi), method="bounded", options={"xatol": 1e-3})
    return Echo(delay, float(best.x))


def _refine_gains(echoes: list[Echo], signal: Mono, rounds: int = 2) -> list[Echo]:
    """Coordinate descent on all gains together (echoes interact through the recursion)."""
    if len(echoes) < 2:
        return echoes
    current = list(echoes)
    for _ in range(rounds):
        for index, echo in enumerate(current):
            others = current[:index] + current[index + 1 :]

            def energy(gain: float, echo: Echo = echo, others: list[Echo] = others) -> float:
                out = cancel(signal, [*others, Echo(echo.delay, gain)])
                return float(np.dot(out, out))

            room = max(MAX_TOTAL_GAIN - sum(abs(e.gain) for e in others), 1e-3)
            best = minimize_scalar(energy, bounds=(-room, room), method="bounded", options={"xatol": 1e-3})
            current[index] = Echo(echo.delay, float(best.x))
    return current
