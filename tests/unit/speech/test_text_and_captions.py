"""Pure parts of speech: text normalisation, spelling guesses, matching, segmenting, captions."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

from mixdown.engines.speech.align import join_words, line_segments, match_words, text_words
from mixdown.engines.speech.captions import CUE_CHARS, CUE_SECONDS, cues, timestamp, to_srt, to_text, to_vtt
from mixdown.engines.speech.g2p import guess_phones
from mixdown.engines.speech.segment import speech_segments
from mixdown.engines.speech.text import normalize, number_words, sphinx_word, spoken_words
from mixdown.engines.speech.transcript import Segment, Word

ARPABET = {
    "AA",
    "AE",
    "AH",
    "AO",
    "AW",
    "AY",
    "B",
    "CH",
    "D",
    "DH",
    "EH",
    "ER",
    "EY",
    "F",
    "G",
    "HH",
    "IH",
    "IY",
    "JH",
    "K",
    "L",
    "M",
    "N",
    "NG",
    "OW",
    "OY",
    "P",
    "R",
    "S",
    "SH",
    "T",
    "TH",
    "UH",
    "UW",
    "V",
    "W",
    "Y",
    "Z",
    "ZH",
}
SRT_TIME = r"\d{2}:\d{2}:\d{2},\d{3}"
VTT_TIME = r"\d{2}:\d{2}:\d{2}\.\d{3}"


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "zero"),
        (13, "thirteen"),
        (40, "forty"),
        (99, "ninety nine"),
        (100, "one hundred"),
        (2024, "two thousand twenty four"),
        (1_000_001, "one million one"),
    ],
)
def test_number_words(n: int, words: str) -> None:
    assert number_words(n) == words


def test_spoken_words_spell_numbers_and_drop_punctuation() -> None:
    assert spoken_words("Dr. Who's 2nd-best, at 9.5%!") == [
        "doctor",
        "who's",
        "two",
        "nd",
        "best",
        "at",
        "nine",
        "point",
        "five",
    ]
    assert normalize("  “Hello”  —  WORLD’s end ") == "hello world's end"
    assert spoken_words("... — !") == []


@pytest.mark.parametrize(
    ("raw", "word"), [("and(2)", "and"), ("<sil>", None), ("[NOISE]", None), ("hi", "hi")]
)
def test_sphinx_words(raw: str, word: str | None) -> None:
    assert sphinx_word(raw) == word


@pytest.mark.parametrize("word", ["zorblatch", "quixotry", "shhh", "Xyzzy", "strength", "a", "bookkeeper"])
def test_guessed_phones_are_arpabet(word: str) -> None:
    phones = guess_phones(word).split()
    assert phones and set(phones) <= ARPABET


def test_text_words_keep_spelling_and_lines() -> None:
    words = text_words("Twinkle, twinkle -\nlittle 1 star!\n\n  ")
    assert [(w.text, w.spoken, w.line) for w in words] == [
        ("Twinkle,", ("twinkle",), 0),
        ("twinkle -", ("twinkle",), 0),
        ("little", ("little",), 1),
        ("1", ("one",), 1),
        ("star!", ("star",), 1),
    ]


def _heard(*items: tuple[str, float, float]) -> list[Word]:
    return [Word(text=t, start=a, end=b) for t, a, b in items]


def test_match_words_anchors_and_fills_between() -> None:
    heard = _heard(
        ("The", 0.5, 0.7), ("birch", 0.8, 1.1), ("can", 1.2, 1.4), ("do", 1.4, 1.6), ("slid", 1.7, 2.0)
    )
    timed = match_words(["the", "birch", "canoe", "slid"], heard, 3.0)
    assert [w.text for w in timed] == ["the", "birch", "canoe", "slid"]
    flat = [t for w in timed for t in (w.start, w.end)]
    assert flat == pytest.approx([0.5, 0.7, 0.8, 1.1, 1.2, 1.6, 1.7, 2.0])


def test_match_words_spreads_unheard_text_over_the_rest() -> None:
    timed = match_words(["one", "two", "three"], _heard(("one", 0.0, 0.4)), 2.0)
    assert timed[0].start == 0.0
    starts = [w.start for w in timed]
    assert starts == sorted(starts) and timed[-1].end == pytest.approx(2.0)
    assert [w.text for w in match_words(["a", "b"], [], 1.0)] == ["a", "b"]


def test_match_words_splits_a_number_heard_as_digits() -> None:
    timed = match_words(["twenty", "one", "days"], _heard(("21", 1.0, 1.9), ("days", 2.0, 2.4)), 3.0)
    assert timed[0].start == 1.0 and timed[1].end == pytest.approx(1.9)
    assert timed[0].end == pytest.approx(timed[1].start)


def test_join_words_and_line_segments() -> None:
    given = text_words("I have 2\ncats")
    timed = _heard(("i", 0, 1), ("have", 1, 2), ("two", 2, 3), ("cats", 4, 5))
    joined = join_words(given, timed)
    assert [(w.text, w.start, w.end) for w in joined] == [
        ("I", 0, 1),
        ("have", 1, 2),
        ("2", 2, 3),
        ("cats", 4, 5),
    ]
    lines = line_segments(given, joined)
    assert [(s.text, s.start, s.end, len(s.words)) for s in lines] == [
        ("I have 2", 0, 3, 3),
        ("cats", 4, 5, 1),
    ]


def _bursts(spec: list[tuple[float, float]], rate: int = 16000) -> np.ndarray:
    """A 300 Hz tone where ``spec`` says (seconds on, seconds off)."""
    parts = []
    for on, off in spec:
        t = np.arange(round(on * rate)) / rate
        parts += [0.3 * np.sin(2 * np.pi * 300 * t), np.zeros(round(off * rate))]
    return np.concatenate(parts).astype(np.float32)


def test_segments_split_at_pauses_but_not_between_words() -> None:
    audio = _bursts([(0.8, 0.1), (0.8, 0.6), (1.0, 0.5)])  # 0.1 s is a gap inside a phrase
    ranges = speech_segments(audio, 16000)
    assert len(ranges) == 2
    (a0, b0), (a1, b1) = ranges
    assert a0 == 0 and b0 / 16000 == pytest.approx(1.7 + 0.15, abs=0.03)
    assert a1 / 16000 == pytest.approx(2.3 - 0.15, abs=0.03) and b1 / 16000 == pytest.approx(3.45, abs=0.03)


def test_long_speech_is_cut_to_max_length_and_silence_gives_nothing() -> None:
    rng = np.random.default_rng(0)
    t = np.arange(16000 * 30) / 16000
    syllables = 0.6 + 0.4 * np.sin(2 * np.pi * 4 * t)  # never a pause: only the length limit cuts
    audio = (0.2 * syllables * rng.standard_normal(len(t))).astype(np.float32)
    ranges = speech_segments(audio, 16000, max_seconds=8.0)
    assert all((b - a) / 16000 <= 8.0 + 0.31 for a, b in ranges)
    assert ranges[0][0] == 0 and ranges[-1][1] == len(audio)
    assert all(b0 <= a1 for (_, b0), (a1, _) in itertools.pairwise(ranges))
    assert speech_segments(np.zeros(16000, dtype=np.float32), 16000) == []
    assert speech_segments(np.zeros(0, dtype=np.float32), 16000) == []


@pytest.mark.parametrize(
    ("seconds", "srt", "vtt"),
    [
        (0, "00:00:00,000", "00:00:00.000"),
        (61.2345, "00:01:01,234", "00:01:01.234"),
        (36000, "10:00:00,000", "10:00:00.000"),
    ],
)
def test_timestamps(seconds: float, srt: str, vtt: str) -> None:
    assert timestamp(seconds, separator=",") == srt and timestamp(seconds, separator=".") == vtt


def _long_segment() -> Segment:
    words = tuple(Word(text=f"word{i}", start=i * 0.5, end=i * 0.5 + 0.4) for i in range(40))
    return Segment(start=0.0, end=19.9, text=" ".join(w.text for w in words), words=words)


def test_long_segments_split_into_cues_that_fit() -> None:
    segs = [Segment(start=0.0, end=1.0, text="Short one."), _long_segment()]
    made = cues(segs)
    assert made[0].text == "Short one." and len(made) > 3
    for cue in made[1:]:
        assert len(cue.text) <= CUE_CHARS and cue.end - cue.start <= CUE_SECONDS
    assert " ".join(c.text for c in made[1:]) == segs[1].text
    assert all(a.end <= b.start for a, b in itertools.pairwise(made))


def test_srt_is_well_formed() -> None:
    srt = to_srt([Segment(start=0.5, end=2.0, text="Hello there."), _long_segment()])
    blocks = srt.strip().split("\n\n")
    for index, block in enumerate(blocks, start=1):
        lines = block.split("\n")
        assert lines[0] == str(index)
        assert re.fullmatch(f"{SRT_TIME} --> {SRT_TIME}", lines[1])
        assert 1 <= len(lines[2:]) <= 2 and all(0 < len(line) <= 42 for line in lines[2:])
    assert srt.endswith("\n") and to_srt([]) == ""


def test_vtt_is_well_formed() -> None:
    vtt = to_vtt([Segment(start=0.5, end=2.0, text="Hello there."), Segment(start=2.5, end=3.0, text="Bye.")])
    assert vtt.startswith("WEBVTT\n\n")
    blocks = vtt[len("WEBVTT\n\n") :].strip().split("\n\n")
    assert [b.split("\n")[1] for b in blocks] == ["Hello there.", "Bye."]
    assert all(re.fullmatch(f"{VTT_TIME} --> {VTT_TIME}", b.split("\n")[0]) for b in blocks)
    assert to_text([Segment(start=0, end=1, text="a"), Segment(start=1, end=2, text="b")]) == "a\nb\n"
