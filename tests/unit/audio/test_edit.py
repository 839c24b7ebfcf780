"""slice_frames(), time_to_frame() and apply_fades()."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from mixdown.audio.edit import apply_fades, fade_gain, slice_frames, time_to_frame


def ones(frames: int, channels: int = 2, dtype: type = np.float32) -> np.ndarray:
    scale = 10000 if np.issubdtype(dtype, np.integer) else 1
    return np.full((frames, channels), scale, dtype=dtype)


@pytest.mark.parametrize(
    ("seconds", "rate", "frame"),
    [(0.0, 44100, 0), (1.5, 44100, 66150), (0.1, 48000, 4800), (1 / 3, 44100, 14700), (2.00001, 8000, 16000)],
)
def test_time_to_frame_rounds(seconds: float, rate: int, frame: int) -> None:
    assert time_to_frame(seconds, sample_rate=rate) == frame


def test_time_to_frame_refuses_negative_times() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        time_to_frame(-0.1, sample_rate=44100)


def test_slice_frames_is_exact_and_a_copy() -> None:
    source = np.arange(20, dtype=np.int16).reshape(10, 2)
    piece = slice_frames(source, start=3, stop=7)
    assert_array_equal(piece, source[3:7])
    piece[0, 0] = -1
    assert source[3, 0] == 6


@pytest.mark.parametrize(("start", "stop"), [(-1, 5), (5, 5), (6, 5), (0, 11)])
def test_slice_frames_refuses_bad_ranges(start: int, stop: int) -> None:
    with pytest.raises(ValueError, match="frame range"):
        slice_frames(np.zeros((10, 1), dtype=np.float32), start=start, stop=stop)


@pytest.mark.parametrize("curve", ["linear", "equal_power"])
def test_fade_gain_rises_from_zero(curve: str) -> None:
    gain = fade_gain(100, curve=curve)  # type: ignore[arg-type]
    assert gain[0] == 0.0
    assert np.all(np.diff(gain) > 0)
    assert gain[-1] < 1.0


def test_equal_power_is_louder_half_way() -> None:
    assert fade_gain(100, curve="equal_power")[50] == pytest.approx(np.sqrt(0.5))
    assert fade_gain(100, curve="linear")[50] == pytest.approx(0.5)


@pytest.mark.parametrize("dtype", [np.float32, np.int16, np.int32])
def test_fades_ramp_in_and_out(dtype: type) -> None:
    # Given a constant signal of 1 s at 1 kHz
    source = ones(1000, dtype=dtype)
    # When fading in over 100 ms and out over 200 ms
    faded = apply_fades(source, sample_rate=1000, fade_in_ms=100, fade_out_ms=200)
    # Then the ends are silent, the ramps are linear, and the middle untouched
    level = faded[:, 0].astype(np.float64) / source[0, 0]
    assert faded.dtype == dtype
    assert level[0] == 0.0
    assert level[-1] == 0.0
    assert_allclose(level[:100], np.arange(100) / 100, atol=1e-4)
    assert_allclose(level[800:], np.arange(200)[::-1] / 200, atol=1e-4)
    assert_array_equal(faded[100:800], source[100:800])


def test_no_fade_returns_the_input_unchanged() -> None:
    source = ones(10)
    assert_array_equal(apply_fades(source, sample_rate=1000), source)


def test_fades_longer_than_the_signal_are_capped() -> None:
    faded = apply_fades(ones(10, 1), sample_rate=1000, fade_in_ms=50, fade_out_ms=50)
    assert faded.shape == (10, 1)
    assert faded[0, 0] == 0.0
    assert faded[-1, 0] == 0.0


def test_negative_fade_is_refused() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        apply_fades(ones(10), sample_rate=1000, fade_in_ms=-1)
