"""Mastering's meter: integrated loudness and true peak as the music engine's, LRA as EBU Tech 3342."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest

from mixdown.engines.mastering.meter import loudness_range, measure
from tests.unit.mastering.signals import RATE, music_like


def stepped_noise(levels_db: list[float], seconds_each: float = 5.0) -> np.ndarray:
    rng = np.random.default_rng(0)
    parts = [rng.standard_normal((int(seconds_each * RATE), 2)) * 10.0 ** (lvl / 20.0) for lvl in levels_db]
    return np.concatenate(parts).astype(np.float32)


def test_integrated_loudness_agrees_with_pyloudnorm() -> None:
    audio = music_like()
    report = measure(audio, RATE)
    assert report.integrated_lufs == pytest.approx(
        pyloudnorm.Meter(RATE).integrated_loudness(audio), abs=0.02
    )
    assert report.true_peak_db is not None and report.sample_peak_db is not None
    assert report.true_peak_db >= report.sample_peak_db


def test_loudness_range_of_two_levels_is_their_distance() -> None:
    # 20 s at -30 dBFS noise then 20 s at -20: the 10th/95th percentiles sit on the two plateaus.
    report = measure(stepped_noise([-30.0, -20.0], 20.0), RATE)
    assert report.loudness_range_lu == pytest.approx(10.0, abs=0.3)


def test_loudness_range_agrees_with_essentia() -> None:
    essentia_standard = pytest.importorskip("essentia.standard")
    audio = stepped_noise([-40.0, -26.0, -14.0, -34.0, -20.0, -10.0, -30.0])
    ours = measure(audio, RATE).loudness_range_lu
    _, _, _, theirs = essentia_standard.LoudnessEBUR128(sampleRate=RATE)(audio)
    assert ours == pytest.approx(float(theirs), abs=0.3)


def test_relative_gate_drops_the_quiet_tail_from_the_range() -> None:
    # Material 30 LU under the rest falls below the -20 LU relative gate: it does not widen the range.
    values = np.concatenate([np.full(200, -20.0), np.full(200, -50.0)])
    assert loudness_range(values) == pytest.approx(0.0)


def test_silence_reports_none_and_short_audio_no_range() -> None:
    silent = measure(np.zeros((RATE, 2), dtype=np.float32), RATE)
    assert silent.integrated_lufs is None and silent.true_peak_db is None and silent.loudness_range_lu == 0.0
    assert silent.as_dict() == {
        "integrated_lufs": None,
        "true_peak_db": None,
        "loudness_range_lu": 0.0,
        "sample_peak_db": None,
    }
    short = measure(music_like()[: RATE * 2], RATE)
    assert short.integrated_lufs is not None and short.loudness_range_lu == 0.0
