"""The voice engine: pitch and formant shifts measured, presets, channels, rates, lengths, segments."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest

from mixdown.engines.music.produce.loudness import integrated_loudness
from mixdown.engines.voice import PRESET_NAMES, change, change_voice, recipe
from mixdown.engines.voice import segments as seg
from mixdown.engines.voice.presets import PresetName
from tests.speech_gen import HARVARD, spoken
from tests.unit.voice.signals import (
    band_share,
    f0_contour,
    formant_peaks,
    periodicity,
    shift_error_cents,
    vowel,
)

RATE = 16000
MAX_CENTS = 20.0  # the target


@pytest.mark.parametrize(
    "module", ["world", "transform", "segments", "presets", "effects", "loudness", "background", "change"]
)
def test_docstring_examples(module: str) -> None:
    found = doctest.testmod(importlib.import_module(f"mixdown.engines.voice.{module}"))
    assert found.failed == 0 and found.attempted > 0


@pytest.mark.parametrize("semitones", [-12.0, -7.0, -1.0, 5.0, 12.0])
def test_pitch_shift_of_a_vowel_is_measured_within_20_cents(semitones: float) -> None:
    # Given a sung vowel with vibrato; When shifted (fast tracker); Then YIN reads the shift
    source = vowel()
    out = change_voice(source, RATE, pitch_semitones=semitones, quality="fast")
    assert out.shape == (source.shape[0], 1) and out.dtype == np.float32
    assert abs(shift_error_cents(source, out[:, 0], RATE, semitones)) < MAX_CENTS


@pytest.mark.parametrize(("semitones", "voice"), [(4.0, "flite:slt"), (-7.0, "flite:kal")])
def test_pitch_shift_of_speech_is_measured_within_20_cents(semitones: float, voice: str) -> None:
    # Given a TTS sentence (16 kHz); When shifted with Harvest; Then the contour moved by the interval
    speech = spoken(HARVARD[0], voice=voice)
    out = change_voice(speech, RATE, pitch_semitones=semitones)
    assert out.shape == (speech.shape[0], 1)
    assert abs(shift_error_cents(speech, out[:, 0], RATE, semitones)) < MAX_CENTS


@pytest.mark.parametrize("semitones", [3.0, -3.0])
def test_formant_shift_moves_the_envelope_peaks_and_keeps_the_pitch(semitones: float) -> None:
    source = vowel()
    out = change_voice(source, RATE, formant_semitones=semitones, quality="fast")[:, 0]
    ratio = 2.0 ** (semitones / 12.0)
    for before, after in zip(formant_peaks(source, RATE), formant_peaks(out, RATE), strict=True):
        assert after / before == pytest.approx(ratio, rel=0.03)
    assert abs(shift_error_cents(source, out, RATE, 0.0)) < MAX_CENTS


def test_pitch_shift_keeps_the_formants() -> None:
    source = vowel()
    out = change_voice(source, RATE, pitch_semitones=7.0, quality="fast")[:, 0]
    for before, after in zip(formant_peaks(source, RATE), formant_peaks(out, RATE), strict=True):
        assert after / before == pytest.approx(1.0, rel=0.04)


@pytest.fixture(scope="module")
def preset_outputs() -> dict[str, np.ndarray]:
    source = vowel(seconds=1.2)
    return {name: change_voice(source, RATE, preset=name, quality="fast")[:, 0] for name in PRESET_NAMES}


EXPECTED_SHIFT: dict[PresetName, float] = {
    "deep-male": -6.0,
    "bright-female": 6.0,
    "child": 8.0,
    "monster": -10.0,
    "chipmunk": 12.0,
}


@pytest.mark.parametrize("name", list(EXPECTED_SHIFT))
def test_shifting_presets_move_the_pitch_by_their_interval(
    name: str, preset_outputs: dict[str, np.ndarray]
) -> None:
    out = preset_outputs[name]
    assert abs(shift_error_cents(vowel(seconds=1.2), out, RATE, EXPECTED_SHIFT[name])) < MAX_CENTS


def test_presets_give_distinct_results_of_the_input_length(preset_outputs: dict[str, np.ndarray]) -> None:
    source = vowel(seconds=1.2)
    spectra = {}
    for name, out in preset_outputs.items():
        assert out.shape == source.shape and np.isfinite(out).all()
        spectra[name] = np.log(np.abs(np.fft.rfft(out, 4096 * 4))[::16] + 1e-6)
    names = list(spectra)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert np.corrcoef(spectra[a], spectra[b])[0, 1] < 0.99, (a, b)


def test_robot_is_monotone_whisper_unvoiced_elder_wobbles(preset_outputs: dict[str, np.ndarray]) -> None:
    source = vowel(seconds=1.2)  # +-30 cents of vibrato
    spread = {name: np.nanstd(1200 * f0_contour(preset_outputs[name], RATE)) for name in ("robot", "elder")}
    assert np.nanstd(1200 * f0_contour(source, RATE)) > 15.0
    assert spread["robot"] < 3.0 and spread["elder"] > 25.0
    # a whisper keeps no period (its frames are independent), the input repeats itself
    assert periodicity(preset_outputs["whisper"], RATE, 130.0) < 0.5 < 0.9 < periodicity(source, RATE, 130.0)


def test_radio_keeps_the_telephone_band(preset_outputs: dict[str, np.ndarray]) -> None:
    radio = preset_outputs["radio"]
    assert band_share(radio, RATE, 250.0, 4000.0) > 0.97
    assert band_share(vowel(seconds=1.2), RATE, 0.0, 250.0) > 0.05  # the fundamental, cut by the radio


def test_loudness_is_kept_within_1_lu() -> None:
    speech = spoken(HARVARD[1])
    out = change_voice(speech, RATE, pitch_semitones=-5.0, formant_semitones=2.0, quality="fast")
    assert integrated_loudness(out.astype(np.float64), RATE) == pytest.approx(
        integrated_loudness(speech[:, None].astype(np.float64), RATE), abs=1.0
    )


def test_stereo_shares_one_contour_and_keeps_each_side() -> None:
    # Given a vowel louder on the left; When shifted; Then both sides move alike, the balance stays
    source = vowel()
    stereo = np.stack([source, 0.5 * source], axis=1)
    out = change_voice(stereo, RATE, pitch_semitones=3.0, quality="fast")
    assert out.shape == stereo.shape
    left, right = (float(np.sqrt(np.mean(out[:, c] ** 2))) for c in range(2))
    assert right / left == pytest.approx(0.5, rel=0.05)
    assert np.corrcoef(out[:, 0], out[:, 1])[0, 1] > 0.95  # pulses aligned: no phasing
    assert abs(shift_error_cents(source, out[:, 1], RATE, 3.0)) < MAX_CENTS


def test_dual_mono_is_processed_once_and_stays_identical() -> None:
    source = vowel(seconds=0.8)
    out = change_voice(np.stack([source, source], axis=1), RATE, pitch_semitones=-2.0, quality="fast")
    assert np.array_equal(out[:, 0], out[:, 1])


@pytest.mark.parametrize("rate", [8000, 44100])
def test_other_rates_keep_rate_and_length(rate: int) -> None:
    # 8 kHz runs through a 16 kHz copy (D4C reads an 8 kHz voice as noise)
    source = vowel(rate=rate, seconds=0.7)
    out = change_voice(source, rate, pitch_semitones=4.0, quality="fast")
    assert out.shape == (source.shape[0], 1)
    assert abs(shift_error_cents(source, out[:, 0], rate, 4.0)) < MAX_CENTS


def test_long_input_in_segments_matches_the_whole_and_keeps_its_length() -> None:
    # Given 9 s of vowels and pauses; When cut every 2 s (cuts land on vowel onsets, the hard case);
    # Then the level matches the one-piece run per 100 ms (no gap, no doubled seam), and the pitch.
    # Finer frames differ by design: each segment's F0 is tracked on its own region, so glottal
    # pulses fall a little differently.
    parts = [vowel(f0=f0, seconds=1.3) for f0 in (110.0, 150.0, 130.0, 170.0, 120.0, 140.0)]
    pause = np.zeros(int(0.2 * RATE), dtype=np.float32)
    source = np.concatenate([p for part in parts for p in (part, pause)])
    plan = recipe(pitch_semitones=-4.0)
    pieces = change(source, RATE, plan, quality="fast", segment_seconds=2.0)
    whole = change(source, RATE, plan, quality="fast")
    assert pieces.segments >= 3 and whole.segments == 1
    assert pieces.samples.shape == whole.samples.shape == (source.shape[0], 1)
    frame = RATE // 10
    usable = source.shape[0] // frame * frame
    levels = [
        np.sqrt(np.mean(x[:usable, 0].reshape(-1, frame) ** 2, axis=1))
        for x in (pieces.samples, whole.samples)
    ]
    loud = levels[1] > 0.2 * levels[1].max()
    assert np.abs(20 * np.log10(levels[0][loud] / levels[1][loud])).max() < 1.0
    assert abs(shift_error_cents(source, pieces.samples[:, 0], RATE, -4.0)) < MAX_CENTS


def test_cuts_fall_in_pauses() -> None:
    source = np.concatenate([vowel(seconds=1.3), np.zeros(int(0.2 * RATE), dtype=np.float32)] * 6)
    cuts = seg.plan(source.astype(np.float64), RATE, segment_seconds=3.0)[1:]
    assert len(cuts) == 2  # near 3 s and 6 s, each search (+-0.75 s) holding a 0.2 s pause
    for cut in cuts:
        assert not np.abs(source[cut.start - 80 : cut.start + 80]).any()


@pytest.mark.parametrize("frames", [0, 1, 300])
def test_empty_and_tiny_inputs_keep_their_length(frames: int) -> None:
    source = vowel()[:frames]
    out = change_voice(source, RATE, pitch_semitones=2.0, quality="fast")
    assert out.shape == (frames, 1) and np.isfinite(out).all()


@pytest.mark.parametrize("preset", [None, "monster", "radio", "robot", "whisper"])
def test_silence_stays_silent(preset: str | None) -> None:
    # WORLD resynthesizes digital silence as faint noise, and a saturation must not lift it
    out = change_voice(
        np.zeros(8000, np.float32), RATE, preset=preset, pitch_semitones=0.0 if preset else 3.0
    )
    assert out.shape == (8000, 1) and not out.any()


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"preset": "banana"}, "valid: deep-male, bright-female"),
        ({"preset": "chipmunk", "pitch_semitones": 13.0}, r"pitch shift \+25"),
        ({"formant_semitones": -12.5}, "formant shift -12.5"),
    ],
)
def test_recipe_refusals(kwargs: dict[str, object], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        recipe(**kwargs)  # type: ignore[arg-type]


def test_recipe_normalises_preset_names_and_adds_shifts() -> None:
    plan = recipe(preset=" Bright_Female ", pitch_semitones=-1.0, formant_semitones=0.5)
    assert (plan.preset, plan.pitch, plan.formant) == ("bright-female", 5.0, 3.0)
    assert recipe(preset="none").needs_world is False and recipe(preset="radio").needs_world is False
    assert recipe(preset="whisper").needs_world and recipe(preset="radio").effect == "radio"
