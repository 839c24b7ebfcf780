"""Chords, bars and sections of instrumentals whose truth is known (rendered grooves and backings)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pytest

from mixdown.engines.keybpm.chords import (
    NO_CHORD,
    ChordSpan,
    chords_from_audio,
    emission_scores,
    key_triads,
    recognise_chords,
    viterbi,
)
from mixdown.engines.keybpm.tonality import KeyEstimate
from mixdown.engines.singing.instrumental import Instrumental, singing_beats
from mixdown.engines.singing.structure import BarFeatures, find_sections
from tests.keybpm_audio import RATE, render_groove
from tests.singing_audio import analysed, backing, chord_quality

# tests/keybpm_audio.py plays I-IV-V-I (major) or i-iv-V-i (minor) with one chord per 4/4 bar.
_DEGREE_ROOTS = {"major": (0, 5, 7, 0), "minor": (0, 5, 7, 0)}
_DEGREE_QUALITIES = {"major": ("major",) * 4, "minor": ("minor", "minor", "major", "minor")}


def _time_share(spans: Sequence[ChordSpan], truth: object, start: float, end: float) -> float:
    """Share of 50 ms steps in [start, end) where the recognised chord equals ``truth(t)``."""
    steps = np.arange(start, end, 0.05)
    hits = 0
    for t in steps:
        found = next((s for s in spans if s.start <= t < s.end), None)
        hits += found is not None and (found.root, found.quality) == truth(t)  # type: ignore[operator]
    return hits / len(steps)


def _analysed(style: str, tonic: int) -> Instrumental:
    found: Instrumental = analysed(style, 24.0, 3, tonic)
    return found


@pytest.mark.parametrize(("bpm", "tonic", "scale"), [(100.0, 2, "major"), (124.0, 9, "minor")])
def test_chords_of_a_groove_follow_its_progression(bpm: float, tonic: int, scale: str) -> None:
    audio = render_groove(bpm, tonic=tonic, scale=scale, seconds=12.0).mean(axis=1)
    beats = np.arange(0.0, 12.0, 60.0 / bpm)
    key = KeyEstimate(tonic, scale, 0.8, 0.2)
    spans = chords_from_audio(audio, RATE, beats, key=key)
    bar = 4 * 60.0 / bpm

    def truth(t: float) -> tuple[int, str]:
        index = int(t // bar) % 4
        return (tonic + _DEGREE_ROOTS[scale][index]) % 12, _DEGREE_QUALITIES[scale][index]

    assert _time_share(spans, truth, 0.0, 12.0 - bar / 4) >= 0.9
    assert all(a.end == b.start for a, b in itertools.pairwise(spans))
    assert spans[0].start == 0.0 and spans[-1].end == pytest.approx(12.0)


@pytest.mark.parametrize(("style", "tonic"), [("pop", 9), ("rock", 4)])
def test_chords_of_a_composed_backing_match_its_score(style: str, tonic: int) -> None:
    track, found = backing(style, 24.0, 3, tonic), _analysed(style, tonic)
    chords = track.score.chords

    def truth(t: float) -> tuple[int, str] | None:
        event = next((c for c in chords if c.start <= t < c.end), None)
        return None if event is None else (event.root, chord_quality(event.pitches, event.root))

    assert _time_share(found.chords, truth, 0.0, chords[-1].end) >= 0.8
    assert found.bpm == pytest.approx(track.score.bpm, rel=0.02)
    assert (found.tonic, found.scale) == (
        track.score.key_tonic,
        "major" if track.score.mode == "major" else "minor",
    ) or (found.scale == "minor" and (found.tonic + 3) % 12 == track.score.key_tonic)


def test_bars_and_sections_land_on_the_score_form() -> None:
    track, found = backing("pop", 24.0, 3, 9), _analysed("pop", 9)
    bar = track.score.bar_seconds
    starts = np.array([b.start for b in found.bars])
    assert np.all(np.abs(starts / bar - np.round(starts / bar)) < 0.06)  # downbeats on the score's bars
    assert all(len(b.beats) == found.beats_per_bar == 4 for b in found.bars)
    first = round(starts[0] / bar)
    heard = {first + s.start_bar: s.loudness_db for s in found.sections}
    form = {s.start_bar: s.name for s in track.score.sections}  # intro (4 bars), then the chorus
    assert set(form) <= set(heard)
    assert form[max(heard, key=heard.__getitem__)] == "chorus"  # the loudest section found is in it
    assert sum(s.bar_count for s in found.sections) == len(found.bars)


def test_viterbi_holds_a_chord_through_a_one_beat_blip() -> None:
    scores = np.array([[0.9, 0.5], [0.9, 0.5], [0.6, 0.7], [0.9, 0.5]])
    assert viterbi(scores, 0.12).tolist() == [0, 0, 0, 0]
    assert viterbi(scores, 0.0).tolist() == [0, 0, 1, 0]


def test_silence_is_no_chord_and_the_key_prior_prefers_diatonic_triads() -> None:
    spans = recognise_chords(np.zeros((40, 12)), 10.0, np.arange(0.0, 4.0, 0.5), 4.0)
    assert [(s.quality, s.start, s.end) for s in spans] == [(NO_CHORD, 0.0, 4.0)]
    assert spans[0].symbol == "N" and spans[0].pitch_classes == ()
    ambiguous = np.zeros((1, 12))
    ambiguous[0, [0, 4, 7, 9]] = 1.0  # C6: C major or A minor
    c_major = emission_scores(ambiguous, KeyEstimate(0, "major", 1, 1))[0]
    assert (0, "major") in key_triads(0, "major") and (9, "minor") in key_triads(0, "major")
    assert c_major[:24].max() > emission_scores(ambiguous)[0][:24].max()


def test_sections_split_on_loudness_and_harmony_steps() -> None:
    chroma = np.repeat(np.eye(12)[[0, 0, 7, 7]], 4, axis=0)
    loudness = np.array([-30.0] * 4 + [-14.0] * 12)
    sections = find_sections(BarFeatures(chroma, loudness))
    assert [(s.start_bar, s.bar_count) for s in sections] == [(0, 4), (4, 4), (8, 8)]
    assert find_sections(BarFeatures(np.zeros((0, 12)), np.zeros(0))) == []


def test_a_tracker_reading_double_time_sings_on_every_other_beat() -> None:
    beats = np.arange(0.0, 8.0, 0.35)  # 171 bpm
    grid, bpm = singing_beats(beats, np.array([0.35]), 171.4)
    assert bpm == pytest.approx(85.7) and grid[0] == pytest.approx(0.35) and np.allclose(np.diff(grid), 0.7)
    slow, doubled = singing_beats(np.arange(0.0, 8.0, 1.2), np.array([0.0]), 50.0)
    assert doubled == 100.0 and np.allclose(np.diff(slow), 0.6)
