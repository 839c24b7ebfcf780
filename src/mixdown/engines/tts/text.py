"""Text to speakable chunks: paragraphs, sentences, and the pause after each.

Every chunk is synthesised on its own and the chunks are joined with silences chosen by the
punctuation that ended them (longer after a paragraph than after a sentence, shorter after a
comma where an over-long sentence had to be broken). Splitting keeps abbreviations ("Dr.",
"e.g."), initials ("J. R. R."), decimals ("3.14") and ellipses followed by lowercase words
inside their sentence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Seconds of silence after a chunk at speed 1.0, by what ended it.
PAUSES = {
    "paragraph": 0.75,
    "line": 0.4,
    ".": 0.35,
    "!": 0.4,
    "?": 0.4,
    "…": 0.5,
    ";": 0.25,
    ":": 0.25,
    "—": 0.2,
    ",": 0.15,
    "": 0.05,
}
MAX_CHUNK_CHARS = 300


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Never end a sentence: titles and words that are always followed by more of the sentence.
_TITLES = _words(
    "mr mrs ms dr prof sr jr st mt ft vs approx dept est gen col lt sgt capt rev hon gov pres "
    "sen rep ave blvd rd ca cf al"
)
# Never end a sentence when a number follows ("No. 5", "Fig. 2"); otherwise they are words.
_BEFORE_NUMBER = _words("no nos fig figs vol ch sec art p pp")
# End a sentence only when a capitalised word follows ("... and so on, etc. Then ...").
_SOMETIMES_FINAL = _words("etc inc ltd co corp bros jan feb mar apr jun jul aug sep sept oct nov dec a.m p.m")
_CLOSERS = "\"'”’»)]}"
_TERMINATOR = re.compile(r"(\.{3}|…|[.!?]+)([" + re.escape(_CLOSERS) + r"]*)(\s+|$)")
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_DOTTED = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")
_PARAGRAPHS = re.compile(r"\n[ \t]*\n\s*")
_BREAKS = ((";", ";"), (":", ":"), (" — ", "—"), (" – ", "—"), (" - ", "—"), (",", ","))
_LIST_START = re.compile(r"^\s*([-*•]|\d+[.)])\s+")
_SHORT_LINE = 60  # a line this short, unpunctuated, before a capital: a heading or list item


@dataclass(frozen=True, kw_only=True)
class Chunk:
    """One piece of text spoken on its own, and the pause (seconds at speed 1) after it."""

    text: str
    pause: float
    paragraph: int


def split_chunks(text: str, *, max_chars: int = MAX_CHUNK_CHARS) -> list[Chunk]:
    """Cut ``text`` into chunks of at most ``max_chars``, each with its pause.

    Examples
    --------
    >>> [c.text for c in split_chunks("Dr. Smith paid $3.50. Then he left!")]
    ['Dr. Smith paid $3.50.', 'Then he left!']
    >>> [c.pause for c in split_chunks("One.\\n\\nTwo.")]
    [0.75, 0.75]
    """
    chunks: list[Chunk] = []
    for index, paragraph in enumerate(split_paragraphs(text)):
        found = _paragraph_chunks(paragraph, index, max_chars)
        if found:
            found[-1] = Chunk(text=found[-1].text, pause=PAUSES["paragraph"], paragraph=index)
        chunks.extend(found)
    return chunks


def _paragraph_chunks(paragraph: str, index: int, max_chars: int) -> list[Chunk]:
    sentences = [s for run in split_lines(paragraph) for s in _line_sentences(run)]
    return [
        Chunk(text=part, pause=PAUSES[part_ending or ending], paragraph=index)
        for sentence, ending in sentences
        for part, part_ending in split_long(sentence, max_chars=max_chars)
    ]


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs: text between blank lines, stripped, empty ones dropped."""
    return [p.strip() for p in _PARAGRAPHS.split(normalize_text(text)) if p.strip()]


def split_lines(paragraph: str) -> list[tuple[str, bool]]:
    """Lines to speak as runs: ``(text, ends_with_break)``; wrapped prose is joined back.

    A line break counts only after a short unpunctuated line followed by a capital, a digit
    or a list bullet (a heading or a list item); any other newline is a wrapped line.
    """
    lines = [line.strip() for line in paragraph.split("\n") if line.strip()]
    runs: list[tuple[str, bool]] = []
    current = ""
    for line, following in zip(lines, [*lines[1:], ""], strict=True):
        current = f"{current} {line}".strip()
        if following and _is_break(line, following):
            runs.append((current, True))
            current = ""
    if current:
        runs.append((current, False))
    return runs


