"""Speed and pitch: the engine commands, the speed split, and the shaping DSP."""

from __future__ import annotations

import doctest
import importlib
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from mixdown.engines.tts.festival import say_command, scheme_string
from mixdown.engines.tts.prosody import MARGIN_SECONDS, join, peak_normalize, reshape, trim_silence
from mixdown.engines.tts.synth import ESPEAK_WPM, espeak_command, flite_command, split_speed
from mixdown.engines.tts.voices import Voice
from tests.speech_check import median_f0

RATE = 16000
ESPEAK = Voice(
    id="espeak-de-male", name="d", language="de", gender="male", engine="espeak-ng", engine_voice="de+m1"
)
FLITE = Voice(id="flite-rms", name="r", language="en-us", gender="male", engine="flite", engine_voice="rms")


@lru_cache(maxsize=4)
def buzz(f0: float = 150.0, seconds: float = 1.0) -> np.ndarray:
    """A voiced-like tone: 12 harmonics with a falling spectrum, read-only."""
    t = np.arange(round(seconds * RATE)) / RATE
    tone = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, 13))
    out = (0.3 * tone / np.max(np.abs(tone))).astype(np.float32)
    out.setflags(write=False)
    return out


@pytest.mark.parametrize(("speed", "wpm"), [(1.0, 175), (2.0, 350), (0.5, 88), (0.25, 80), (4.0, 450)])
def test_espeak_speed_is_words_per_minute_within_its_range(speed: float, wpm: int) -> None:
    command = espeak_command(ESPEAK, Path("out.wav"), speed=speed)
    assert command[command.index("-s") + 1] == str(wpm)
    assert command[command.index("-v") + 1] == "de+m1" and command[-1] == "--stdin"


def test_speed_beyond_espeak_is_left_to_the_time_stretcher() -> None:
    plan = split_speed(4.0, "espeak-ng")
    assert plan.native * ESPEAK_WPM == pytest.approx(450)
    assert plan.native * plan.residual == pytest.approx(4.0)
    assert split_speed(0.25, "espeak-ng").residual == pytest.approx(0.25 / (80 / 175))
    assert split_speed(1.5, "espeak-ng").residual == 1.0
    for engine in ("festival", "flite"):
        assert split_speed(0.25, engine).residual == 1.0 and split_speed(4.0, engine).residual == 1.0


@pytest.mark.parametrize(("speed", "stretch"), [(1.0, "1"), (2.0, "0.5"), (0.5, "2"), (4.0, "0.25")])
def test_flite_speed_is_the_inverse_duration_stretch(speed: float, stretch: str) -> None:
    command = flite_command(FLITE, Path("t.txt"), Path("o.wav"), speed=speed)
    assert f"duration_stretch={stretch}" in command and command[command.index("-voice") + 1] == "rms"


def test_festival_command_sets_stretch_and_hts_rate() -> None:
    assert say_command("Hi.", Path("/w/a.wav"), speed=2.0) == '(mixdown_say "Hi." "/w/a.wav" 0.5 2)'
    assert say_command("Hi.", Path("/w/a.wav"), speed=0.5) == '(mixdown_say "Hi." "/w/a.wav" 2 0.5)'


@pytest.mark.parametrize(
    ("raw", "literal"),
    [
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ('end\\" (system "rm")', '"end\\\\\\" (system \\"rm\\")"'),
        ("two\nlines\x00\x07", '"two lines"'),
    ],
)
def test_text_cannot_escape_its_scheme_string(raw: str, literal: str) -> None:
    assert scheme_string(raw) == literal


def test_trim_removes_engine_silence_but_keeps_a_margin() -> None:
    padded = np.concatenate([np.zeros(RATE, np.float32), buzz(), np.zeros(RATE // 2, np.float32)])
    trimmed = trim_silence(padded, RATE)
    margin = round(MARGIN_SECONDS * RATE)
    assert len(buzz()) <= len(trimmed) <= len(buzz()) + 2 * margin + 2 * 160
    assert trim_silence(np.zeros(RATE, np.float32), RATE).size == 0


def test_join_places_pieces_with_their_pauses() -> None:
    piece = np.ones(RATE // 2, np.float32)
    audio, spans = join([piece, piece, piece], [0.25, 0.75, 9.0], RATE, lead=0.1, tail=0.2)
    assert spans == [(0.1, 0.6), (0.85, 1.35), (2.1, 2.6)]
    assert len(audio) == round(2.8 * RATE)
    assert not audio[round(0.6 * RATE) : round(0.85 * RATE)].any()


@pytest.mark.parametrize("semitones", [-7.0, -3.0, 4.0, 12.0])
def test_pitch_shift_moves_f0_by_the_semitones_asked_and_keeps_length(semitones: float) -> None:
    shifted = reshape(buzz(), RATE, semitones=semitones)
    assert len(shifted) == len(buzz())
    measured = 12 * np.log2(median_f0(shifted, RATE) / median_f0(buzz(), RATE))
    assert measured == pytest.approx(semitones, abs=0.5)


@pytest.mark.parametrize("stretch", [0.5, 1.556, 2.0])
def test_stretch_changes_length_not_pitch(stretch: float) -> None:
    out = reshape(buzz(), RATE, stretch=stretch)
    assert len(out) == pytest.approx(len(buzz()) / stretch, rel=0.02)
    assert median_f0(out, RATE) == pytest.approx(median_f0(buzz(), RATE), rel=0.03)


def test_neutral_shaping_returns_the_input_untouched() -> None:
    assert reshape(buzz(), RATE) is buzz()


def test_peak_normalize_brings_engines_to_one_level() -> None:
    out = peak_normalize(np.array([0.01, -0.02, 0.015], np.float32), peak_dbfs=-1.0)
    assert float(np.max(np.abs(out))) == pytest.approx(10 ** (-1 / 20), rel=1e-6)
    assert not peak_normalize(np.zeros(10, np.float32)).any()


@pytest.mark.parametrize("name", ["text", "voices", "catalogue", "festival", "synth", "prosody"])
def test_docstring_examples_hold(name: str) -> None:
    module = importlib.import_module(f"mixdown.engines.tts.{name}")
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert failures == 0
