"""Denoise engines: SI-SDR gains on noisy speech, exact alignment and length, the strength knob."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import correlate, correlation_lags

from mixdown.audio.resample import resample
from mixdown.engines.cleanup import deepfilternet
from mixdown.engines.cleanup.denoise import attenuation_limit_db, denoise
from mixdown.engines.cleanup.measures import si_sdr
from tests.cleanup_audio import mix_at_snr, pink, white


@pytest.mark.parametrize(
    ("strength", "limit"), [(0.0, 0.0), (0.5, 6.0206), (0.9, 20.0), (0.99, 40.0), (1.0, 100.0)]
)
def test_strength_maps_to_an_attenuation_limit(strength: float, limit: float) -> None:
    assert attenuation_limit_db(strength) == pytest.approx(limit, abs=1e-3)


@pytest.mark.parametrize("strength", [-0.1, 1.1])
def test_strength_outside_zero_to_one_is_refused(strength: float) -> None:
    with pytest.raises(ValueError, match="strength"):
        attenuation_limit_db(strength)


def test_model_latency_comes_from_its_config() -> None:
    # DeepFilterNet3: 960-point FFT, 480 hop, 2 hops of look-ahead -> 480 + 960 samples.
    geometry = deepfilternet.runtime().geometry
    assert (geometry.sample_rate, geometry.hop_size, geometry.latency) == (48000, 480, 1440)


@pytest.mark.parametrize("noise", ["white", "pink"])
def test_deepfilternet_gains_six_db_si_sdr_at_5_db_snr(voice16: np.ndarray, noise: str) -> None:
    # Given speech in white or pink noise at 5 dB SNR
    shaped = white(len(voice16), seed=3) if noise == "white" else pink(len(voice16), seed=3)
    noisy = mix_at_snr(voice16, shaped, 5.0)
    # When DeepFilterNet cleans it
    out = denoise(noisy, 16000)
    # Then the voice comes out at least 6 dB cleaner (measured +10.0 dB white, +7.3 dB pink)
    assert out.shape == (len(noisy), 1)
    assert si_sdr(out[:, 0], voice16) - si_sdr(noisy, voice16) >= 6.0


def test_noisereduce_improves_speech_in_white_noise(voice16: np.ndarray) -> None:
    noisy = mix_at_snr(voice16, white(len(voice16), seed=4), 5.0)
    out = denoise(noisy, 16000, engine="noisereduce")
    assert out.shape == (len(noisy), 1)
    assert si_sdr(out[:, 0], voice16) - si_sdr(noisy, voice16) >= 1.5  # measured +3.0 dB


@pytest.mark.parametrize("rate", [44100, 48000])
def test_output_lines_up_sample_exactly_with_the_input(voice16: np.ndarray, rate: int) -> None:
    # Any offset (model latency, resampler delay) would move the cross-correlation peak off 0.
    clean = resample(voice16, from_rate=16000, to_rate=rate)[:, 0]
    out = denoise(mix_at_snr(clean, white(len(clean), seed=5), 10.0), rate)[:, 0]
    lags = correlation_lags(len(out), len(clean))
    assert lags[np.argmax(correlate(out, clean, method="fft"))] == 0


@pytest.mark.parametrize("engine", ["deepfilternet", "noisereduce"])
@pytest.mark.parametrize(("frames", "rate"), [(12345, 22050), (7, 44100), (48001, 48000)])
def test_length_and_channels_are_kept(engine: str, frames: int, rate: int) -> None:
    noisy = white(2 * frames, seed=6).reshape(frames, 2) * 0.05
    out = denoise(noisy, rate, engine=engine)  # type: ignore[arg-type]
    assert out.shape == (frames, 2) and out.dtype == np.float32


def test_channels_are_cleaned_independently(voice16: np.ndarray) -> None:
    # Left: noisy speech. Right: the same noise alone, which should mostly vanish.
    noise = 0.05 * white(len(voice16), seed=7)
    stereo = np.stack([voice16 + noise, noise], axis=1)
    out = denoise(stereo, 16000)
    assert si_sdr(out[:, 0], voice16) > si_sdr(stereo[:, 0], voice16) + 6
    assert np.std(out[:, 1]) < 0.1 * np.std(noise)


def test_zero_strength_returns_the_input(voice16: np.ndarray) -> None:
    noisy = mix_at_snr(voice16, white(len(voice16)), 5.0)
    np.testing.assert_array_equal(denoise(noisy, 16000, strength=0.0)[:, 0], noisy)


def test_strength_caps_the_attenuation() -> None:
    # Pure noise: with no cap the model removes ~all of it; a 6 dB cap keeps about half.
    noise = 0.05 * white(48000, seed=8)
    capped = denoise(noise, 48000, strength=0.5)
    level = 20 * np.log10(np.std(capped[4800:]) / np.std(noise[4800:]))
    assert -7.0 < level < -5.0
    assert np.std(denoise(noise, 48000, strength=1.0)[4800:]) < 0.1 * np.std(noise)


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown denoise engine"):
        denoise(np.zeros((10, 1), np.float32), 16000, engine="magic")  # type: ignore[arg-type]
