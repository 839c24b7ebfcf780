"""Reference matching: the EQ moves the spectrum towards the reference, the width follows it."""

from __future__ import annotations

import numpy as np
import pytest

from mixdown.engines.mastering.reference import (
    apply_fir,
    apply_match,
    eq_filter,
    grid,
    plan_match,
    profile,
    side_mid_ratio,
)
from tests.unit.mastering.signals import RATE, music_like, tilted


def spectral_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute dB difference of two signals' level-free profiles over 100 Hz - 10 kHz."""
    pa, pb = profile(a, RATE), profile(b, RATE)
    assert pa is not None and pb is not None
    band = (pa.freqs >= 100) & (pa.freqs <= 10000)
    diff = pa.spectrum_db[band] - pb.spectrum_db[band]
    return float(np.mean(np.abs(diff - diff.mean())))


def test_matching_a_tilted_reference_removes_most_of_the_tilt() -> None:
    # Given a reference 1.5 dB/octave brighter than the input (about +-6 dB over the band)
    source = music_like()
    reference = tilted(source, 1.5)
    before = spectral_distance(source, reference)
    # When the input is matched to it
    source_profile, reference_profile = profile(source, RATE), profile(reference, RATE)
    assert source_profile is not None and reference_profile is not None
    match = plan_match(source_profile, reference_profile, max_eq_db=6.0)
    matched = apply_match(source, RATE, match)
    # Then the remaining difference is a fraction of what it was, and the EQ rose with frequency
    assert spectral_distance(matched, reference) < 0.3 * before
    assert np.interp(8000, match.freqs, match.gain_db) > np.interp(200, match.freqs, match.gain_db) + 5.0


def test_eq_is_limited_to_max_eq_db() -> None:
    source = music_like()
    steep = tilted(source, 6.0)
    sp, rp = profile(source, RATE), profile(steep, RATE)
    assert sp is not None and rp is not None
    match = plan_match(sp, rp, max_eq_db=3.0)
    assert match.gain_db.max() <= 3.0 and match.gain_db.min() >= -3.0


def test_width_is_moved_to_the_reference() -> None:
    narrow, wide = music_like(width=0.1), music_like(seed=4, width=0.6)
    np_, wp = profile(narrow, RATE), profile(wide, RATE)
    assert np_ is not None and wp is not None
    matched = apply_match(narrow, RATE, plan_match(np_, wp, max_eq_db=0.0))
    assert side_mid_ratio(matched) == pytest.approx(
        min(2.0 * side_mid_ratio(narrow), side_mid_ratio(wide)), rel=0.05
    )


def test_fir_is_aligned_and_flat_curve_is_transparent() -> None:
    freqs = grid(RATE)
    taps = eq_filter(freqs, np.zeros_like(freqs), RATE)
    audio = music_like()
    out = apply_fir(audio, taps)
    assert out.shape == audio.shape
    np.testing.assert_allclose(out[RATE:-RATE], audio[RATE:-RATE], atol=2e-3)


def test_silence_has_no_profile_and_mono_has_no_width() -> None:
    assert profile(np.zeros((RATE, 2), dtype=np.float32), RATE) is None
    mono = profile(music_like()[:, :1], RATE)
    assert mono is not None and mono.width is None
