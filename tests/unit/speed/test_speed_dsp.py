"""audio.speed: exact lengths, pitch kept by the time stretch, moved by varispeed and by the shift."""

from __future__ import annotations

import numpy as np
import pytest

from mixdown.audio.speed import (
    change_speed,
    engine_for,
    fit_length,
    output_length,
    pitch_change,
)
from tests.unit.speed.signals import cents, peak_hz, tone

RATE = 22050


@pytest.mark.parametrize("factor", [0.25, 0.5, 0.8, 1.0, 1.3, 2.0, 4.0])
@pytest.mark.parametrize("preserve_pitch", [True, False])
def test_output_has_exactly_input_over_factor_frames(factor: float, preserve_pitch: bool) -> None:
    source = tone(440.0, 1.0, RATE, 2)
    out = change_speed(source, RATE, factor=factor, preserve_pitch=preserve_pitch)
    assert out.shape == (round(RATE / factor), 2) and out.dtype == np.float32


@pytest.mark.parametrize("factor", [0.25, 0.7, 1.5, 4.0])
def test_time_stretch_keeps_the_pitch(factor: float) -> None:
    out = change_speed(tone(440.0, 2.0, RATE), RATE, factor=factor)
    assert abs(cents(peak_hz(out, RATE), 440.0)) < 5.0


@pytest.mark.parametrize("factor", [0.5, 0.8, 1.25, 2.0])
def test_varispeed_moves_the_pitch_with_the_speed(factor: float) -> None:
    out = change_speed(tone(440.0, 2.0, RATE), RATE, factor=factor, preserve_pitch=False)
    assert abs(cents(peak_hz(out, RATE), 440.0 * factor)) < 2.0


@pytest.mark.parametrize(
    ("factor", "preserve", "semitones"),
    [(1.0, True, 7.0), (1.5, True, -5.0), (0.75, True, 12.0), (2.0, False, -12.0)],
)
def test_pitch_shift_lands_on_the_interval(factor: float, preserve: bool, semitones: float) -> None:
    out = change_speed(
        tone(330.0, 2.0, RATE), RATE, factor=factor, preserve_pitch=preserve, pitch_semitones=semitones
    )
    expected = 330.0 * 2.0 ** (
        pitch_change(factor, preserve_pitch=preserve, pitch_semitones=semitones) / 12.0
    )
    assert abs(cents(peak_hz(out, RATE), expected)) < 5.0
    assert out.shape[0] == round(2.0 * RATE / factor)


def test_varispeed_keeps_events_in_place() -> None:
    # A click at 1 s of a 2 s input sits at 1 / factor s of the output.
    click = np.zeros((2 * RATE, 1), dtype=np.float32)
    click[RATE] = 1.0
    for factor in (0.5, 1.6):
        out = change_speed(click, RATE, factor=factor, preserve_pitch=False)
        assert abs(int(np.argmax(np.abs(out))) - RATE / factor) <= 1


def test_unity_is_an_exact_copy_and_integer_input_becomes_float() -> None:
    pcm = (np.arange(-500, 500, dtype=np.int16) * 30)[:, None]
    out = change_speed(pcm, RATE, factor=1.0)
    np.testing.assert_array_equal(out, pcm / 32768.0)


def test_engine_choice() -> None:
    assert engine_for(1.0, preserve_pitch=False, pitch_semitones=0.0) == "none"
    assert engine_for(1.0, preserve_pitch=False, pitch_semitones=3.0) == "rubberband"
    assert engine_for(2.0, preserve_pitch=True, pitch_semitones=0.0) == "rubberband"
    assert engine_for(2.0, preserve_pitch=False, pitch_semitones=0.0) == "soxr"


@pytest.mark.parametrize("factor", [0.2, 4.5, 0.0])
def test_factor_out_of_range_is_refused(factor: float) -> None:
    with pytest.raises(ValueError, match="factor"):
        output_length(100, factor)


def test_fit_length_trims_and_pads() -> None:
    x = np.ones((4, 2), dtype=np.float32)
    assert fit_length(x, 2).shape == (2, 2)
    np.testing.assert_array_equal(fit_length(x, 6)[4:], 0.0)
