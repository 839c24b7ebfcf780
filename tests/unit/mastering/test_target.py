"""Loudness to a target under a true-peak ceiling: every kind of input lands, the ceiling holds."""

from __future__ import annotations

import numpy as np
import pytest

from mixdown.engines.mastering.target import TOLERANCE_LU, integrated, next_gain, soft_clip, to_loudness
from mixdown.engines.music.produce.loudness import true_peak_db
from tests.unit.mastering.signals import RATE, clicks, music_like, speech_like


@pytest.mark.parametrize(
    ("name", "target", "ceiling"),
    [
        ("music", -23.0, -1.0),
        ("music", -14.0, -1.0),
        ("music", -9.0, -0.5),
        ("speech", -16.0, -1.0),
        ("speech", -19.0, -3.0),
        ("quiet music", -14.0, -1.0),
        ("loud music", -18.0, -2.0),
    ],
)
def test_lands_on_target_under_the_ceiling(name: str, target: float, ceiling: float) -> None:
    audio = {
        "music": music_like(),
        "speech": speech_like(),
        "quiet music": music_like() * np.float32(0.01),
        "loud music": np.clip(music_like() * 8.0, -1.0, 1.0),
    }[name]
    done = to_loudness(audio, RATE, target_lufs=target, true_peak_db=ceiling)
    assert done.audio.shape == audio.shape and done.audio.dtype == np.float32
    assert integrated(done.audio, RATE) == pytest.approx(target, abs=TOLERANCE_LU)
    assert true_peak_db(done.audio) <= ceiling


def test_peaks_far_over_the_rest_switch_to_clip_mode() -> None:
    # Given clicks 40 dB over a noise bed: the limiter's release cannot bring the bed up in time.
    done = to_loudness(clicks(), RATE, target_lufs=-12.0, true_peak_db=-1.0)
    # Then the soft clipper takes the clicks and the target is met anyway.
    assert done.mode == "clip"
    assert integrated(done.audio, RATE) == pytest.approx(-12.0, abs=TOLERANCE_LU)
    assert true_peak_db(done.audio) <= -1.0


def test_easy_material_needs_no_clipping_and_one_pass() -> None:
    done = to_loudness(music_like(), RATE, target_lufs=-24.0, true_peak_db=-1.0)
    assert done.mode == "limiter" and done.passes == 1 and done.max_reduction_db == 0.0


def test_silence_stays_silent() -> None:
    silent = np.zeros((RATE, 2), dtype=np.float32)
    done = to_loudness(silent, RATE, target_lufs=-14.0, true_peak_db=-1.0)
    assert done.loudness_lufs is None and not done.audio.any()


def test_next_gain_stays_inside_a_bracket() -> None:
    tries = [(0.0, -16.0), (10.0, -12.0)]
    assert 0.0 < next_gain(tries, -14.0) < 10.0
    # Flat response (a saturated limiter) still moves, by at most 12 dB.
    assert next_gain([(0.0, -20.0), (1.0, -19.999)], -14.0) == pytest.approx(13.0)


def test_soft_clip_is_transparent_under_the_knee_and_bounded_over_it() -> None:
    x = np.linspace(-3.0, 3.0, 601, dtype=np.float32)[:, None]
    out = soft_clip(x, 0.8)
    small = np.abs(x) <= 0.4
    np.testing.assert_array_equal(out[small], x[small])
    assert np.abs(out).max() <= 0.8 and np.all(np.diff(out[:, 0]) >= 0)
