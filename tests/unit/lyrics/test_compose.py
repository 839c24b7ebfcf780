"""The embedded writer: every scheme, length and structure met, on theme, deterministic in its seed."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from mixdown.engines.lyrics.bank import word_bank
from mixdown.engines.lyrics.check import Expected, check_song
from mixdown.engines.lyrics.compose import Request, write_song
from mixdown.engines.lyrics.pronounce import pronouncer, words_of
from mixdown.engines.lyrics.song import Song
from mixdown.engines.lyrics.structure import DEFAULT_STRUCTURE, parse_structure
from mixdown.engines.lyrics.theme import Theme, theme_of

SEA = ("ocean", "sea", "wave", "shore", "tide", "surf", "beach", "coast", "sail", "harbor", "whale", "shell")
SPACE = ("planet", "galaxy", "rocket", "comet", "orbit", "cosmos", "star", "moon", "gravity", "satellite")


def fixed_theme(favourites: tuple[str, ...]) -> Theme:
    """A theme twin: the favourite words close to the prompt, every other word far."""
    return Theme({lemma: 0.7 if lemma in favourites else 0.1 for lemma in word_bank().lemmas})


def write(
    kinds: tuple[str, ...],
    scheme: str,
    lines: int,
    syllables: int,
    *,
    seed: int = 1,
    theme: Theme | None = None,
) -> tuple[Song, dict[str, Any]]:
    request = Request(prompt="-", kinds=kinds, scheme=scheme, lines=lines, syllables=syllables, seed=seed)
    song = write_song(request, theme=theme or fixed_theme(SEA), bank=word_bank(), dictionary=pronouncer())
    report = check_song(
        song, Expected(kinds=kinds, scheme=scheme, lines=lines, syllables=syllables), pronouncer()
    )
    return song, report


@pytest.mark.parametrize("scheme", ["AABB", "ABAB", "ABCB", "AAAA", "ABBA", "AABBA"])
@pytest.mark.parametrize("syllables", [4, 7, 10, 16])
def test_every_scheme_and_length_is_met_exactly(scheme: str, syllables: int) -> None:
    song, report = write(DEFAULT_STRUCTURE, scheme, len(scheme), syllables, seed=syllables)
    assert report["ok"], report["problems"]
    assert report["max_syllable_deviation"] <= 1
    assert [s.tag for s in song.sections] == ["Verse 1", "Chorus", "Verse 2", "Chorus", "Bridge", "Chorus"]


def test_long_sections_repeat_the_scheme_with_fresh_rhymes() -> None:
    _, report = write(("verse", "chorus"), "ABAB", 12, 9)
    assert report["ok"], report["problems"]
    verse = report["sections"][0]
    assert verse["scheme"] == "ABABCDCDEFEF"
    sounds = [line["rhyme_sound"] for line in verse["lines"]]
    assert len(set(sounds)) == 6  # six rhyme pairs, none sharing a sound


def test_every_section_kind_and_a_chorus_sung_three_times() -> None:
    kinds = parse_structure("intro-verse-pre-chorus-chorus-verse-pre-chorus-chorus-bridge-chorus-outro")
    song, report = write(kinds, "AABB", 4, 8)
    assert report["ok"], report["problems"]
    tags = [s.tag for s in song.sections]
    assert tags[:4] == ["Intro", "Verse 1", "Pre-Chorus 1", "Chorus"] and tags[-1] == "Outro"
    choruses = {s.lines for s in song.sections if s.kind == "chorus"}
    assert len(choruses) == 1
    others = [line for s in song.sections if s.kind != "chorus" for line in s.lines]
    assert len(others) == len(set(others)) == 28


def test_the_same_seed_writes_the_same_song_and_another_seed_another() -> None:
    first, _ = write(DEFAULT_STRUCTURE, "ABAB", 4, 8, seed=7)
    again, _ = write(DEFAULT_STRUCTURE, "ABAB", 4, 8, seed=7)
    other, _ = write(DEFAULT_STRUCTURE, "ABAB", 4, 8, seed=8)
    assert first.text() == again.text() and first.text() != other.text()


def content_words(text: str, vocabulary: tuple[str, ...]) -> int:
    counts = Counter(words_of(text))
    return sum(counts[w] for w in vocabulary)


def test_the_theme_decides_the_words() -> None:
    sea, _ = write(DEFAULT_STRUCTURE, "AABB", 4, 8, theme=fixed_theme(SEA))
    space, _ = write(DEFAULT_STRUCTURE, "AABB", 4, 8, theme=fixed_theme(SPACE))
    assert content_words(sea.text(), SEA) >= 12 and content_words(sea.text(), SPACE) <= 2
    assert content_words(space.text(), SPACE) >= 12 and content_words(space.text(), SEA) <= 2


def test_the_prompt_chooses_the_theme_by_embedding_similarity() -> None:
    sea = theme_of("waves crashing on the shore at night")
    space = theme_of("an astronaut drifting between the planets")
    assert set(SEA) & {word for word, _ in sea.top(12)}
    assert set(SPACE) & {word for word, _ in space.top(12)}
    song, report = write(DEFAULT_STRUCTURE, "ABAB", 4, 8, theme=space)
    assert report["ok"] and content_words(song.text(), SPACE) > content_words(song.text(), SEA)


def test_lines_never_pair_words_of_one_stem() -> None:
    song, _ = write(
        DEFAULT_STRUCTURE, "AABB", 8, 12, theme=fixed_theme(("sun", "sunny", "sunshine", "rain", "rainy"))
    )
    for line in (line for s in song.sections for line in s.lines):
        words = words_of(line)
        assert not ({"sun", "sunny"} <= set(words) or {"rain", "rainy"} <= set(words)), line
