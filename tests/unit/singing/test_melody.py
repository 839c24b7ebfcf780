"""Lines onto bars and sections, and the melody: rhythm, register, notes in the chord and the key."""

from __future__ import annotations

import itertools

import numpy as np

from mixdown.engines.keybpm.chords import ChordSpan
from mixdown.engines.singing.instrumental import Bar, Instrumental
from mixdown.engines.singing.lyrics import parse_line, parse_lyrics
from mixdown.engines.singing.melody import compose_melody, rhythm
from mixdown.engines.singing.placement import line_syllables, place_lines, units_needed
from mixdown.engines.singing.structure import AudioSection
from mixdown.engines.singing.style import SingingStyle
from tests.singing_audio import analysed, backing, chord_quality

LYRICS = """[Verse]
Walking down the empty street tonight
Every window shining bright
[Chorus]
Hold me close and never let me go
Sing it loud so everyone will know
"""


def grid_song(
    bars: int = 16, *, sections: tuple[AudioSection, ...] = (), chords: tuple[ChordSpan, ...] = ()
) -> Instrumental:
    """A 120 bpm 4/4 song with ``bars`` bars of 2 s."""
    made = tuple(Bar(tuple(2.0 * i + 0.5 * k for k in range(4)), 2.0 * i + 2.0) for i in range(bars))
    return Instrumental(
        2.0 * bars, 120.0, 4, 0, "major", made, chords, sections or (AudioSection(0, bars, -15.0),)
    )


def test_sections_start_on_audio_sections_and_choruses_take_the_loud_ones() -> None:
    sections = (
        AudioSection(0, 4, -24.0),
        AudioSection(4, 4, -16.0),
        AudioSection(8, 4, -12.0),
        AudioSection(12, 4, -16.0),
    )
    placed, warnings = place_lines(parse_lyrics(LYRICS), grid_song(sections=sections))
    assert warnings == []
    assert [(p.kind, p.start_bar, p.bar_count) for p in placed] == [
        ("verse", 4, 2),
        ("verse", 6, 2),
        ("chorus", 8, 2),
        ("chorus", 10, 2),
    ]  # the quiet intro is skipped, the chorus lands on the loudest section
    assert [p.number for p in placed] == [0, 1, 2, 3]


def test_lines_that_do_not_fit_are_dropped_with_a_warning() -> None:
    placed, warnings = place_lines(parse_lyrics(LYRICS), grid_song(bars=5))
    assert [p.start_bar for p in placed] == [0, 2]
    assert warnings == ["2 lyric line(s) did not fit in the instrumental and were not sung"]


def test_an_instrumental_tag_leaves_bars_free_and_long_lines_take_more_bars() -> None:
    long_line = (
        "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"
    )
    placed, _ = place_lines(parse_lyrics(f"La la la\n[Instrumental]\n[Verse]\n{long_line}"), grid_song())
    assert [(p.start_bar, p.bar_count) for p in placed] == [(0, 2), (6, 4)]
    assert units_needed(len(line_syllables(parse_line(long_line))), 8) == 2


def test_rhythm_fills_the_line_and_puts_stresses_on_beats() -> None:
    slots = line_syllables(parse_line("Walking down the empty street tonight"))
    steps = rhythm(slots, 16, 2, long_notes=False)
    assert [onset for onset, _ in steps] == sorted(onset for onset, _ in steps)
    assert all(a + la == b for (a, la), (b, _) in itertools.pairwise(steps))  # legato, no gaps
    assert steps[-1][0] + steps[-1][1] == 15  # half a beat of breath at the end
    stressed = [onset for (onset, _), s in zip(steps, slots, strict=True) if s.syllable.stressed]
    assert sum(onset % 2 == 0 for onset in stressed) >= len(stressed) - 1
    dense = rhythm(line_syllables(parse_line(" ".join(["la"] * 28))), 32, 4, long_notes=False)
    assert sum(length for _, length in dense) == 30 and max(length for _, length in dense[:-1]) <= 2


def test_every_note_is_in_its_chord_or_the_key_and_in_the_register() -> None:
    chords = (
        ChordSpan(0.0, 4.0, 0, "major"),
        ChordSpan(4.0, 8.0, 9, "minor"),
        ChordSpan(8.0, 12.0, 5, "major"),
        ChordSpan(12.0, 32.0, 7, "major"),
    )
    song = grid_song(chords=chords)
    placed, _ = place_lines(parse_lyrics(LYRICS), song)
    for gender, (low, high) in (("female", (57, 74)), ("male", (45, 62))):
        notes = compose_melody(placed, song, SingingStyle(), gender, seed=5)
        assert len(notes) == sum(len(p.syllables) for p in placed)
        for note in notes:
            chord = song.chord_at(note.start + 0.01)
            assert low <= note.midi <= high
            assert note.midi % 12 in set(chord) | {0, 2, 4, 5, 7, 9, 11}
            if note.strong:
                assert note.midi % 12 in chord
        leaps = np.abs(np.diff([n.midi for n in notes if n.line == 0]))
        assert leaps.max() <= 9 and np.mean(leaps <= 4) >= 0.7


def test_the_same_line_on_the_same_chords_gets_the_same_tune() -> None:
    song = grid_song()
    placed, _ = place_lines(
        parse_lyrics("[Chorus]\nHold me close\nSomething else entirely\nHold me close"), song
    )
    notes = compose_melody(placed, song, SingingStyle(), "female", seed=9)
    first, third = ([n.midi for n in notes if n.line == k] for k in (0, 2))
    assert first == third
    other = compose_melody(placed, song, SingingStyle(), "female", seed=10)
    assert [n.midi for n in other] != [n.midi for n in notes]


def test_a_melody_on_an_analysed_backing_fits_the_scores_real_chords() -> None:
    track, found = backing("pop", 24.0, 3, 9), analysed("pop", 24.0, 3, 9)
    placed, _ = place_lines(parse_lyrics(LYRICS), found)
    notes = compose_melody(placed, found, SingingStyle(), "female", seed=2)
    assert notes and notes[-1].end <= found.duration
    strong = [n for n in notes if n.strong]
    fits = 0
    for note in strong:
        event = next(c for c in track.score.chords if c.start <= note.start + 0.05 < c.end)
        triad = {
            event.root,
            (event.root + (3 if chord_quality(event.pitches, event.root) == "minor" else 4)) % 12,
            (event.root + 7) % 12,
        }
        fits += note.midi % 12 in triad
    assert fits / len(strong) >= 0.85
    key = {(track.score.key_tonic + step) % 12 for step in (0, 2, 4, 5, 7, 9, 11)}
    assert np.mean([n.midi % 12 in key for n in notes]) >= 0.9


def test_long_notes_style_gives_every_syllable_a_beat_where_there_is_room() -> None:
    slots = line_syllables(parse_line("oh my love"))
    assert rhythm(slots, 16, 2, long_notes=False) == [(0, 3), (3, 1), (4, 11)]
    assert rhythm(slots, 16, 2, long_notes=True) == [(0, 4), (4, 2), (6, 9)]
