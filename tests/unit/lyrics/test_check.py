"""The check report: structure, rhyme scheme, syllables and repeats of hand-written songs."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mixdown.engines.lyrics.check import Expected, check_song
from mixdown.engines.lyrics.pronounce import Pronouncer, pronouncer
from mixdown.engines.lyrics.song import Section, Song
from tests.lyrics_songs import CHORUS, KINDS, VERSE_1, good_song

EXPECTED = Expected(kinds=KINDS, scheme="AABB", lines=4, syllables=8)


@pytest.fixture(scope="module")
def cmu() -> Pronouncer:
    return pronouncer()


def with_section(song: Song, index: int, lines: tuple[str, ...]) -> Song:
    sections = list(song.sections)
    sections[index] = replace(sections[index], lines=lines)
    return Song(tuple(sections))


def test_a_song_that_meets_the_request_passes_every_check(cmu: Pronouncer) -> None:
    report = check_song(good_song(), EXPECTED, cmu)
    assert report["ok"] and report["problems"] == []
    assert report["max_syllable_deviation"] == 1  # "Our hearts are open to the breeze": 9
    verse = report["sections"][0]
    assert verse["scheme"] == "AABB" and verse["rhyme_ok"] is True
    assert [line["syllables"] for line in verse["lines"]] == [8, 8, 8, 8]
    assert [line["rhyme_sound"] for line in verse["lines"]] == ["AY T", "AY T", "AW D", "AW D"]
    assert [line["end_word"] for line in verse["lines"]] == ["bright", "tonight", "loud", "crowd"]


def test_the_same_song_fails_other_schemes_by_line_pair(cmu: Pronouncer) -> None:
    report = check_song(good_song(), replace(EXPECTED, scheme="ABAB"), cmu)
    assert not report["ok"] and report["rhyme_scheme_ok"] is False and report["syllables_ok"] is True
    assert "Verse 1: lines 1 and 3 should rhyme ('bright' / 'loud')" in report["problems"]
    assert "Verse 1: lines 1 and 2 should not rhyme ('bright' / 'tonight')" in report["problems"]


def test_a_slant_rhyme_or_the_same_word_twice_is_no_rhyme(cmu: Pronouncer) -> None:
    slant = with_section(good_song(), 0, (*VERSE_1[:3], "We sing together all behind"))
    assert (
        "Verse 1: lines 3 and 4 should rhyme ('loud' / 'behind')"
        in check_song(slant, EXPECTED, cmu)["problems"]
    )
    same = with_section(good_song(), 0, (*VERSE_1[:3], "And then we shouted it out loud"))
    assert (
        "Verse 1: lines 3 and 4 should rhyme ('loud' / 'loud')" in check_song(same, EXPECTED, cmu)["problems"]
    )


def test_lines_off_the_syllable_target_are_named(cmu: Pronouncer) -> None:
    long_line = with_section(good_song(), 0, (*VERSE_1[:3], "We sing together with the happy shouting crowd"))
    report = check_song(long_line, EXPECTED, cmu)
    assert report["syllables_ok"] is False and report["max_syllable_deviation"] == 4
    assert report["problems"] == ["Verse 1 line 4: 12 syllables (target 8 ± 1)"]
    assert check_song(long_line, replace(EXPECTED, tolerance=4), cmu)["ok"]


def test_repeated_verse_lines_and_a_changed_chorus_are_problems(cmu: Pronouncer) -> None:
    repeated = with_section(good_song(), 2, (VERSE_1[0], *good_song().sections[2].lines[1:]))
    report = check_song(repeated, EXPECTED, cmu)
    assert report["no_repeated_lines"] is False
    assert f"Verse 2: the line {VERSE_1[0]!r} is sung twice" in report["problems"]
    borrowed = with_section(good_song(), 2, (CHORUS[0], *good_song().sections[2].lines[1:]))
    assert check_song(borrowed, EXPECTED, cmu)["no_repeated_lines"] is False
    changed = with_section(good_song(), 3, (*CHORUS[:3], "We never needed something more"))
    report = check_song(changed, EXPECTED, cmu)
    assert report["chorus_repeated"] is False and "the chorus is not the same each time" in report["problems"]


def test_missing_sections_and_line_counts_fail_the_structure(cmu: Pronouncer) -> None:
    short = Song(good_song().sections[:3])
    report = check_song(short, EXPECTED, cmu)
    assert report["structure_ok"] is False
    assert report["problems"][0] == "sections are verse-chorus-verse, not verse-chorus-verse-chorus"
    three = with_section(good_song(), 0, VERSE_1[:3])
    assert "Verse 1: 3 lines, not 4" in check_song(three, EXPECTED, cmu)["problems"]


def test_other_languages_are_checked_for_structure_and_repeats_only(cmu: Pronouncer) -> None:
    spanish = Song((Section("verse", "Verse", ("La noche es larga", "y el mar", "canta", "sin fin")),))
    report = check_song(
        spanish, Expected(kinds=("verse",), scheme="AABB", lines=4, syllables=8, english=False), cmu
    )
    assert report["ok"] is True and report["rhyme_scheme_ok"] is None and report["syllables_ok"] is None
    assert "syllables" not in report["sections"][0]["lines"][0]
