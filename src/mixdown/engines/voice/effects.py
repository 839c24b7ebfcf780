"""The effect chains some presets run after WORLD synthesis (pedalboard and scipy filters).

* ``radio``: parallel saturation (a small speaker driven hard), then a 4th-order Butterworth
  band-pass 300-3400 Hz (the telephone band, after the saturation so its harmonics are cut too)
  and a 4:1 compressor.
* ``monster``: parallel saturation and a +4 dB low shelf at 250 Hz (a growl with weight).
* ``robot``: a 6 ms feedback comb (resonances every 167 Hz: metallic).

Every chain runs on the signal brought to a fixed peak, so saturation and compression sound the
same on quiet and loud inputs; the caller restores the loudness afterwards. Every chain keeps the
length and the channel count.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from pedalboard import Chain, Compressor, Delay, Distortion, LowShelfFilter, Plugin
from scipy.signal import butter, sosfilt

from mixdown.engines.voice.presets import EffectName

Audio = npt.NDArray[np.float32]
RADIO_BAND_HZ = (300.0, 3400.0)
CHAIN_PEAK = 0.5  # every chain runs on the signal at this peak


def apply_effect(audio: Audio, sample_rate: int, effect: EffectName) -> Audio:
    """``(frames, channels)`` float32 audio through the chain ``effect`` (``none``: unchanged).

    Every chain runs on the signal brought to a fixed peak (:data:`CHAIN_PEAK`), so saturation
    and compression act alike on quiet and loud inputs, and the result is brought back by the
    same factor (near-silence stays near-silence; the caller levels the loudness afterwards).

    Examples
    --------
    >>> sr = 16000
    >>> noise = np.random.default_rng(0).standard_normal((sr, 1)).astype(np.float32) * 0.1
    >>> out = apply_effect(noise, sr, "radio")
    >>> power = np.abs(np.fft.rfft(out[:, 0])) ** 2
    >>> hz = np.fft.rfftfreq(sr, 1 / sr)
    >>> in_band = power[(hz > 250) & (hz < 4000)].sum() / power.sum()
    >>> out.shape, bool(in_band > 0.95)
    ((16000, 1), True)
    """
    peak = float(np.abs(audio).max(initial=0.0))
    if effect == "none" or audio.shape[0] == 0 or peak == 0.0:
        return audio
    gain = CHAIN_PEAK / peak
    out = _CHAINS[effect](audio * np.float32(gain), sample_rate)
    return np.asarray(out / gain, dtype=np.float32)


def _board(audio: Audio, sample_rate: int, plugins: list[Plugin]) -> Audio:
    """``audio`` through a pedalboard chain (given channels-first, so the layout is unambiguous)."""
    board = Chain(plugins)
    out = board(np.ascontiguousarray(audio.T, dtype=np.float32), sample_rate)
    return np.ascontiguousarray(np.asarray(out, dtype=np.float32).T)


def saturated(audio: Audio, sample_rate: int, *, drive_db: float, wet: float) -> Audio:
    """``audio`` mixed with ``tanh`` saturation of itself (``wet`` of the saturated signal).

    Examples
    --------
    >>> x = np.linspace(-0.5, 0.5, 101, dtype=np.float32)[:, None]
    >>> y = saturated(x, 16000, drive_db=20.0, wet=1.0)
    >>> round(float(y.max()), 3), y.shape     # tanh(10 * 0.5)
    (1.0, (101, 1))
    """
    driven = _board(audio, sample_rate, [Distortion(drive_db=drive_db)])
    return np.asarray((1.0 - wet) * audio + wet * driven, dtype=np.float32)


def _radio(audio: Audio, sample_rate: int) -> Audio:
    driven = saturated(audio, sample_rate, drive_db=18.0, wet=0.5)
    high = min(RADIO_BAND_HZ[1], 0.45 * sample_rate)
    sos = butter(4, [RADIO_BAND_HZ[0], high], btype="bandpass", fs=sample_rate, output="sos")
    band = np.asarray(sosfilt(sos, driven, axis=0), dtype=np.float32)
    squeeze = Compressor(threshold_db=-24.0, ratio=4.0, attack_ms=5.0, release_ms=80.0)
    return _board(band, sample_rate, [squeeze])


def _monster(audio: Audio, sample_rate: int) -> Audio:
    driven = saturated(audio, sample_rate, drive_db=12.0, wet=0.3)
    return _board(driven, sample_rate, [LowShelfFilter(cutoff_frequency_hz=250.0, gain_db=4.0)])


def _robot(audio: Audio, sample_rate: int) -> Audio:
    return _board(audio, sample_rate, [Delay(delay_seconds=0.006, feedback=0.5, mix=0.4)])


_CHAINS: dict[str, Callable[[Audio, int], Audio]] = {"radio": _radio, "monster": _monster, "robot": _robot}
