"""The embedded separator on signals whose parts are known: synthetic ones and a rendered song."""

from __future__ import annotations

import numpy as np
import pytest

from mixdown.engines.separation import plan, separate
from mixdown.engines.separation.embedded import separate_block
from mixdown.engines.separation.melody import MelodySettings, track
from mixdown.engines.separation.metrics import sdr
from mixdown.engines.separation.spectral import geometry, stft
from mixdown.engines.separation.windows import windowed
from mixdown.errors import ValidationFailed
from tests.unit.separation.material import RATE, Mix

SR = 22050


def _clicks_and_tone(seconds: float = 4.0) -> tuple[np.ndarray, np.ndarray]:
    """Decaying noise bursts every 0.25 s (a drum) and a steady 110 Hz tone with harmonics (a bass)."""
    rng = np.random.default_rng(3)
    n = int(seconds * SR)
    drum = np.zeros(n)
    burst = rng.normal(0, 1, 2000) * np.exp(-np.arange(2000) / 300)
    for start in range(0, n - 2000, SR // 4):
        drum[start : start + 2000] += 0.5 * burst
    t = np.arange(n) / SR
    bass = sum(0.3 / h * np.sin(2 * np.pi * 110 * h * t) for h in (1, 2, 3))
    return np.stack([drum] * 2, 1).astype(np.float32), np.stack([bass] * 2, 1).astype(np.float32)


def test_bursts_go_to_drums_and_a_steady_low_tone_to_bass() -> None:
    drum, bass = _clicks_and_tone()
    out = separate_block(drum + bass, SR)
    assert sdr(drum, out["drums"]) > 6.0
    assert sdr(bass, out["bass"]) > 10.0
    assert np.allclose(sum(out.values()), drum + bass, atol=1e-3)


def test_the_vocal_pitch_tracker_follows_a_centred_line() -> None:
    t = np.arange(3 * SR) / SR
    pitch = np.where(t < 1.5, 330.0, 440.0)
    voice = sum(0.2 / h * np.sin(2 * np.pi * h * np.cumsum(pitch) / SR) for h in range(1, 8))
    mix = np.stack([voice] * 2, 1).astype(np.float32)
    magnitude = np.abs(stft(mix, geometry(SR)).mean(0))
    found = track(magnitude, geometry(SR), MelodySettings(voiced_share=0.9))
    voiced = np.isfinite(found)
    cents = 1200 * np.log2(found[voiced] / np.interp(np.flatnonzero(voiced) * 512 / SR, t, pitch))
    assert voiced.mean() > 0.8 and np.median(np.abs(cents)) < 30


def test_a_rendered_song_separates_above_the_targets(house_mix: Mix) -> None:
    # Given 8 s of an engine-rendered song with a sung vocal, its true stems known
    accompaniment = house_mix.without("vocals")
    # When the embedded engine separates it
    out = separate(house_mix.mixture, RATE, ["drums", "bass", "vocals", "instrumental"], engine="embedded")
    # Then each stem is closer to the truth than the mixture is, drums and accompaniment by >= 5 dB
    assert sdr(house_mix.stems["drums"], out.stems["drums"]) >= 5.0
    assert sdr(house_mix.stems["bass"], out.stems["bass"]) >= 3.0
    assert sdr(house_mix.stems["vocals"], out.stems["vocals"]) >= 4.0
    assert sdr(accompaniment, out.stems["instrumental"]) >= sdr(accompaniment, house_mix.mixture) + 4.0
    assert sdr(accompaniment, out.stems["instrumental"]) >= 5.0
    assert np.allclose(out.stems["vocals"] + out.stems["instrumental"], house_mix.mixture, atol=1e-3)
    assert out.method["vocals"].startswith("embedded: harmonic comb")


def test_mono_input_gives_mono_stems() -> None:
    drum, bass = _clicks_and_tone(2.0)
    out = separate((drum + bass)[:, :1], SR, ["drums", "other"], engine="embedded")
    assert out.stems["drums"].shape == (2 * SR, 1)
    assert np.allclose(out.stems["drums"] + out.stems["other"], (drum + bass)[:, :1], atol=1e-3)


def test_long_input_runs_in_windows_that_still_add_up() -> None:
    drum, bass = _clicks_and_tone(45.0)  # three 20 s windows
    mix = drum + bass
    out = separate(mix, SR, ["drums", "other"], engine="embedded")
    assert np.allclose(out.stems["drums"] + out.stems["other"], mix, atol=2e-3)
    assert sdr(drum, out.stems["drums"]) > 6.0


def test_windows_tile_and_cross_fade() -> None:
    x = np.random.default_rng(0).normal(size=(1000, 2)).astype(np.float32)
    pieces = list(windowed(x, lambda b: {"a": b.copy(), "b": 0 * b}, window=300, overlap=50))
    assert [s for s, _ in pieces] == [0, 250, 500, 750]
    assert np.allclose(np.concatenate([p["a"] for _, p in pieces]), x, atol=1e-6)


def test_stems_the_embedded_engine_has_no_model_for_are_422() -> None:
    with pytest.raises(ValidationFailed) as err:
        plan(["vocals", "piano"], "embedded")
    assert err.value.field == "stems" and "cannot extract piano" in err.value.message
    assert set(plan(["vocals", "other"], "embedded").sources["other"]) == {"drums", "bass", "rest"}
