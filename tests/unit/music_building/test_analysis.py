"""Listening back: tempo, grid, downbeats, key and chords of rendered pieces; docstring examples."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest

from mixdown.engines.music.analysis import analyse, bar_chord, downbeat_phase
from mixdown.engines.music.quality import key_relation
from tests.unit.music_building.pieces import RATE, rendered

PIECES = [("pop", 120.0, 9, "minor"), ("rock", 132.0, 4, "major"), ("corporate", 105.0, 7, "major")]


@pytest.mark.parametrize(("style", "bpm", "tonic", "mode"), PIECES)
def test_tempo_grid_and_key_of_rendered_pieces(style: str, bpm: float, tonic: int, mode: str) -> None:
    # Given a composed and rendered piece
    score, mix = rendered(style, bpm, tonic, mode)
    # When it is analysed
    heard = analyse(mix, RATE)
    # Then the tempo is within 2 %, the key is the score's, beats and downbeats sit on its grid
    assert heard.bpm == pytest.approx(score.bpm, rel=0.02)
    assert key_relation((heard.key_tonic, heard.mode), (score.key_tonic, score.mode)) == "match"
    beat, bar = score.beat_seconds, score.bar_seconds
    beat_error = [abs((b + beat / 2) % beat - beat / 2) for b in heard.beats]
    assert float(np.median(beat_error)) < 0.02
    assert heard.beats_per_bar == 4
    bar_error = [abs((d + bar / 2) % bar - bar / 2) for d in heard.downbeats]
    assert max(bar_error) < 0.05


def test_chords_per_bar_follow_the_score() -> None:
    score, mix = rendered("rock", 132.0, 4, "major")
    heard = analyse(mix, RATE)
    hits = total = 0
    for chord in heard.chords:
        if chord.end - chord.start < score.bar_seconds * 0.9 or chord.start > score.duration - 4.0:
            continue
        sounding = [c for c in score.chords if c.start <= chord.start + 0.1 < c.end]
        total += 1
        hits += any(c.root == chord.root for c in sounding)
    assert total >= 6 and hits / total >= 0.7


def test_an_excerpt_keeps_absolute_times() -> None:
    score, mix = rendered("pop", 120.0, 9, "minor")
    heard = analyse(mix[5 * RATE : 15 * RATE], RATE, offset=5.0)
    bar = score.bar_seconds
    assert all(5.0 <= d < 15.0 for d in heard.downbeats)
    assert heard.nearest_downbeat(9.1) == pytest.approx(round(9.1 / bar) * bar, abs=0.03)
    assert heard.nearest_downbeat(14.9, latest=14.0) <= 14.0


def test_degenerate_inputs() -> None:
    assert bar_chord(np.zeros(12)) == (0, "major")
    assert downbeat_phase(np.ones(1)) == (4, 0)
    silence = analyse(np.zeros(RATE * 2, dtype=np.float32), RATE)
    assert silence.bpm > 0 and silence.duration == pytest.approx(2.0)


@pytest.mark.parametrize("name", ["analysis", "melody_extract", "splice"])
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f"mixdown.engines.music.{name}")
    assert doctest.testmod(module, optionflags=doctest.ELLIPSIS).failed == 0
