"""Delivery: a lossy file is judged as decoded, and the next attempt undoes what the codec did."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mixdown.audio.pcm import DecodedAudio
from mixdown.engines.mastering import MasterSettings, prepare
from mixdown.engines.mastering.delivery import Attempt, deliver, miss, next_attempt
from mixdown.engines.mastering.meter import LoudnessReport
from tests.unit.mastering.signals import RATE, clicks, music_like


def report(lufs: float, peak: float) -> LoudnessReport:
    return LoudnessReport(integrated_lufs=lufs, true_peak_db=peak, loudness_range_lu=0.0, sample_peak_db=peak)


def test_next_attempt_lowers_the_ceiling_by_the_overshoot_and_moves_the_target() -> None:
    # The codec put the peak 0.4 dB over a -1 dBTP limit and took 0.6 LU off a -14 LUFS master.
    following = next_attempt(Attempt(-1.0, -14.0), report(-14.6, -0.6), -14.0, -1.0)
    assert following == Attempt(pytest.approx(-1.45), pytest.approx(-13.4))  # type: ignore[arg-type]


def test_next_attempt_stops_at_the_largest_drop_and_when_nothing_changes() -> None:
    glitch = next_attempt(Attempt(-1.0, -14.0), report(-14.0, 4.0), -14.0, -1.0)
    assert glitch == Attempt(-2.0, -14.0)
    assert next_attempt(Attempt(-2.0, -14.0), report(-14.0, 4.0), -14.0, -1.0) is None
    assert next_attempt(Attempt(-1.0, -14.0), report(-14.1, -1.2), -14.0, -1.0) is None


def test_miss_is_zero_inside_the_tolerances() -> None:
    assert miss(report(-14.15, -1.0), -14.0, -1.0) == 0.0
    assert miss(report(-14.5, -0.8), -14.0, -1.0) == pytest.approx(0.3 + 0.2)


@pytest.mark.parametrize(("fmt", "rate"), [("mp3", RATE), ("ogg", RATE)])
def test_lossy_delivery_lands_as_decoded(tmp_path: Path, fmt: str, rate: int) -> None:
    ready = prepare(music_like(), rate, MasterSettings(target_lufs=-12.0))
    done = deliver(
        ready,
        tmp_path / f"m.{fmt}",
        fmt=fmt,
        ceiling_db=-1.0,
        layout=lambda audio: DecodedAudio(samples=audio, sample_rate=rate, lossless=False),
    )
    assert done.decoded is not None and done.decoded.integrated_lufs is not None
    assert abs(done.decoded.integrated_lufs + 12.0) <= 0.2 and done.decoded.true_peak_db <= -1.0  # type: ignore[operator]
    assert not done.mastered.notes


def test_lossless_delivery_is_one_pass_and_unmeasured(tmp_path: Path) -> None:
    ready = prepare(clicks(), RATE, MasterSettings(target_lufs=-16.0))
    done = deliver(
        ready,
        tmp_path / "m.flac",
        fmt="flac",
        ceiling_db=-1.0,
        layout=lambda audio: DecodedAudio(samples=np.asarray(audio), sample_rate=RATE, lossless=False),
    )
    assert done.decoded is None and done.audio.frames == clicks().shape[0]
    assert (tmp_path / "m.flac").stat().st_size > 0
