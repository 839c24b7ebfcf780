"""Lyrics as sections, lines and words: ``[Verse]`` / ``[Chorus]`` tags, then one line per lyric line.

A tag in square brackets starts a section (``[Verse 2]``, ``[Pre-Chorus]``, ``[Hook]`` ...); the
kind is its first word(s) in lower case with digits dropped, and text before the first tag is a
verse. Sections named like ``[Instrumental]``, ``[Solo]`` or ``[Break]`` hold no sung lines: their
text is ignored and they leave bars free. Parentheses (backing lines such as ``(ooh)``) are sung
like the rest. Each written word keeps its spelling for the word timings; what is sung are its
spoken words (``2`` is ``two``, see :func:`mixdown.engines.speech.text.spoken_words`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mixdown.engines.speech.text import spoken_words
from mixdown.errors import ValidationFailed

MAX_LINE_WORDS = 40
_TAG = re.compile(r"^\s*\[([^\]]*)\]\s*$")
_KIND_WORDS = re.compile(r"[a-z]+(?:-[a-z]+)?")
_UNSUNG = frozenset({"instrumental", "solo", "break", "interlude", "drop"})
_CHORUS_LIKE = frozenset({"chorus", "hook", "refrain", "post-chorus"})


@dataclass(frozen=True)
class LyricWord:
    """A word as written and the words it is sung as."""

    text: str
    spoken: tuple[str, ...]


@dataclass(frozen=True)
class LyricLine:
    """One line of lyrics: its words, in order."""

    words: tuple[LyricWord, ...]

    @property
    def text(self) -> str:
        """The line as written (words joined by single spaces)."""
        return " ".join(w.text for w in self.words)

    @property
    def spoken(self) -> tuple[str, ...]:
        """The sung words of the line, in order."""
        return tuple(s for w in self.words for s in w.spoken)


@dataclass(frozen=True)
class LyricSection:
    """A tagged section: its kind (``verse``, ``chorus`` ...), its tag as written, its lines."""

    kind: str
    label: str
    lines: tuple[LyricLine, ...]

    @property
    def chorus_like(self) -> bool:
        """Whether the section is a chorus, hook or refrain (sung higher and over louder bars)."""
        return self.kind in _CHORUS_LIKE


def section_kind(tag: str) -> str:
    """The kind of a section tag: lower case, digits and extra words dropped.

    Examples
    --------
    >>> [section_kind(t) for t in ("Verse 2", "PRE-CHORUS", "Pre Chorus", "Guitar Solo", "Chorus x2", "")]
    ['verse', 'pre-chorus', 'pre-chorus', 'solo', 'chorus', 'verse']
    """
    words = _KIND_WORDS.findall(tag.lower())
    if len(words) >= 2 and words[0] in ("pre", "post"):
        return f"{words[0]}-{words[1]}"
    unsung = [w for w in words if w in _UNSUNG]
    return unsung[0] if unsung else words[0] if words else "verse"


def parse_line(text: str) -> LyricLine | None:
    """The words of one lyric line; None when it has nothing to sing.

    Examples
    --------
    >>> [(w.text, w.spoken) for w in parse_line("Call me at 9, (ooh)").words]
    [('Call', ('call',)), ('me', ('me',)), ('at', ('at',)), ('9,', ('nine',)), ('(ooh)', ('ooh',))]
    """
    words = []
    for token in text.split():
        spoken = tuple(spoken_words(token))
        if spoken:
            words.append(LyricWord(token, spoken))
    return LyricLine(tuple(words[:MAX_LINE_WORDS])) if words else None


def _close(kind: str, label: str, lines: list[LyricLine], out: list[LyricSection]) -> None:
    if kind in _UNSUNG:
        out.append(LyricSection(kind, label, ()))
    elif lines:
        out.append(LyricSection(kind, label, tuple(lines)))


def parse_lyrics(text: str) -> list[LyricSection]:
    """Sections of ``text`` with their lines; ``ValidationFailed`` on ``lyrics`` if nothing is sung.

    Examples
    --------
    >>> song = parse_lyrics("[Verse]\\nHello there\\n\\n[Chorus]\\nLa la la\\n[Solo]")
    >>> [(s.kind, [line.text for line in s.lines]) for s in song]
    [('verse', ['Hello there']), ('chorus', ['La la la']), ('solo', [])]
    """
    sections: list[LyricSection] = []
    kind, label = "verse", ""
    lines: list[LyricLine] = []
    for raw in text.splitlines():
        tag = _TAG.match(raw)
        if tag:
            _close(kind, label, lines, sections)
            kind, label, lines = section_kind(tag.group(1)), tag.group(1).strip(), []
            continue
        line = parse_line(raw)
        if line is not None:
            lines.append(line)
    _close(kind, label, lines, sections)
    if not any(s.lines for s in sections):
        raise ValidationFailed("lyrics: nothing to sing (no words outside the [tags])", field="lyrics")
    return sections
