"""Synthesis primitives and effects: the building blocks do what their names say."""

from __future__ import annotations

import numpy as np
import pytest

from mixdown.engines.sfx import dsp, effects
from tests.unit.sfx import features as f

SR = 22050


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


@pytest.mark.parametrize(
    ("colour", "slope"), [("white", 0.0), ("pink", -3.0), ("brown", -6.0), ("blue", 3.0)]
)
def test_noise_colours_have_their_slope_per_octave(colour: dsp.NoiseColour, slope: float) -> None:
    x = dsp.noise(rng(), 4 * SR, SR, colour=colour)
    low = f.band_fraction(x, SR, 250, 500)
    high = f.band_fraction(x, SR, 1000, 2000)  # two octaves up, four times as wide
    measured = 10 * np.log10((high / 4) / (low / 1)) / 2
    assert measured == pytest.approx(slope, abs=1.0)
    assert dsp.rms(x) == pytest.approx(1.0)


@pytest.mark.parametrize("shape", ["sine", "saw", "square", "triangle"])
def test_an_oscillator_sounds_at_its_frequency(shape: dsp.Shape) -> None:
    x = dsp.oscillator(440.0, SR, frames=SR, shape=shape)
    _, peaks, _ = f.tracks(x, SR, window=8192)
    assert np.median(peaks) == pytest.approx(440.0, abs=3.0)
    assert np.abs(x).max() <= 1.2


def test_an_oscillator_follows_a_pitch_curve_and_stays_below_nyquist() -> None:
    falling = dsp.oscillator(dsp.glide(SR, start=4000.0, end=200.0), SR, frames=SR)
    assert f.pitch_ratio(falling, SR) < 0.1
    too_high = dsp.oscillator(20000.0, SR, frames=SR)
    _, peaks, _ = f.tracks(too_high, SR)
    assert np.median(peaks) <= 0.45 * SR + 10


def test_decay_falls_sixty_db_in_its_time_and_is_silent_before_it_starts() -> None:
    env = dsp.decay(SR, SR, seconds=0.5, attack=0.01, start=0.1)
    assert env[: int(0.1 * SR)].max() == 0.0
    assert env[int(0.11 * SR)] == pytest.approx(1.0, abs=0.01)
    assert 20 * np.log10(env[int(0.61 * SR)]) == pytest.approx(-60.0, abs=1.0)


def test_scatter_places_grains_and_overlay_cuts_at_the_end() -> None:
    out = dsp.scatter(
        np.array([0.1, 0.5]), np.ones(10), frames=SR, sample_rate=SR, gains=np.array([1.0, 2.0])
    )
    assert np.flatnonzero(out > 0.5)[[0, -1]].tolist() == [2205, 11034]
    base = dsp.overlay(np.zeros(5), np.ones(4), at=3)
    assert base.tolist() == [0.0, 0.0, 0.0, 1.0, 1.0]


def test_pan_keeps_power_constant() -> None:
    for position in (-1.0, -0.3, 0.0, 0.7, 1.0):
        stereo = dsp.pan(np.ones(4), position)
        assert np.sum(stereo[0] ** 2) == pytest.approx(1.0)
    assert dsp.pan(np.ones(2), -1.0)[0].round(6).tolist() == [1.0, 0.0]


def test_smooth_random_stays_in_range_and_is_smooth() -> None:
    curve = dsp.smooth_random(rng(), 2 * SR, SR, rate=5.0, low=-1.0, high=2.0)
    assert curve.min() >= -1.0 and curve.max() <= 2.0
    assert np.abs(np.diff(curve)).max() < 0.01


def test_resample_gives_exact_frames() -> None:
    assert dsp.resample(np.ones((1000, 2)), 16000, 48000, frames=2999).shape == (2999, 2)


def test_filters_keep_their_band() -> None:
    x = dsp.noise(rng(), 2 * SR, SR)
    assert f.centroid(effects.lowpass(x, SR, cutoff=500.0, order=4), SR) < 600
    assert f.centroid(effects.highpass(x, SR, cutoff=5000.0, order=4), SR) > 5000
    assert 900 < f.centroid(effects.bandpass(x, SR, low=800.0, high=1600.0, order=4), SR) < 1700
    assert effects.lowpass(x, SR, cutoff=20000.0) is x  # above Nyquist: nothing to do


def test_moving_band_follows_its_centre() -> None:
    x = dsp.noise(rng(), 2 * SR, SR)
    swept = effects.moving_band(x, SR, centre=dsp.glide(2 * SR, start=300.0, end=5000.0), octaves=0.3)
    times, _, cent = f.tracks(swept, SR, floor_db=-60)
    assert cent[times > 1.8].mean() > 4 * cent[times < 0.2].mean()


def test_reverb_adds_a_tail_and_keeps_the_length() -> None:
    clap = np.zeros(SR)
    clap[100] = 1.0
    wet = effects.reverb(clap, SR, rng(), seconds=1.0, mix=0.5)
    assert wet.shape == (SR, 2)
    assert np.abs(wet[SR // 2 :]).max() > 1e-4
    assert not np.allclose(wet[:, 0], wet[:, 1])  # a wide room


def test_place_far_is_darker() -> None:
    x = dsp.noise(rng(), SR, SR)
    near = effects.place(x, SR, rng(1), distance=0.0, wet=-1.0)
    far = effects.place(x, SR, rng(1), distance=1.0)
    assert f.centroid(far.mean(axis=1), SR) < 0.5 * f.centroid(near.mean(axis=1), SR)
    assert near.shape == far.shape == (SR, 2)


def test_loudness_of_a_full_scale_stereo_sine() -> None:
    sine = np.sin(2 * np.pi * 1000 * np.arange(SR) / SR)
    assert effects.loudness(np.stack([sine, sine], axis=-1), SR) == pytest.approx(0.0, abs=0.3)
    assert effects.loudness(np.zeros((SR, 2)), SR) == float("-inf")
    assert np.isfinite(effects.loudness(np.full((100, 2), 0.5), SR))  # shorter than a gating block


def test_peak_limit_holds_the_ceiling_and_leaves_quiet_audio_alone() -> None:
    x = 4.0 * dsp.noise(rng(), SR, SR)
    limited = effects.peak_limit(x, SR, ceiling=0.5)
    assert np.abs(limited).max() <= 0.5
    quiet = 0.1 * dsp.noise(rng(), SR, SR)
    assert effects.peak_limit(quiet, SR, ceiling=0.5) is quiet


def test_saturate_and_bitcrush() -> None:
    x = np.linspace(-1.0, 1.0, 101)
    assert effects.saturate(x, drive=3.0)[[0, 50, 100]].tolist() == pytest.approx([-1.0, 0.0, 1.0])
    assert len(np.unique(effects.bitcrush(x, bits=3, hold=1))) <= 9
