"""Beat grid, bar lines, quantizing, and the key of a set of notes."""

from __future__ import annotations

import numpy as np
import pytest

from mixdown.engines.transcription import Grid, Key, Note, estimate_key, quantize
from mixdown.engines.transcription.grid import bar_lines, beat_track, settle_octave
from mixdown.engines.transcription.key import bass_notes
from mixdown.engines.transcription.notes import tidy


def clicks(bpm: float, seconds: float, *, first: float = 0.0, rate: int = 22050) -> np.ndarray:
    """Short noise bursts on every beat, accented on every fourth."""
    rng = np.random.default_rng(0)
    out = np.zeros(round(seconds * rate), dtype=np.float32)
    for i, at in enumerate(np.arange(first, seconds - 0.1, 60.0 / bpm)):
        burst = rng.standard_normal(400) * np.exp(-np.arange(400) / 80) * (0.6 if i % 4 == 0 else 0.3)
        out[round(at * rate) : round(at * rate) + 400] += burst.astype(np.float32)
    return out


@pytest.mark.parametrize(("bpm", "first"), [(120.0, 0.0), (97.0, 0.31), (140.0, 0.2)])
def test_beat_track_finds_tempo_and_phase(bpm: float, first: float) -> None:
    found, phase = beat_track(clicks(bpm, 12.0, first=first), 22050)
    assert found == pytest.approx(bpm, rel=0.01)
    period = 60.0 / bpm
    assert abs((phase - first + period / 2) % period - period / 2) < 0.02


def test_settle_octave_doubles_a_tempo_read_at_half_when_notes_move_in_32nds() -> None:
    sixteenths_at_150 = [Note(0.1 * i, 0.1 * i + 0.09, 60 + i % 5, 0.5) for i in range(64)]
    assert settle_octave(sixteenths_at_150, 75.0) == 150.0
    assert settle_octave(sixteenths_at_150, 150.0) == 150.0
    quarters = [Note(0.5 * i, 0.5 * i + 0.4, 60, 0.5) for i in range(32)]
    assert settle_octave(quarters, 120.0) == 120.0


def waltz(bars: int, bpm: float, first_downbeat: float) -> list[Note]:
    """3/4: a bass note on each downbeat, chords on beats 2 and 3, harmony changing every bar."""
    beat = 60.0 / bpm
    roots = [48, 53, 55, 48]
    notes = []
    for bar in range(bars):
        t0 = first_downbeat + bar * 3 * beat
        root = roots[bar % 4]
        notes.append(Note(t0, t0 + 3 * beat, root - 12, 0.8))
        for k in (1, 2):
            notes += [Note(t0 + k * beat, t0 + (k + 0.8) * beat, root + i, 0.4) for i in (12, 16, 19)]
    return notes


def test_bar_lines_find_three_beats_and_the_downbeat() -> None:
    bpm, beat = 120.0, 0.5
    grid = bar_lines(waltz(8, bpm, first_downbeat=1.0), bpm, first_beat=0.0, duration=14.0)
    assert grid.beats_per_bar == 3
    # bar 1 starts at or before 0 s, on the grid of the downbeat at 1.0 s: -0.5 s
    assert grid.origin == pytest.approx(1.0 - 3 * beat)


def test_quantize_snaps_to_the_grid_with_no_empty_or_overlapping_notes() -> None:
    grid = Grid(bpm=100.0, origin=-0.2)
    step = grid.period / 4
    played = [
        Note(0.013, 0.29, 60, 0.5),
        Note(0.61, 0.62, 64, 0.5),  # very short: must last one step
        Note(0.31, 0.9, 60, 0.5),  # overlaps the first C once snapped
        Note(0.32, 0.5, 60, 0.4),  # lands on the same step as the one before
    ]
    snapped = quantize(played, grid, steps_per_beat=4)
    for note in snapped:
        for edge in (note.start, note.end):
            position = (edge - grid.origin) / step
            assert position == pytest.approx(round(position), abs=1e-9)
        assert note.end - note.start >= step - 1e-9
    cs = sorted((n for n in snapped if n.pitch == 60), key=lambda n: n.start)
    assert len(cs) == 2 and cs[0].end <= cs[1].start + 1e-9
    short = next(n for n in snapped if n.pitch == 64)
    assert short.end - short.start == pytest.approx(step)


def test_quantize_triplet_grid() -> None:
    grid = Grid(bpm=120.0, origin=0.0)
    [note] = quantize([Note(0.17, 0.5, 60, 0.5)], grid, steps_per_beat=3)
    assert note.start == pytest.approx(1 / 6) and note.end == pytest.approx(0.5)


def test_tidy_cuts_a_note_held_into_the_next_strike_of_its_key() -> None:
    a, b = Note(0.0, 1.0, 60, 0.5, bends=(0.0,) * 10), Note(0.5, 1.5, 60, 0.5)
    first, second = tidy([b, a])
    assert (first.start, first.end, second.start) == (0.0, 0.5, 0.5)
    assert len(first.bends) == 5


def scale_notes(tonic: int, steps: tuple[int, ...], bass: tuple[int, ...]) -> list[Note]:
    notes = [Note(0.25 * i, 0.25 * i + 0.25, 60 + tonic + s, 0.5) for i, s in enumerate(steps)]
    notes += [Note(2.0 * i, 2.0 * i + 2.0, 36 + tonic + b, 0.5) for i, b in enumerate(bass)]
    return notes


@pytest.mark.parametrize(
    ("tonic", "mode", "steps", "name", "midi"),
    [
        (0, "major", (0, 2, 4, 5, 7, 9, 11, 12, 7, 4, 0), "C major", "C"),
        (3, "major", (0, 2, 4, 5, 7, 9, 11, 12, 7, 4, 0), "Eb major", "Eb"),
        (9, "minor", (0, 2, 3, 5, 7, 8, 11, 12, 7, 3, 0), "A minor", "Am"),
        (6, "minor", (0, 2, 3, 5, 7, 8, 11, 12, 7, 3, 0), "F# minor", "F#m"),
    ],
)
def test_key_of_a_scale_over_tonic_and_dominant_bass(
    tonic: int, mode: str, steps: tuple[int, ...], name: str, midi: str
) -> None:
    key = estimate_key(scale_notes(tonic, steps, bass=(0, 7, 0)))
    assert key is not None
    assert (key.tonic, key.mode, key.name, key.midi_name) == (tonic, mode, name, midi)
    assert key.confidence > 0


def test_no_notes_no_key_and_the_lowest_note_is_the_bass() -> None:
    assert estimate_key([]) is None
    assert Key(1, "major", 0.0).midi_name == "Db"
    flags = bass_notes([Note(0.0, 2.0, 48, 0.5), Note(0.0, 1.0, 64, 0.5), Note(1.5, 2.0, 40, 0.5)])
    assert flags == [True, False, True]
