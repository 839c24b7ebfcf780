"""Sentence splitting and pauses: abbreviations, numbers, initials, quotes, paragraphs."""

from __future__ import annotations

import pytest

from mixdown.engines.tts.text import PAUSES, ascii_text, split_chunks, split_long, split_sentences


def texts(text: str) -> list[str]:
    return [sentence for sentence, _ in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dr. Smith arrived. He sat down.", ["Dr. Smith arrived.", "He sat down."]),
        ("Mr. and Mrs. Jones met Prof. Lee.", ["Mr. and Mrs. Jones met Prof. Lee."]),
        ("Pi is 3.14159. E is 2.718.", ["Pi is 3.14159.", "E is 2.718."]),
        ("It cost $3.50. Then it rose.", ["It cost $3.50.", "Then it rose."]),
        ("J. R. R. Tolkien wrote it.", ["J. R. R. Tolkien wrote it."]),
        (
            "Fruit, e.g. apples, is good. So is the U.S. Army.",
            ["Fruit, e.g. apples, is good.", "So is the U.S. Army."],
        ),
        (
            "See No. 5 and Fig. 2 now. The answer is no. Fine.",
            ["See No. 5 and Fig. 2 now.", "The answer is no.", "Fine."],
        ),
        (
            "We met at 10 a.m. The talk ended at 5 p.m. and we left.",
            ["We met at 10 a.m.", "The talk ended at 5 p.m. and we left."],
        ),
        ("Apples, pears, etc. are fruit.", ["Apples, pears, etc. are fruit."]),
        ("Wait... what? Oh!", ["Wait... what?", "Oh!"]),
        ("It ended... Then silence.", ["It ended...", "Then silence."]),
        ('"Wow!" she said. "Really?" He nodded.', ['"Wow!" she said.', '"Really?"', "He nodded."]),
        ("Why?! Because.", ["Why?!", "Because."]),
        ("No final stop here", ["No final stop here"]),
        ("Prices rose 5.2% in 2020. Then fell.", ["Prices rose 5.2% in 2020.", "Then fell."]),
    ],
)
def test_sentences_keep_abbreviations_numbers_and_initials_together(text: str, expected: list[str]) -> None:
    assert texts(text) == expected


def test_each_sentence_reports_its_ending() -> None:
    endings = [ending for _, ending in split_sentences("One. Two! Three? Four... five. Six")]
    assert endings == [".", "!", "?", ".", ""]


def test_pauses_follow_punctuation_and_paragraphs_are_longest() -> None:
    chunks = split_chunks("First sentence. A question? More.\n\nNew paragraph! Last one.")
    assert [c.text for c in chunks] == [
        "First sentence.",
        "A question?",
        "More.",
        "New paragraph!",
        "Last one.",
    ]
    assert [c.pause for c in chunks] == [
        PAUSES["."],
        PAUSES["?"],
        PAUSES["paragraph"],
        PAUSES["!"],
        PAUSES["paragraph"],
    ]
    assert [c.paragraph for c in chunks] == [0, 0, 0, 1, 1]
    assert PAUSES["paragraph"] > PAUSES["?"] > PAUSES["."] > PAUSES[","]


def test_a_heading_line_is_its_own_chunk_but_wrapped_prose_is_joined() -> None:
    heading = split_chunks("Chapter One\nIt was a dark night.")
    assert [(c.text, c.pause) for c in heading] == [
        ("Chapter One", PAUSES["line"]),
        ("It was a dark night.", PAUSES["paragraph"]),
    ]
    wrapped = split_chunks("This sentence was wrapped by an editor at some column\nand it carries on here.")
    assert [c.text for c in wrapped] == [
        "This sentence was wrapped by an editor at some column and it carries on here."
    ]


def test_list_items_are_separate_chunks() -> None:
    chunks = split_chunks("Shopping:\n- eggs\n- milk")
    assert [c.text for c in chunks] == ["Shopping:", "- eggs", "- milk"]


def test_long_sentences_are_cut_at_the_strongest_break_within_the_limit() -> None:
    sentence = "word " * 30 + "; " + "more, " * 20 + "end"
    pieces = split_long(sentence, max_chars=160)
    assert all(len(text) <= 160 for text, _ in pieces)
    assert pieces[0][1] == ";"
    assert " ".join(text for text, _ in pieces).split() == sentence.split()
    no_breaks = split_long("x" * 50 + " " + "y" * 50, max_chars=60)
    assert [text for text, _ in no_breaks] == ["x" * 50, "y" * 50]


def test_chunks_never_exceed_the_limit_and_lose_no_words() -> None:
    text = (
        "The committee, after a long and winding discussion that lasted well into the night, " * 8
    ).strip()
    chunks = split_chunks(text, max_chars=120)
    assert all(len(c.text) <= 120 for c in chunks)
    assert " ".join(c.text for c in chunks).split() == text.split()
    assert chunks[0].pause == PAUSES[","]


def test_nothing_speakable_gives_no_chunks() -> None:
    assert split_chunks("  ... !!! \n\n -- ") == []
    assert split_chunks("") == []


def test_ascii_text_keeps_words_readable_for_english_only_engines() -> None:
    assert ascii_text("Café “Zoë” — naïve…") == 'Cafe "Zoe" ,  naive...'
    assert ascii_text("日本") == ""
