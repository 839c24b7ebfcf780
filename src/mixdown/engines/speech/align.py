"""Given text onto audio: the text's words, and mapping them onto recognised, timed words.

:func:`text_words` splits the text into the words a client sees (punctuation kept on them, one
line per lyric line) and the spoken words behind each (``"10"`` is ``ten``). :func:`match_words`
times those spoken words from a recogniser's timed words: identical words in the longest
common order (difflib) are anchors; the given words between two anchors share the time of the
unmatched words heard between them (or, if none, the time between the anchors) in proportion to
their length. :func:`join_words` folds spoken-word times back into the
client's words.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from mixdown.audio.pcm import Samples
from mixdown.engines.speech.segment import FRAMES_PER_SECOND, frame_energy_db, sounding_span, speech_threshold
from mixdown.engines.speech.text import spoken_words
from mixdown.engines.speech.transcript import Segment, Word


@dataclass(frozen=True, kw_only=True)
class TextWord:
    """A word of the given text as written, its spoken words, and its line (from 0)."""

    text: str
    spoken: tuple[str, ...]
    line: int


def text_words(text: str) -> list[TextWord]:
    """The words of ``text``; punctuation standing alone joins the word before it.

    Examples
    --------
    >>> [(w.text, w.spoken, w.line) for w in text_words("Hello, 2 worlds !\\nBye")]
    [('Hello,', ('hello',), 0), ('2', ('two',), 0), ('worlds !', ('worlds',), 0), ('Bye', ('bye',), 1)]
    """
    out: list[TextWord] = []
    for line_index, line in enumerate(text.splitlines()):
        for token in line.split():
            spoken = tuple(spoken_words(token))
            if spoken:
                out.append(TextWord(text=token, spoken=spoken, line=line_index))
            elif out and out[-1].line == line_index:
                last = out[-1]
                out[-1] = TextWord(text=f"{last.text} {token}", spoken=last.spoken, line=last.line)
    return out


def _expand(words: Sequence[Word]) -> list[Word]:
    """Recognised words as spoken words; a word that speaks as several shares its time by length."""
    out: list[Word] = []
    for word in words:
        parts = spoken_words(word.text)
        total = sum(len(p) for p in parts)
        start = word.start
        for part in parts:
            end = start + (word.end - word.start) * len(part) / total
            out.append(Word(text=part, start=start, end=end, probability=word.probability))
            start = end
    return out


def _fill(spoken: Sequence[str], start: float, end: float) -> list[Word]:
    """Words spread over ``[start, end]`` in proportion to their length."""
    total = sum(len(w) + 1 for w in spoken)
    out, at = [], start
    for word in spoken:
        step = (end - start) * (len(word) + 1) / total
        out.append(Word(text=word, start=at, end=at + step))
        at += step
    return out


def match_words(spoken: Sequence[str], recognised: Sequence[Word], duration: float) -> list[Word]:
    """A time for each of ``spoken`` from the timed ``recognised`` words.

    Examples
    --------
    >>> heard = [Word(text="the", start=0.0, end=0.2), Word(text="cat", start=0.3, end=0.6),
    ...          Word(text="sad", start=0.7, end=1.0)]
    >>> [(w.text, round(w.start, 2)) for w in match_words(["the", "cat", "sat"], heard, 1.0)]
    [('the', 0.0), ('cat', 0.3), ('sat', 0.7)]
    """
    heard = _expand(recognised)
    matcher = difflib.SequenceMatcher(a=list(spoken), b=[w.text for w in heard], autojunk=False)
    out: list[Word] = []
    done = heard_done = 0
    last_end = 0.0
    for block in matcher.get_matching_blocks():
        between = heard[heard_done : block.b]
        if between:  # the unmatched words heard here are where the unmatched given words are
            span = (between[0].start, between[-1].end)
        else:
            span = (last_end, heard[block.b].start if block.size else max(last_end, duration))
        out.extend(_fill(spoken[done : block.a], *span))
        for offset in range(block.size):
            word = heard[block.b + offset]
            out.append(Word(text=spoken[block.a + offset], start=word.start, end=word.end))
            last_end = word.end
        done, heard_done = block.a + block.size, block.b + block.size
    return out


def join_words(words: Sequence[TextWord], timed: Sequence[Word]) -> list[Word]:
    """One timed word per given word, from the times of its spoken words (in order)."""
    out, index = [], 0
    for word in words:
        parts = timed[index : index + len(word.spoken)]
        index += len(word.spoken)
        out.append(Word(text=word.text, start=parts[0].start, end=parts[-1].end))
    return out


def line_segments(words: Sequence[TextWord], timed: Sequence[Word]) -> list[Segment]:
    """The given text's lines as segments of their timed words (for captions and karaoke)."""
    segments: list[Segment] = []
    for line in sorted({w.line for w in words}):
        members = tuple(t for w, t in zip(words, timed, strict=True) if w.line == line)
        text = " ".join(t.text for t in members)
        segments.append(Segment(start=members[0].start, end=members[-1].end, text=text, words=members))
    return segments


def tightened(words: Sequence[Word], audio: Samples, sample_rate: int) -> list[Word]:
    """``words`` with the silence inside their bounds trimmed off.

    Aligners often let a word begin in the pause before it (PocketSphinx by up to 200 ms before a
    /b/ in bench runs): the first and last 10 ms frames of each word that are louder than the
    speech threshold of :mod:`~mixdown.engines.speech.segment` become its bounds.

    Examples
    --------
    >>> import numpy as np
    >>> sr = 16000
    >>> audio = np.zeros(sr, dtype=np.float32)
    >>> audio[4000:8000] = 0.3
    >>> tightened([Word(text="hi", start=0.1, end=0.7)], audio, sr)[0]
    Word(text='hi', start=0.24, end=0.52, probability=None)
    """
    db = frame_energy_db(audio, sample_rate)
    threshold = speech_threshold(db)
    out = []
    for word in words:
        start, stop = round(word.start * FRAMES_PER_SECOND), round(word.end * FRAMES_PER_SECOND)
        span = sounding_span(db, threshold, start, stop)
        if span is not None:
            start, stop = span
        out.append(Word(text=word.text, start=start / FRAMES_PER_SECOND, end=stop / FRAMES_PER_SECOND))
    return out
