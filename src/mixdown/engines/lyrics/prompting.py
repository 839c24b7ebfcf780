"""What the chat engine is asked, and how its reply becomes a :class:`~.song.Song`.

The request names every section tag in order, the lines per section, the rhyme scheme, the
syllables per line and the language, and asks for the lyrics alone. The reply is read leniently:
reasoning blocks (``<think>``), markdown emphasis, code fences and line numbers are dropped, tags
are matched by kind ("Verse 2" is a verse, "Hook" a chorus), and a chorus written as "(repeat
chorus)" or left empty gets the first chorus's lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mixdown.engines.lyrics.song import Section, Song, split_tagged
from mixdown.engines.lyrics.structure import REPEATED, SectionPlan, parse_structure

_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_DECORATION = re.compile(r"^\s*(?:[-*>#]+\s*|\d+[.)]\s+)|[*_`]+")
_REPEAT = re.compile(r"^\(?\s*(?:repeat|x\s*\d|\d\s*x)", re.IGNORECASE)
_BARE_TAG = re.compile(
    r"^\(?((?:intro|verse|pre-?chorus|chorus|bridge|outro|hook)(?:\s*\d+)?)\)?:?$", re.IGNORECASE
)
_TAG_NUMBER = re.compile(r"[\s:]*\d*\s*(?:[:(].*)?$")
MAX_FEEDBACK = 12

SYSTEM = (
    "You are a professional songwriter. Answer with the lyrics only: each section starts with its "
    "tag in square brackets on a line of its own, then its lines, one lyric line per line. "
    "No title, no notes, no numbering, no blank lines inside a section."
)


@dataclass(frozen=True, kw_only=True)
class Brief:
    """The request as the chat engine reads it."""

    prompt: str
    plans: tuple[SectionPlan, ...]
    scheme: str
    lines: int
    syllables: int
    language: str


def messages_for(brief: Brief) -> list[dict[str, str]]:
    """The system and user messages of the first request."""
    tags = ", ".join(f"[{p.tag}]" for p in brief.plans)
    user = (
        f"Write song lyrics in {language_name(brief.language)} about: {brief.prompt}\n"
        f"Sections, in this order: {tags}.\n"
        f"Every section has exactly {brief.lines} lines.\n"
        f"Rhyme scheme of each section: {brief.scheme}, repeated if the section is longer "
        "(lines with the same letter end in rhyming words, lines with different letters do not rhyme).\n"
        f"About {brief.syllables} syllables per line.\n"
        "The chorus is word for word the same every time; no other line is used twice."
    )
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def feedback(problems: list[str]) -> dict[str, str]:
    """The follow-up message asking for a corrected song."""
    listed = "\n".join(f"- {p}" for p in problems[:MAX_FEEDBACK])
    return {
        "role": "user",
        "content": f"These points do not meet the request:\n{listed}\nWrite the whole song again, corrected.",
    }


def language_name(tag: str) -> str:
    """A language tag as words for the prompt (``es`` -> ``Spanish``; unknown tags as given)."""
    return _LANGUAGES.get(tag.split("-")[0].lower(), tag)


_LANGUAGES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "sv": "Swedish",
    "pl": "Polish",
    "ru": "Russian",
    "uk": "Ukrainian",
    "tr": "Turkish",
    "ja": "Japanese",
    "ko": "Korean",
    "zh": "Chinese",
    "hi": "Hindi",
    "ar": "Arabic",
}


def clean_reply(text: str) -> str:
    """The reply without reasoning blocks, code fences or markdown; ``Chorus:`` lines as ``[Chorus]``."""
    text = _THINK.sub("", text)
    lines = [line for line in text.splitlines() if not line.strip().startswith("```")]
    cleaned = (_DECORATION.sub("", line).strip().strip('"') for line in lines)
    return "\n".join(_BARE_TAG.sub(r"[\1]", line) for line in cleaned)


def kind_of(tag: str) -> str | None:
    """The section kind of a tag ("Verse 2" -> verse, "Hook" -> chorus); None if unknown."""
    name = _TAG_NUMBER.sub("", tag.strip()).strip()
    try:
        kinds = parse_structure(name)
    except ValueError:
        return None
    return kinds[0] if len(kinds) == 1 else None


def song_of(reply: str, plans: tuple[SectionPlan, ...]) -> Song:
    """The reply as a song; sections in the planned order get the planned tags."""
    sections = []
    for tag, lines in split_tagged(clean_reply(reply)):
        kind = kind_of(tag) or (tag.lower() or "untagged")
        sections.append(Section(kind, tag or "untagged", tuple(lines)))
    sections = _fill_choruses(sections)
    if tuple(s.kind for s in sections) == tuple(p.kind for p in plans):
        sections = [Section(s.kind, p.tag, s.lines) for s, p in zip(sections, plans, strict=True)]
    return Song(tuple(sections))


def _fill_choruses(sections: list[Section]) -> list[Section]:
    """A chorus given as "(repeat chorus)" or with no lines sings the first chorus's lines."""
    first = next((s for s in sections if s.kind == REPEATED and not _is_repeat(s)), None)
    if first is None:
        return sections
    return [
        Section(s.kind, s.tag, first.lines) if s.kind == REPEATED and _is_repeat(s) else s for s in sections
    ]


def _is_repeat(section: Section) -> bool:
    return not section.lines or all(_REPEAT.match(line) for line in section.lines)
