"""De-echo: cepstral detection finds delays and gains, inverse filtering cancels them."""

from __future__ import annotations

import numpy as np
import pytest

from mixdown.engines.cleanup.cepstral import (
    Echo,
    EchoSearch,
    average_cepstrum,
    cancel,
    detect_echoes,
    echo_level_db,
    rho_to_gain,
)
from mixdown.engines.cleanup.deecho import deecho, remove_echoes
from mixdown.engines.cleanup.measures import si_sdr
from tests.cleanup_audio import add_echoes, mix_at_snr, white

RATE = 16000


def test_cancel_is_the_exact_inverse_of_the_echo_model() -> None:
    x = np.random.default_rng(0).normal(size=5000)
    echoes = [Echo(700, 0.5), Echo(1130, -0.3)]
    y = x.copy()
    y[700:] += 0.5 * x[:-700]
    y[1130:] -= 0.3 * x[:-1130]
    np.testing.assert_allclose(cancel(y, echoes), x, atol=1e-9)


@pytest.mark.parametrize("gain", [-0.8, -0.3, 0.1, 0.5, 0.9])
def test_rho_to_gain_inverts_the_echo_autocorrelation(gain: float) -> None:
    assert rho_to_gain(gain / (1 + gain * gain)) == pytest.approx(gain, abs=1e-9)


def test_a_250_ms_echo_at_minus_6_db_is_found_and_removed(voice16: np.ndarray) -> None:
    # Given speech with one echo 250 ms later at -6 dB
    wet = add_echoes(voice16, RATE, [(0.25, -6.0)])
    # When the cepstral method looks for echoes
    result = remove_echoes(wet, RATE)
    # Then it finds that one echo, sample-exact, with its gain
    [[echo]] = result.echoes
    assert echo.delay == 4000 and echo.gain == pytest.approx(10 ** (-6 / 20), abs=0.06)
    # And cancelling it leaves the dry voice (measured +21 dB SI-SDR), the echo level at
    # 250 ms falling from -6 to -42 dB
    out = result.samples[:, 0]
    assert si_sdr(out, voice16) - si_sdr(wet, voice16) >= 12.0
    assert echo_level_db(wet.astype(np.float64), 4000) > -9.0
    assert echo_level_db(out.astype(np.float64), 4000) < -25.0


def test_the_cepstral_peak_of_the_echo_disappears(voice16: np.ndarray) -> None:
    wet = add_echoes(voice16, RATE, [(0.25, -6.0)])
    out = deecho(wet, RATE)[:, 0]
    before, after = (np.abs(average_cepstrum(s.astype(np.float64), 16384)) for s in (wet, out))
    # measured: 155x the median quefrency before, 9x less after
    assert before[4000] > 50 * np.median(before[480:8000])
    assert after[4000] < before[4000] / 5


def test_two_echoes_are_both_found(voice16: np.ndarray) -> None:
    wet = add_echoes(voice16, RATE, [(0.25, -6.0), (0.42, -12.0)])
    result = remove_echoes(wet, RATE)
    assert sorted(e.delay for e in result.echoes[0]) == [4000, 6720]
    assert si_sdr(result.samples[:, 0], voice16) - si_sdr(wet, voice16) >= 12.0


def test_echo_in_mic_noise_is_still_reduced(voice16: np.ndarray) -> None:
    wet = mix_at_snr(add_echoes(voice16, RATE, [(0.25, -6.0)]), white(len(voice16), seed=2), 20.0)
    out = deecho(wet, RATE)[:, 0]
    assert si_sdr(out, voice16) - si_sdr(wet, voice16) >= 6.0  # measured +11.4 dB


@pytest.mark.parametrize("seed", [0, 1])
def test_clean_speech_and_noise_come_back_unchanged(voice16: np.ndarray, seed: int) -> None:
    # No echo: nothing is found, so nothing is touched.
    for signal in (voice16, 0.1 * white(RATE * 3, seed=seed)):
        result = remove_echoes(signal, RATE)
        assert result.echoes == [[]]
        np.testing.assert_array_equal(result.samples[:, 0], signal)


def test_a_repeating_melody_is_not_taken_for_an_echo() -> None:
    # Harmonic notes of 0.5 s, the same 8-note phrase four times: repetition, not an echo.
    t = np.arange(RATE // 2) / RATE
    notes = [60, 62, 64, 65, 67, 65, 64, 62] * 4
    melody = np.concatenate(
        [
            sum(np.sin(2 * np.pi * 440 * 2 ** ((m - 69) / 12) * k * t) / k for k in range(1, 6))
            * np.exp(-3 * t)
            for m in notes
        ]
    )
    assert remove_echoes(0.2 * melody, RATE).echoes == [[]]


def test_each_channel_has_its_own_echoes(voice16: np.ndarray) -> None:
    stereo = np.stack(
        [add_echoes(voice16, RATE, [(0.25, -6.0)]), add_echoes(voice16, RATE, [(0.1, -8.0)])], axis=1
    )
    result = remove_echoes(stereo, RATE)
    assert [[e.delay for e in channel] for channel in result.echoes] == [[4000], [1600]]
    assert result.samples.shape == stereo.shape


def test_echoes_outside_the_search_range_are_left_alone(voice16: np.ndarray) -> None:
    wet = add_echoes(voice16, RATE, [(0.25, -6.0)])
    assert remove_echoes(wet, RATE, max_delay=0.2).echoes == [[]]


def test_wpe_method_reduces_an_echo_too(voice16: np.ndarray) -> None:
    wet = add_echoes(voice16, RATE, [(0.25, -6.0)])
    out = deecho(wet, RATE, method="wpe", max_delay=0.4)
    assert out.shape == (len(wet), 1)
    assert si_sdr(out[:, 0], voice16) - si_sdr(wet, voice16) >= 3.0  # measured +6.9 dB


def test_search_range_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="min_delay"):
        EchoSearch(min_delay=100, max_delay=50)
    with pytest.raises(ValueError, match="min_delay"):
        remove_echoes(np.zeros(100, np.float32), RATE, min_delay=0.5, max_delay=0.1)


def test_silence_has_no_echoes() -> None:
    assert detect_echoes(np.zeros(RATE), RATE, EchoSearch(min_delay=480, max_delay=8000)) == []
