"""produce(): exact stems, loudness and true peak, exact length, determinism, timbre, sidechain."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from numpy.testing import assert_allclose

from mixdown.engines.music.produce import (
    SUPPORTED_RATES,
    Production,
    integrated_loudness,
    produce,
    render_chunks,
    sum_stems,
    true_peak_db,
)
from mixdown.engines.music.score import Stem
from mixdown.errors import InputError
from tests.unit.music_produce.scores import make_score, one_part


@pytest.fixture(scope="module")
def production() -> Production:
    return produce(make_score(duration=4.0), sample_rate=44100)


def test_stems_sum_to_premaster(production: Production) -> None:
    assert set(production.stems) == {Stem.DRUMS, Stem.BASS, Stem.CHORDS, Stem.MELODY, Stem.PADS}
    total = np.sum([production.stems[s] for s in Stem if s in production.stems], axis=0)
    assert_allclose(total, production.premaster, rtol=0, atol=1e-6)
    for audio in production.stems.values():
        assert audio.dtype == np.float32
        assert audio.shape == production.premaster.shape
        assert np.abs(audio).max() > 1e-4  # every stem actually sounds


def test_master_hits_loudness_and_true_peak(production: Production) -> None:
    assert production.loudness_lufs == pytest.approx(-14.0, abs=0.5)
    assert integrated_loudness(production.mix, 44100) == pytest.approx(-14.0, abs=0.5)
    assert production.true_peak_db <= -1.0
    assert true_peak_db(production.mix) <= -1.0
    assert production.mix.dtype == np.float32
    assert production.gain_db == pytest.approx(production.gains.total_db)


def test_true_peak_holds_on_an_independent_oversampler(production: Production) -> None:
    from scipy.signal import resample_poly

    upsampled = resample_poly(production.mix.astype(np.float64), 4, 1, axis=0)
    assert 20 * np.log10(np.abs(upsampled).max()) <= -1.0


@pytest.mark.parametrize("sample_rate", SUPPORTED_RATES)
def test_exact_frame_count_at_every_rate(sample_rate: int) -> None:
    duration = 1.2345
    result = produce(make_score(duration=duration), sample_rate=sample_rate)
    frames = round(duration * sample_rate)
    assert result.mix.shape == (frames, 2)
    assert result.premaster.shape == (frames, 2)
    assert all(audio.shape == (frames, 2) for audio in result.stems.values())


def test_unsupported_rate_is_refused() -> None:
    with pytest.raises(InputError):
        produce(make_score(duration=1.0), sample_rate=16000)


def test_same_score_same_bytes(production: Production) -> None:
    again = produce(make_score(duration=4.0), sample_rate=44100)
    assert again.mix.tobytes() == production.mix.tobytes()
    assert all(again.stems[s].tobytes() == production.stems[s].tobytes() for s in production.stems)


def test_a_render_in_between_does_not_change_the_next() -> None:
    score = make_score(duration=2.0)
    first = produce(score, sample_rate=22050)
    produce(one_part(48), sample_rate=22050)
    assert produce(score, sample_rate=22050).premaster.tobytes() == first.premaster.tobytes()


def _centroid(audio: np.ndarray, sample_rate: int) -> float:
    power = np.abs(np.fft.rfft(audio.mean(axis=1))) ** 2
    freqs = np.fft.rfftfreq(audio.shape[0], 1 / sample_rate)
    return float((freqs * power).sum() / power.sum())


def test_different_programs_sound_different() -> None:
    # The same chord on a drawbar organ (16), a piano (0), a sawtooth lead (81) and a trumpet (56).
    centroids = {
        program: _centroid(produce(one_part(program), sample_rate=22050).premaster, 22050)
        for program in (16, 0, 81, 56)
    }
    values = sorted(centroids.values())
    assert all(high > low * 1.3 for low, high in itertools.pairwise(values))


def test_sidechain_ducks_the_pad_at_kick_onsets() -> None:
    sr, bpm = 22050, 120.0
    ducked = produce(make_score(duration=4.0, bpm=bpm, sidechain=1.0), sample_rate=sr).stems[Stem.PADS]
    plain = produce(make_score(duration=4.0, bpm=bpm, sidechain=0.0), sample_rate=sr).stems[Stem.PADS]

    def level(audio: np.ndarray, offset: float) -> float:
        # Mean power in a 40 ms window `offset` seconds after each kick (every other beat).
        windows = [
            audio[int((k + offset) * sr) : int((k + offset + 0.04) * sr)] for k in np.arange(1.0, 3.0, 1.0)
        ]
        return float(np.mean([np.mean(w**2) for w in windows]))

    # Right after a kick the ducked pad is far quieter than the plain one; half a beat later less so.
    dip = 10 * np.log10(level(ducked, 0.01) / level(plain, 0.01))
    recovered = 10 * np.log10(level(ducked, 0.24) / level(plain, 0.24))
    assert dip < -10.0
    assert recovered > dip + 6.0


def test_chunks_cover_the_piece_in_order_and_sum_to_the_premaster(production: Production) -> None:
    chunks = list(render_chunks(make_score(duration=4.0), 44100))
    assert chunks[0].start == 0
    assert all(a.end == b.start for a, b in itertools.pairwise(chunks))
    assert chunks[-1].end == production.premaster.shape[0]
    assert {c.section for c in chunks} == {"verse", "chorus"}
    joined = np.concatenate([c.premaster for c in chunks])
    assert joined.tobytes() == production.premaster.tobytes()
    assert sum_stems(chunks[0].stems, chunks[0].frames).tobytes() == chunks[0].premaster.tobytes()


def test_silent_score_gives_silence_of_the_right_length() -> None:
    score = make_score(duration=1.0, parts=[])
    result = produce(score, sample_rate=22050)
    assert result.mix.shape == (22050, 2)
    assert not result.mix.any()
    assert result.stems == {}
