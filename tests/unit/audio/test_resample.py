"""resample() and to_channels(): exact lengths, pitch kept, dtypes kept."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from mixdown.audio.resample import resample, resampled_length, to_channels

RATES = (8000, 11025, 16000, 22050, 44100, 48000, 96000, 192000)


@lru_cache(maxsize=32)
def sine(freq: float, rate: int, frames: int, channels: int = 1) -> np.ndarray:
    """A sine at -6 dBFS, (frames, channels) float32, read-only."""
    mono = 0.5 * np.sin(2 * np.pi * freq * np.arange(frames) / rate)
    samples = np.repeat(mono[:, None], channels, axis=1).astype(np.float32)
    samples.setflags(write=False)
    return samples


def peak_frequency(samples: np.ndarray, rate: int) -> float:
    """The frequency of the strongest FFT bin of the first channel (Hann window)."""
    mono = samples[:, 0].astype(np.float64)
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono))))
    return float(np.fft.rfftfreq(len(mono), 1 / rate)[np.argmax(spectrum)])


@pytest.mark.parametrize("from_rate", RATES)
@pytest.mark.parametrize("to_rate", RATES)
@pytest.mark.parametrize("frames", [1, 999, 44101])
def test_output_length_is_exact(from_rate: int, to_rate: int, frames: int) -> None:
    out = resample(sine(1000.0, from_rate, frames, 2), from_rate=from_rate, to_rate=to_rate)
    expected = int(np.floor(frames * to_rate / from_rate + 0.5))
    assert out.shape == (expected, 2)


@pytest.mark.parametrize(
    ("from_rate", "to_rate"), [(44100, 48000), (48000, 44100), (96000, 22050), (8000, 48000)]
)
def test_a_1khz_sine_stays_at_1khz(from_rate: int, to_rate: int) -> None:
    out = resample(sine(1000.0, from_rate, from_rate), from_rate=from_rate, to_rate=to_rate)
    assert peak_frequency(out, to_rate) == pytest.approx(1000.0, abs=1.0)
    # The level is kept too (soxr's passband is flat at 1 kHz).
    body = out[to_rate // 10 : -to_rate // 10, 0]
    assert np.max(np.abs(body)) == pytest.approx(0.5, abs=0.01)


def test_resampled_sine_matches_the_ideal_sine() -> None:
    out = resample(sine(1000.0, 44100, 44100), from_rate=44100, to_rate=48000)
    ideal = sine(1000.0, 48000, 48000)
    # Away from the edges (filter transients) the result is the ideal signal.
    assert_allclose(out[2000:-2000], ideal[2000:-2000], atol=1e-3)


@pytest.mark.parametrize("dtype", [np.int16, np.int32, np.float32, np.float64])
def test_dtype_is_kept(dtype: type) -> None:
    source = (
        sine(440.0, 44100, 4410, 2) * (2**15 if dtype is np.int16 else 2**31 if dtype is np.int32 else 1)
    ).astype(dtype)
    assert resample(source, from_rate=44100, to_rate=22050).dtype == dtype


def test_same_rate_is_unchanged() -> None:
    source = sine(440.0, 44100, 100, 2)
    assert_array_equal(resample(source, from_rate=44100, to_rate=44100), source)


def test_one_dimensional_input_is_mono() -> None:
    assert resample(np.zeros(441, dtype=np.float32), from_rate=44100, to_rate=48000).shape == (480, 1)


def test_empty_input() -> None:
    assert resample(np.zeros((0, 2), dtype=np.float32), from_rate=44100, to_rate=48000).shape == (0, 2)


@pytest.mark.parametrize(("from_rate", "to_rate"), [(0, 44100), (44100, -1)])
def test_invalid_rates(from_rate: int, to_rate: int) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        resample(np.zeros((10, 1), dtype=np.float32), from_rate=from_rate, to_rate=to_rate)


def test_resampled_length_rounds_half_up() -> None:
    assert resampled_length(1, from_rate=2, to_rate=1) == 1
    assert resampled_length(3, from_rate=2, to_rate=1) == 2
    assert resampled_length(44100, from_rate=44100, to_rate=48000) == 48000


def test_stereo_to_mono_averages() -> None:
    stereo = np.array([[1.0, 0.0], [0.5, -0.5], [0.25, 0.75]], dtype=np.float32)
    assert_allclose(to_channels(stereo, 1), [[0.5], [0.0], [0.5]])


def test_int_downmix_rounds_in_its_dtype() -> None:
    stereo = np.array([[32767, 32767], [-32768, -32767], [1, 2]], dtype=np.int16)
    mono = to_channels(stereo, 1)
    assert mono.dtype == np.int16
    assert_array_equal(mono, [[32767], [-32768], [2]])


def test_mono_to_stereo_duplicates() -> None:
    mono = sine(440.0, 8000, 80)
    stereo = to_channels(mono, 2)
    assert stereo.shape == (80, 2)
    assert_array_equal(stereo[:, 0], mono[:, 0])
    assert_array_equal(stereo[:, 1], mono[:, 0])


def test_same_channel_count_is_unchanged() -> None:
    stereo = sine(440.0, 8000, 80, 2)
    assert_array_equal(to_channels(stereo, 2), stereo)


@pytest.mark.parametrize(("have", "want"), [(6, 2), (2, 3)])
def test_other_remixes_are_refused(have: int, want: int) -> None:
    with pytest.raises(ValueError, match="only mono up or down"):
        to_channels(np.zeros((4, have), dtype=np.float32), want)


def test_zero_channels_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        to_channels(np.zeros((4, 2), dtype=np.float32), 0)
