"""Meters and the true-peak limiter on synthetic signals."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest

from mixdown.engines.music.produce.loudness import LoudnessMeter, PeakMeter, integrated_loudness, true_peak_db
from mixdown.engines.music.produce.master import TruePeakLimiter, master_audio
from mixdown.engines.music.score import MixSettings


@pytest.mark.parametrize("sample_rate", [22050, 44100, 48000])
def test_streaming_meter_agrees_with_pyloudnorm(sample_rate: int) -> None:
    rng = np.random.default_rng(0)
    # Loud and quiet halves, so both gates matter.
    audio = rng.standard_normal((sample_rate * 6, 2)) * np.repeat([0.2, 0.01], sample_rate * 3)[:, None]
    meter = LoudnessMeter(sample_rate)
    for start in range(0, audio.shape[0], 12345):
        meter.add(audio[start : start + 12345])
    expected = pyloudnorm.Meter(sample_rate).integrated_loudness(audio)
    assert meter.integrated() == pytest.approx(expected, abs=0.02)


def test_silence_measures_as_silence() -> None:
    assert integrated_loudness(np.zeros((44100, 2)), 44100) < -70
    assert true_peak_db(np.zeros((100, 2))) == -np.inf


def test_true_peak_sees_between_the_samples() -> None:
    sr = 48000
    t = np.arange(sr) / sr
    x = np.sin(2 * np.pi * sr / 4 * t + np.pi / 4)  # samples at +-0.707 of a full-scale wave
    assert 20 * np.log10(np.abs(x).max()) == pytest.approx(-3.01, abs=0.01)
    assert true_peak_db(x) == pytest.approx(0.0, abs=0.2)
    meter = PeakMeter()
    for start in range(0, sr, 1000):
        meter.add(x[start : start + 1000, None])
    assert meter.finish_db() == pytest.approx(true_peak_db(x), abs=1e-6)


def test_limiter_holds_the_ceiling_and_the_length() -> None:
    sr = 44100
    rng = np.random.default_rng(5)
    loud = (rng.standard_normal((sr * 2, 2)) * 0.5).astype(np.float32)  # peaks far above full scale
    limiter = TruePeakLimiter(sr, ceiling_db=-1.0)
    out = np.concatenate(
        [limiter.process(loud[: sr // 3]), limiter.process(loud[sr // 3 :]), limiter.finish()]
    )
    assert out.shape == loud.shape
    # Gain that changes inside the interpolation window moves inter-sample peaks by hundredths of
    # a dB; the master keeps a 0.1 dB margin under the style's limit for that.
    assert true_peak_db(out) <= -1.0 + 0.03
    assert limiter.max_reduction_db < -6.0


def test_limiter_leaves_quiet_audio_alone() -> None:
    sr = 22050
    quiet = (np.random.default_rng(1).standard_normal((sr, 2)) * 0.01).astype(np.float32)
    limiter = TruePeakLimiter(sr, ceiling_db=-1.0)
    out = np.concatenate([limiter.process(quiet), limiter.finish()])
    np.testing.assert_allclose(out, quiet, atol=1e-7)


@pytest.mark.parametrize("target", [-14.0, -9.0, -23.0])
def test_master_reaches_the_asked_loudness(target: float) -> None:
    sr = 22050
    rng = np.random.default_rng(2)
    drums = np.zeros((sr * 4, 2), dtype=np.float32)
    drums[:: sr // 2] = 0.9  # spiky material makes the limiter work
    audio = (rng.standard_normal((sr * 4, 2)) * 0.03).astype(np.float32) + drums
    done = master_audio(audio, MixSettings(target_lufs=target, true_peak_db=-1.0), sr)
    assert done.loudness_lufs == pytest.approx(target, abs=0.5)
    assert true_peak_db(done.audio) <= -1.0
