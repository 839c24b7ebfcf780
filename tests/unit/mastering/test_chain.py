"""The mastering chain: presets colour as described, references steer loudness, every input lands."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from mixdown.engines.mastering import PRESETS, MasterSettings, master, prepare, profile
from mixdown.engines.mastering.reference import side_mid_ratio
from tests.unit.mastering.signals import RATE, music_like, speech_like, tilted


def band_energy_db(audio: np.ndarray, low: float, high: float) -> float:
    spectrum = np.abs(np.fft.rfft(audio.mean(axis=1))) ** 2
    freqs = np.fft.rfftfreq(audio.shape[0], 1.0 / RATE)
    return float(10 * np.log10(spectrum[(freqs >= low) & (freqs < high)].sum()))


def tilt_db(audio: np.ndarray) -> float:
    """High band (4-12 kHz) over low band (80-300 Hz) energy."""
    return band_energy_db(audio, 4000, 12000) - band_energy_db(audio, 80, 300)


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_every_preset_lands_on_target_under_the_ceiling(preset: str) -> None:
    done = master(music_like(), RATE, MasterSettings(target_lufs=-14.0, true_peak_db=-1.0, preset=preset))  # type: ignore[arg-type]
    assert done.after.integrated_lufs == pytest.approx(-14.0, abs=0.15)
    assert done.after.true_peak_db is not None and done.after.true_peak_db <= -1.0
    assert done.audio.shape == music_like().shape


def test_bright_is_brighter_than_warm() -> None:
    source = music_like()
    colours = {
        name: tilt_db(PRESETS[name].apply(source, RATE, target_lufs=-14.0))
        for name in ("warm", "none", "bright")
    }
    assert colours["warm"] < colours["none"] - 2.0 and colours["bright"] > colours["none"] + 2.0


def test_podcast_narrows_the_stereo_and_cuts_rumble() -> None:
    source = music_like(width=0.6)
    out = PRESETS["podcast"].apply(source, RATE, target_lufs=-16.0)
    full_width = replace(PRESETS["podcast"], side_gain=1.0).apply(source, RATE, target_lufs=-16.0)
    assert side_mid_ratio(out) == pytest.approx(0.5 * side_mid_ratio(full_width), rel=0.02)  # type: ignore[operator]
    assert band_energy_db(out, 20, 50) < band_energy_db(source, 20, 50) - 6.0
    assert PRESETS["podcast"].target_lufs == -16.0


def test_mono_speech_stays_mono_and_lands() -> None:
    done = master(speech_like(), RATE, MasterSettings(target_lufs=-16.0, preset="podcast"))
    assert done.audio.shape[1] == 1
    assert done.after.integrated_lufs == pytest.approx(-16.0, abs=0.15)


def test_reference_match_moves_tone_towards_the_reference() -> None:
    source = music_like()
    reference = tilted(music_like(seed=7), 1.5)
    ref_profile = profile(reference, RATE)
    done = master(source, RATE, MasterSettings(preset="none"), reference=ref_profile)
    assert done.match is not None
    assert abs(tilt_db(done.audio) - tilt_db(reference)) < 0.5 * abs(tilt_db(source) - tilt_db(reference))


def test_a_lower_ceiling_can_be_asked_again_without_recomputing() -> None:
    prepared = prepare(music_like(), RATE, MasterSettings(target_lufs=-12.0))
    first, second = prepared.finish(-1.0), prepared.finish(-2.0)
    assert second.after.true_peak_db is not None and second.after.true_peak_db <= -2.0
    assert abs(second.after.integrated_lufs - first.after.integrated_lufs) < 0.2  # type: ignore[operator]


def test_near_silent_input_is_pre_gained_and_digital_silence_passes_through() -> None:
    whisper = music_like() * np.float32(10 ** (-62 / 20))  # every block under the -70 LUFS gate
    done = master(whisper, RATE, MasterSettings(target_lufs=-20.0))
    assert done.before.integrated_lufs is None and done.notes
    assert done.after.integrated_lufs == pytest.approx(-20.0, abs=0.15)
    silent = master(np.zeros((RATE, 2), dtype=np.float32), RATE, MasterSettings())
    assert silent.after.integrated_lufs is None and not silent.audio.any() and silent.notes
