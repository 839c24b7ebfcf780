"""Transcripts as plain text, SubRip (SRT) and WebVTT captions.

A cue holds at most two lines of 42 characters and lasts at most 7 s (common subtitle rules);
longer segments are split between words when word times are known, else kept whole.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from mixdown.engines.speech.transcript import Segment, Transcript, Word

LINE_CHARS = 42
CUE_CHARS = 2 * LINE_CHARS
CUE_SECONDS = 7.0

CaptionFormat = Literal["json", "text", "srt", "vtt"]
EXTENSIONS: dict[str, str] = {"json": "json", "text": "txt", "srt": "srt", "vtt": "vtt"}


@dataclass(frozen=True)
class Cue:
    """One caption: shown from ``start`` to ``end`` seconds."""

    start: float
    end: float
    text: str


def timestamp(seconds: float, *, separator: str) -> str:
    """``HH:MM:SS<separator>mmm``: ``,`` for SRT, ``.`` for WebVTT.

    Examples
    --------
    >>> timestamp(3725.0456, separator=",")
    '01:02:05,046'
    """
    millis = max(0, round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _word_groups(words: Sequence[Word]) -> list[list[Word]]:
    """Consecutive words in groups that fit one cue."""
    groups: list[list[Word]] = [[]]
    for word in words:
        group = groups[-1]
        chars = sum(len(w.text) + 1 for w in group) + len(word.text)
        if group and (chars > CUE_CHARS or word.end - group[0].start > CUE_SECONDS):
            groups.append([word])
        else:
            group.append(word)
    return [g for g in groups if g]


def cues(segments: Sequence[Segment]) -> list[Cue]:
    """Captions for ``segments``: long ones split between words, times never going back.

    Examples
    --------
    >>> [c.text for c in cues([Segment(start=0.0, end=1.5, text="Hello there.")])]
    ['Hello there.']
    """
    out: list[Cue] = []
    for seg in segments:
        too_long = len(seg.text) > CUE_CHARS or seg.end - seg.start > CUE_SECONDS
        if seg.words and too_long:
            for group in _word_groups(seg.words):
                out.append(Cue(group[0].start, group[-1].end, " ".join(w.text for w in group)))
        else:
            out.append(Cue(seg.start, seg.end, seg.text))
    ordered: list[Cue] = []
    for cue in out:
        start = max(cue.start, ordered[-1].end if ordered else 0.0)
        ordered.append(Cue(start, max(cue.end, start + 0.001), cue.text))
    return ordered


def _span(cue: Cue, separator: str) -> str:
    return f"{timestamp(cue.start, separator=separator)} --> {timestamp(cue.end, separator=separator)}"


def _wrapped(text: str) -> str:
    return "\n".join(textwrap.wrap(text, LINE_CHARS)) or text


def to_srt(segments: Sequence[Segment]) -> str:
    """SubRip captions: numbered cues, ``HH:MM:SS,mmm --> HH:MM:SS,mmm``, blank line between."""
    blocks = [
        f"{index}\n{_span(c, ',')}\n{_wrapped(c.text)}" for index, c in enumerate(cues(segments), start=1)
    ]
    return "\n\n".join(blocks) + "\n" if blocks else ""


def to_vtt(segments: Sequence[Segment]) -> str:
    """WebVTT captions: the ``WEBVTT`` header, then ``HH:MM:SS.mmm --> HH:MM:SS.mmm`` cues."""
    blocks = [f"{_span(c, '.')}\n{_wrapped(c.text)}" for c in cues(segments)]
    return "WEBVTT\n\n" + "".join(f"{block}\n\n" for block in blocks)


def to_text(segments: Sequence[Segment]) -> str:
    """One segment per line."""
    return "".join(f"{seg.text}\n" for seg in segments)


def render(transcript: Transcript, fmt: CaptionFormat) -> str:
    """``transcript`` in format ``fmt`` (``json`` is its full document)."""
    if fmt == "json":
        return json.dumps(transcript.to_dict(), ensure_ascii=False, indent=1) + "\n"
    if fmt == "srt":
        return to_srt(transcript.segments)
    if fmt == "vtt":
        return to_vtt(transcript.segments)
    return to_text(transcript.segments)