def _is_break(line: str, following: str) -> bool:
    if _LIST_START.match(following):
        return True
    if len(line) >= _SHORT_LINE or line[-1] in ".!?…,;:" + _CLOSERS:
        return False
    return following[0].isupper() or following[0].isdigit()


def _line_sentences(run: tuple[str, bool]) -> list[tuple[str, str]]:
    """The sentences of one run with their endings; a broken line ends in a ``line`` pause."""
    text, broken = run
    sentences = split_sentences(text)
    if broken and sentences and sentences[-1][1] == "":
        sentences[-1] = (sentences[-1][0], "line")
    return sentences


def split_sentences(text: str) -> list[tuple[str, str]]:
    """Sentences of one paragraph, each with the punctuation that ended it ("" if none).

    Examples
    --------
    >>> split_sentences("It costs 3.5 dollars, i.e. cheap. J. R. R. Tolkien wrote it... Why?")
    [('It costs 3.5 dollars, i.e. cheap.', '.'), ('J. R. R. Tolkien wrote it...', '…'), ('Why?', '?')]
    """
    sentences: list[tuple[str, str]] = []
    start = 0
    for match in _TERMINATOR.finditer(text):
        if not _ends_sentence(text, match):
            continue
        end = match.end(2)
        sentences.append((text[start:end].strip(), _ending(match.group(1))))
        start = match.end()
    rest = text[start:].strip()
    if rest:
        sentences.append((rest, ""))
    return [(s, e) for s, e in sentences if _speakable(s)]


def _ending(punctuation: str) -> str:
    if punctuation in ("...", "…"):
        return "…"
    return "?" if "?" in punctuation else punctuation[-1]


def _ends_sentence(text: str, match: re.Match[str]) -> bool:
    """Whether the terminator ``match`` ends a sentence, judged by its neighbours."""
    following = text[match.end() :].lstrip(_CLOSERS + "(\"'“‘«")
    if not following:
        return True
    if following[0].islower():
        return False
    if match.group(1) != ".":
        return True
    word = _WORD_BEFORE.search(text[: match.start()])
    return _period_ends(word.group(1) if word else "", following)


def _period_ends(word: str, following: str) -> bool:
    """Whether a single period after ``word`` ends the sentence."""
    bare = word.lower().rstrip(".")
    if bare in _TITLES or (bare in _BEFORE_NUMBER and following[0].isdigit()):
        return False
    if bare in _SOMETIMES_FINAL:
        return following[0].isupper()
    return not (_DOTTED.fullmatch(bare) or (len(bare) == 1 and bare.isalpha()))  # e.g., U.S., initials


def split_long(sentence: str, *, max_chars: int) -> list[tuple[str, str]]:
    """``sentence`` in pieces of at most ``max_chars``, cut after the strongest break available.

    Each piece comes with the break it was cut at; the last piece gets ``""`` (its ending is
    the sentence's own).
    """
    pieces: list[tuple[str, str]] = []
    rest = sentence
    while len(rest) > max_chars:
        cut, ending = _cut_point(rest, max_chars)
        pieces.append((rest[:cut].strip(), ending))
        rest = rest[cut:].strip()
    pieces.append((rest, ""))
    return [(p, e) for p, e in pieces if p]


def _cut_point(text: str, max_chars: int) -> tuple[int, str]:
    window = text[:max_chars]
    for mark, ending in _BREAKS:
        position = window.rfind(mark)
        if position > max_chars // 3:
            return position + len(mark.rstrip()), ending
    space = window.rfind(" ")
    return (space if space > 0 else max_chars), ""


def _speakable(text: str) -> bool:
    """Whether a piece holds anything an engine would pronounce (a letter or a digit)."""
    return any(ch.isalnum() for ch in text)


def normalize_text(text: str) -> str:
    """Unicode NFC, unified newlines, tabs and odd spaces as plain spaces."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"[ \t\u00a0\u2000-\u200b\u202f\u3000]+", " ", text)


_ASCII_MAP = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "—": ", ",
        "–": "-",
        "…": "...",
        "€": " euros ",
    }
)


def ascii_text(text: str) -> str:
    """``text`` in plain ASCII for engines that only read it (Festival and Flite voices).

    Examples
    --------
    >>> ascii_text("Café “Zoë” costs 5 €…")
    'Cafe "Zoe" costs 5  euros ...'
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII_MAP))
    return decomposed.encode("ascii", "ignore").decode("ascii")
