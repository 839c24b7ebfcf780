"""Note creation from activations: basic-pitch's rules on small hand-made activation matrices."""

from __future__ import annotations

import numpy as np
import pytest

from mixdown.engines.transcription.model import Activations
from mixdown.engines.transcription.note_creation import (
    DecodeOptions,
    decode,
    frame_times,
    hz_to_key,
    inferred_onsets,
)

FRAMES = 300


def activations(*notes: tuple[int, int, int, float], onset: float = 0.9) -> Activations:
    """Activations holding ``(start frame, end frame, key, level)`` notes, each with an onset peak."""
    note, onsets, contour = np.zeros((FRAMES, 88)), np.zeros((FRAMES, 88)), np.zeros((FRAMES, 264))
    for start, end, key, level in notes:
        note[start:end, key] = level
        onsets[start, key] = onset
        contour[start:end, 3 * key] = level
    return Activations(note=note, onset=onsets, contour=contour)


def test_a_held_note_becomes_one_note_with_its_times() -> None:
    [found] = decode(activations((40, 140, 39, 0.8)))
    times = frame_times(FRAMES)
    assert found.pitch == 60
    assert found.start == pytest.approx(times[40]) and found.end == pytest.approx(times[140])
    assert found.velocity == round(127 * 0.8)
    assert set(found.bends) == {0.0}


def test_thresholds_decide_which_notes_start_and_how_long_they_last() -> None:
    quiet = activations((40, 140, 39, 0.35), onset=0.55)
    assert decode(quiet, DecodeOptions(onset_threshold=0.6, frame_threshold=0.4, melodia_trick=False)) == []
    [kept] = decode(quiet, DecodeOptions(onset_threshold=0.5, frame_threshold=0.3, melodia_trick=False))
    assert kept.pitch == 60


def test_short_notes_are_dropped_by_min_note_ms() -> None:
    short = activations((40, 46, 39, 0.8))  # 6 frames = 70 ms
    assert decode(short, DecodeOptions(min_note_ms=127.7)) == []
    assert [n.pitch for n in decode(short, DecodeOptions(min_note_ms=50.0))] == [60]


def test_frequency_band_limits_keep_only_notes_inside() -> None:
    acts = activations((40, 140, 15, 0.8), (40, 140, 39, 0.8), (40, 140, 63, 0.8))  # C3, C4, C6
    kept = decode(acts, DecodeOptions(min_freq=200.0, max_freq=600.0))
    assert [n.pitch for n in kept] == [60]
    assert hz_to_key(261.63) == 39


def test_melodia_trick_finds_notes_without_an_onset() -> None:
    acts = activations((40, 140, 39, 0.8))
    acts.onset[:] = 0.0
    assert decode(acts, DecodeOptions(melodia_trick=False)) == []
    [found] = decode(acts, DecodeOptions(melodia_trick=True))
    assert found.pitch == 60 and found.duration > 1.0


def test_a_gap_longer_than_the_tolerance_ends_a_note_and_the_jump_starts_another() -> None:
    acts = activations((40, 100, 39, 0.8))
    acts.note[115:160, 39] = 0.8  # 15 frames of silence, then the key sounds again without an onset
    acts.contour[115:160, 3 * 39] = 0.8
    times = frame_times(FRAMES)
    first, second = sorted(decode(acts, DecodeOptions(melodia_trick=False)), key=lambda n: n.start)
    assert first.end == pytest.approx(times[100])
    assert second.start == pytest.approx(times[115])  # an onset inferred from the jump in activation


def test_a_short_dip_does_not_end_a_note() -> None:
    acts = activations((40, 160, 39, 0.8))
    # 8 frames below the frame threshold (fewer than the 11 that end a note), and a rise back too
    # small to read as a new onset
    acts.note[100:108, 39] = 0.3
    [found] = decode(acts, DecodeOptions(onset_threshold=0.6, frame_threshold=0.4, melodia_trick=False))
    assert found.end == pytest.approx(frame_times(FRAMES)[160])


def test_pitch_bends_follow_the_contour() -> None:
    acts = activations((40, 140, 39, 0.8))
    acts.contour[90:140, 3 * 39] = 0.0
    acts.contour[90:140, 3 * 39 + 1] = 0.8  # a third of a semitone sharp in the second half
    [found] = decode(acts)
    assert found.bends[0] == 0.0 and found.bends[-1] == pytest.approx(1 / 3)


def test_inferred_onsets_leave_silence_alone() -> None:
    silent = np.zeros((50, 88))
    assert np.array_equal(inferred_onsets(silent, silent), silent)
    assert decode(Activations(silent, silent, np.zeros((50, 264)))) == []
