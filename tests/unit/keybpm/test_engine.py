"""The key & BPM engine on rendered grooves of known tempo, meter and key, and its pure parts."""

from __future__ import annotations

import doctest
import importlib
import threading
from functools import lru_cache

import mir_eval
import numpy as np
import pytest

from mixdown.engines.keybpm import KeyBpmAnalysis, analyse_key_bpm, camelot
from mixdown.engines.keybpm.backend import borrowed
from mixdown.engines.keybpm.onsets import ENVELOPE_RATE, frame_of
from mixdown.engines.keybpm.rhythm import (
    SUBDIVISION_FLOOR,
    TempoCandidate,
    alternation,
    autocorrelation,
    choose,
    grid_bpm,
    regrid,
    rhythm_from_ticks,
)
from mixdown.engines.keybpm.tonality import MAJOR_NAMES, MINOR_NAMES, KeyEstimate, pitch_class
from mixdown.engines.music.produce.loudness import integrated_loudness
from tests.keybpm_audio import RATE, SNARE, STICK, render_groove


def groove(bpm: float, tonic: int, scale: str, meter: int = 4, backbeat: int = SNARE) -> np.ndarray:
    """A rendered groove, once per process (renders differ slightly: the synth's effects run on)."""
    return _groove(bpm, tonic, scale, meter, backbeat)


@lru_cache(maxsize=16)
def _groove(bpm: float, tonic: int, scale: str, meter: int, backbeat: int) -> np.ndarray:
    audio = render_groove(bpm, tonic=tonic, scale=scale, meter=meter, backbeat=backbeat)
    audio.setflags(write=False)
    return audio


def analysed(bpm: float, tonic: int, scale: str, meter: int = 4, backbeat: int = SNARE) -> KeyBpmAnalysis:
    return _analysed(bpm, tonic, scale, meter, backbeat)


@lru_cache(maxsize=16)
def _analysed(bpm: float, tonic: int, scale: str, meter: int, backbeat: int) -> KeyBpmAnalysis:
    return analyse_key_bpm(groove(bpm, tonic, scale, meter, backbeat), RATE)


def truth_beats(bpm: float, seconds: float = 12.0) -> np.ndarray:
    return np.arange(0.0, seconds, 60.0 / bpm)


# -- rendered grooves ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bpm", "tonic", "scale", "key_name", "code"),
    [
        (128.0, 9, "minor", "A minor", "8A"),
        (96.0, 4, "minor", "E minor", "9A"),
        (120.0, 0, "major", "C major", "8B"),
        (174.0, 5, "minor", "F minor", "4A"),
    ],
)
def test_tempo_beats_and_key_of_a_groove(
    bpm: float, tonic: int, scale: str, key_name: str, code: str
) -> None:
    result = analysed(bpm, tonic, scale)
    summary = result.summary()
    assert summary["bpm"] == pytest.approx(bpm, rel=0.01)
    assert (summary["key_name"], summary["camelot"], summary["time_signature"]) == (key_name, code, "4/4")
    assert 0.5 < summary["bpm_confidence"] <= 1.0
    assert mir_eval.beat.f_measure(truth_beats(bpm)[4:], result.rhythm.beats[result.rhythm.beats > 2.0]) > 0.9
    assert summary["warnings"] == []


def test_downbeats_fall_on_bar_starts() -> None:
    result = analysed(120.0, 0, "major")
    bar_starts = np.arange(0.0, 12.0, 2.0)
    assert result.meter.downbeats.size >= 4
    assert np.all(np.min(np.abs(result.meter.downbeats[:, None] - bar_starts[None, :]), axis=1) < 0.07)


def test_waltz_reads_as_three_four() -> None:
    result = analysed(150.0, 2, "major", meter=3)
    assert result.rhythm.bpm == pytest.approx(150.0, rel=0.01)
    assert result.meter.time_signature == "3/4"
    assert result.key is not None and result.key.name == "D major"
    bar_starts = np.arange(0.0, 12.0, 1.2)
    assert np.all(np.min(np.abs(result.meter.downbeats[:, None] - bar_starts[None, :]), axis=1) < 0.07)


def test_candidates_report_half_and_double_with_evidence() -> None:
    result = analysed(128.0, 9, "minor")
    relations = {c.relation: c for c in result.rhythm.candidates}
    assert set(relations) == {"tracked", "half", "double"}
    assert relations["half"].bpm == pytest.approx(64.0, rel=0.01)
    assert relations["double"].bpm == pytest.approx(256.0, rel=0.01)
    # Eighth-note hats: the tracked beat is subdivided; a double-speed "beat" would not be.
    assert relations["tracked"].subdivision > 0.2 > relations["double"].subdivision
    assert result.to_json()["bpm_candidates"][0]["relation"] == "tracked"


