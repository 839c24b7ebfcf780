"""Pronunciations, rhymes and syllables from CMUdict; the word bank and its data files."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest

from mixdown.engines.lyrics.bank import Template, build_bank, data_lines, ing_form, word_bank
from mixdown.engines.lyrics.pronounce import Pronouncer, guess_stressed, pronouncer, rhyme_part, words_of
from mixdown.engines.lyrics.theme import bank_vectors


@pytest.fixture(scope="module")
def cmu() -> Pronouncer:
    return pronouncer()


@pytest.mark.parametrize(
    ("word", "syllables"),
    [("night", 1), ("fire", 2), ("desire", 3), ("beautiful", 3), ("revolution", 4), ("I'm", 1)],
)
def test_syllables_are_the_vowels_of_the_first_pronunciation(
    cmu: Pronouncer, word: str, syllables: int
) -> None:
    assert cmu.syllables(word) == syllables


@pytest.mark.parametrize(
    ("first", "second", "rhyme"),
    [
        ("night", "light", True),
        ("fire", "desire", True),  # from the stressed AY on: AY ER
        ("water", "daughter", True),
        ("city", "pretty", True),
        ("love", "move", False),  # eye rhyme only
        ("wide", "behind", False),  # slant rhyme only
        ("city", "free", False),  # the stress is on "ci", not on the last vowel
        ("night", "night", False),  # the same word is no rhyme
        ("live", "give", True),  # one of live's two pronunciations
        ("live", "drive", True),
    ],
)
def test_rhymes_run_from_the_last_stressed_vowel(
    cmu: Pronouncer, first: str, second: str, rhyme: bool
) -> None:
    assert cmu.rhymes(first, second) is rhyme


def test_unknown_words_get_a_stressed_guess(cmu: Pronouncer) -> None:
    assert not cmu.known("zorblatch")
    assert cmu.syllables("zorblatch") == 2 and cmu.rhymes("zorblatch", "batch")
    assert guess_stressed("blorpy")[-1] == "IY0"  # a final -y is unstressed
    assert rhyme_part(guess_stressed("blorpy")) == "AA R P IY"


def test_lines_split_into_words_with_contractions(cmu: Pronouncer) -> None:
    assert words_of("I’m runnin' down-town, 99 times!") == ["i'm", "runnin", "down", "town", "times"]
    assert words_of("Don't let go") == ["don't", "let", "go"]
    assert words_of("down-town") == ["down", "town"]
    assert cmu.line_syllables("The summer sun is shining bright") == 8


def test_the_dictionary_is_cmudict_with_stress(cmu: Pronouncer) -> None:
    assert len(cmu) > 120_000
    assert cmu.pronunciations("fire")[0] == ("F", "AY1", "ER0")


def test_every_bank_word_and_template_word_is_in_cmudict(cmu: Pronouncer) -> None:
    for name in ("nouns.txt", "adjectives.txt", "verbs.txt"):
        missing = [line for line in data_lines(name) if not cmu.known(line.split()[0])]
        assert not missing, (name, missing)
    fixed = {
        word
        for name in ("templates.txt", "openers.txt")
        for line in data_lines(name)
        for token in Template.parse(line, opener=name == "openers.txt").tokens
        if token.kind != "slot"
        for word in words_of(token.text)
    }
    assert fixed and all(cmu.known(word) for word in fixed), [w for w in fixed if not cmu.known(w)]


def test_the_bank_fills_every_slot_and_has_rhyme_families() -> None:
    bank = word_bank()
    sizes = {slot: len(words) for slot, words in bank.by_slot.items()}
    assert sizes["n"] >= 450 and sizes["a"] >= 180 and sizes["vt"] >= 100 and sizes["ing"] >= 80, sizes
    families = {key: {w.text for w in words} for key, words in bank.families.items()}
    assert families["AY T"] >= {"night", "light", "tonight", "bright"}
    assert sum(len(texts) >= 4 for texts in families.values()) >= 50
    assert all(w.clear_rhyme for words in bank.families.values() for w in words)
    assert {t.end_slot for t in bank.templates} == {"n", "ap", "vi", "vt", "ing"}
    alone = [w.slot for w in bank.words if w.text == "alone"]
    assert alone == ["ap"]  # "I am alone", never "the alone night"


@pytest.mark.parametrize(
    ("verb", "form"),
    [
        ("run", "running"),
        ("dance", "dancing"),
        ("lie", "lying"),
        ("forget", "forgetting"),
        ("open", "opening"),
        ("see", "seeing"),
        ("glow", "glowing"),
        ("travel", "traveling"),
    ],
)
def test_ing_forms(cmu: Pronouncer, verb: str, form: str) -> None:
    assert ing_form(verb, cmu) == form


def test_templates_must_end_in_a_slot_and_openers_in_a_comma() -> None:
    with pytest.raises(ValueError, match="must end with a slot"):
        Template.parse("I {vt} the night")
    with pytest.raises(ValueError, match="unknown slot"):
        Template.parse("I {verb}")
    with pytest.raises(ValueError, match="comma"):
        Template.parse("in the {n}", opener=True)
    assert Template.parse("[oh] {a} {n}").after(Template.parse("when we {vi} ,", opener=True)).end_slot == "n"


def test_the_shipped_vectors_cover_the_bank_and_match_the_model() -> None:
    """The vectors file is rebuilt with ``python -m mixdown.engines.lyrics.theme`` when words change."""
    from mixdown.engines.text_embedding import embed

    words, vectors = bank_vectors()
    assert list(words) == word_bank().lemmas
    sample = [words[i] for i in range(0, len(words), 97)]
    fresh = embed(sample)
    stored = vectors[[words.index(w) for w in sample]]
    assert np.min(np.sum(fresh * stored, axis=1)) > 0.999


def test_a_bank_from_another_dictionary_skips_unknown_words() -> None:
    tiny = Pronouncer({"night": "N AY1 T", "light": "L AY1 T", "run": "R AH1 N", "running": "R AH1 N IH0 NG"})
    bank = build_bank(tiny)
    assert {w.text for w in bank.words} == {"night", "light", "run", "running"}


@pytest.mark.parametrize("module", ["pronounce", "bank", "structure", "grammar", "song", "chat"])
def test_docstring_examples(module: str) -> None:
    result = doctest.testmod(importlib.import_module(f"mixdown.engines.lyrics.{module}"))
    assert result.attempted and not result.failed