def test_bpm_range_moves_the_tempo_by_an_octave() -> None:
    result = analyse_key_bpm(groove(128.0, 9, "minor"), RATE, bpm_range=(50.0, 80.0))
    assert result.rhythm.bpm == pytest.approx(64.0, rel=0.01)
    assert result.rhythm.reason == "bpm_range"
    assert result.rhythm.beats.size == pytest.approx(analysed(128.0, 9, "minor").rhythm.beats.size / 2, abs=1)
    assert any("bpm_range" in w for w in result.warnings)


def test_bpm_range_without_an_octave_inside_keeps_the_measurement() -> None:
    result = analyse_key_bpm(groove(128.0, 9, "minor"), RATE, bpm_range=(90.0, 110.0))
    assert result.rhythm.bpm == pytest.approx(128.0, rel=0.01)
    assert any("no octave" in w for w in result.warnings)


def test_a_slow_groove_with_straight_eighths_is_not_read_at_double() -> None:
    result = analysed(72.0, 7, "major", backbeat=STICK)
    assert result.rhythm.bpm == pytest.approx(72.0, rel=0.01)
    assert {round(c.bpm) for c in result.rhythm.candidates} >= {72, 144}


def test_loudness_is_bs1770_integrated() -> None:
    audio = groove(120.0, 0, "major")
    result = analysed(120.0, 0, "major")
    assert result.loudness_lufs == pytest.approx(integrated_loudness(audio, RATE), abs=1e-6)
    assert -30.0 < result.loudness_lufs < -5.0  # type: ignore[operator]


def test_resampled_input_reads_the_same() -> None:
    import soxr

    audio = soxr.resample(groove(96.0, 4, "minor"), RATE, 48000)
    result = analyse_key_bpm(audio, 48000)
    assert result.rhythm.bpm == pytest.approx(96.0, rel=0.01)
    assert result.key is not None and result.key.name == "E minor"


def test_silence_has_no_tempo_key_or_loudness() -> None:
    result = analyse_key_bpm(np.zeros((RATE * 5, 2), dtype=np.int16), RATE)
    summary = result.summary()
    assert (summary["bpm"], summary["key"], summary["loudness_lufs"], summary["time_signature"]) == (
        None,
        None,
        None,
        None,
    )
    assert summary["warnings"] == ["the input is silent"]
    assert result.to_json()["beats"] == []


def test_short_input_is_flagged() -> None:
    result = analyse_key_bpm(groove(120.0, 0, "major")[: 4 * RATE], RATE)
    assert any("shorter than" in w for w in result.warnings)


def test_noise_has_no_clear_pulse() -> None:
    noise = np.random.default_rng(3).standard_normal((RATE * 10, 1)).astype(np.float32) * 0.1
    result = analyse_key_bpm(noise, RATE)
    assert result.rhythm.pulse < 0.1
    assert any("no clear steady pulse" in w for w in result.warnings) or result.rhythm.bpm is None


def test_progress_is_reported_in_order() -> None:
    calls: list[float] = []
    analyse_key_bpm(groove(120.0, 0, "major")[: 9 * RATE], RATE, progress=lambda f, _m: calls.append(f))
    assert calls and calls == sorted(calls)
    assert calls[0] > 0.0 and calls[-1] < 1.0


def test_concurrent_analyses_use_separate_algorithms() -> None:
    audio = groove(96.0, 4, "minor")
    results: list[float | None] = []

    def work() -> None:
        results.append(analyse_key_bpm(audio, RATE).rhythm.bpm)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [pytest.approx(96.0, rel=0.01)] * 2
    with borrowed() as first, borrowed() as second:
        assert first is not second


# -- pure parts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tonic", "scale", "code"),
    [(9, "minor", "8A"), (0, "major", "8B"), (8, "minor", "1A"), (11, "major", "1B"), (6, "major", "2B"),
     (4, "major", "12B"), (1, "minor", "12A"), (2, "minor", "7A")],
)  # fmt: skip
def test_camelot_codes(tonic: int, scale: str, code: str) -> None:
    assert camelot(tonic, scale) == code


def test_camelot_wheel_neighbours_are_fifths_and_relatives_share_a_number() -> None:
    for tonic in range(12):
        here, fifth = camelot(tonic, "major"), camelot((tonic + 7) % 12, "major")
        assert int(fifth[:-1]) == int(here[:-1]) % 12 + 1
        assert camelot((tonic + 9) % 12, "minor") == here[:-1] + "A"


def test_key_names_use_conventional_spellings() -> None:
    assert [KeyEstimate(pc, "major", 0.9, 0.1).name for pc in (1, 3, 6, 8, 10)] == [
        "Db major",
        "Eb major",
        "F# major",
        "Ab major",
        "Bb major",
    ]
    assert [KeyEstimate(pc, "minor", 0.9, 0.1).key for pc in (1, 3, 6, 8, 10)] == [
        "C#",
        "Eb",
        "F#",
        "G#",
        "Bb",
    ]
    assert all(pitch_class(n) == i for i, n in enumerate(MAJOR_NAMES))
    assert all(pitch_class(n) == i for i, n in enumerate(MINOR_NAMES))
    with pytest.raises(ValueError, match="not a note name"):
        pitch_class("H")


def _options(tracked: float, subdivision: float) -> tuple[TempoCandidate, ...]:
    return (
        TempoCandidate(tracked, "tracked", 0.7, subdivision),
        TempoCandidate(tracked / 2, "half", 0.8, 0.5),
        TempoCandidate(tracked * 2, "double", 0.3, -0.1),
    )


@pytest.mark.parametrize(
    ("subdivision", "contrast", "relation"),
    [
        (SUBDIVISION_FLOOR / 2, 2.0, "half"),  # nothing between strong-weak beats: the tatum
        (SUBDIVISION_FLOOR / 2, 1.0, "tracked"),  # a metronome: equal beats, nothing between
        (0.4, 2.0, "tracked"),  # subdivided: the tracker's beat stands
    ],
)
def test_tatum_rule(subdivision: float, contrast: float, relation: str) -> None:
    pick, _reason = choose(_options(150.0, subdivision), contrast, None)
    assert pick.relation == relation


def test_tatum_rule_never_halves_below_the_floor() -> None:
    pick, _ = choose(_options(100.0, 0.0), 3.0, None)
    assert pick.relation == "tracked"


def test_bpm_range_picks_the_octave_inside() -> None:
    assert choose(_options(150.0, 0.4), 1.0, (60.0, 90.0))[0].relation == "half"
    assert choose(_options(150.0, 0.4), 1.0, (250.0, 300.0))[0].relation == "double"
    pick, reason = choose(_options(150.0, 0.4), 1.0, (100.0, 120.0))
    assert pick.relation == "tracked" and reason.endswith("no octave of it lies in bpm_range")


def test_grid_helpers() -> None:
    ticks = np.arange(0.0, 10.0, 0.5) + np.random.default_rng(1).normal(0, 0.003, 20)
    assert grid_bpm(np.delete(ticks, [5, 11])) == pytest.approx(120.0, rel=0.002)
    assert alternation(np.tile([3.0, 1.0], 8)) == pytest.approx(3.0)
    assert regrid(ticks, "half", np.tile([1.0, 3.0], 10)).tolist() == ticks[1::2].tolist()
    assert regrid(ticks, "double", np.ones(20)).size == 39
    envelope = np.tile([1.0, 0.0, 0.0, 0.0, 0.0, 0.0], 100)
    acf = autocorrelation(envelope)
    assert acf[0] == pytest.approx(1.0) and acf[6] > 0.9 and acf[3] < 0.0


@pytest.mark.parametrize("module", ["analyse", "meter", "onsets", "rhythm", "tonality"])
def test_docstring_examples(module: str) -> None:
    result = doctest.testmod(importlib.import_module(f"mixdown.engines.keybpm.{module}"))
    assert result.attempted > 0 and result.failed == 0


def _impulses(times: np.ndarray, size: int) -> np.ndarray:
    envelope = np.zeros(size)
    envelope[frame_of(times)] = 1.0
    return envelope


@pytest.mark.parametrize(("bass_every", "bpm"), [(2, 75.0), (1, 150.0), (None, 150.0)])
def test_eighths_as_beats_are_halved_only_when_the_bass_says_so(bass_every: int | None, bpm: float) -> None:
    ticks = np.arange(0.2, 20.0, 0.4)  # 150 bpm, nothing between the ticks
    size = int(21 * ENVELOPE_RATE)
    bass = np.zeros(size) if bass_every is None else _impulses(ticks[1::bass_every], size)
    rhythm = rhythm_from_ticks(ticks, 4.0, _impulses(ticks, size), bass)
    assert rhythm.bpm == pytest.approx(bpm, rel=0.001)
    if bass_every == 2:
        assert rhythm.beats.tolist() == ticks[1::2].tolist()  # the ticks with the bass
        assert rhythm.reason.endswith("halved") and rhythm.alternation > 10
    assert rhythm.confidence == pytest.approx(4.0 / 5.32)
