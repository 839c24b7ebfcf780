"""Song structure: section kinds, their tags, and the rhyme letters of each section's lines.

A structure is a list of kinds or a text such as ``verse-chorus-verse-chorus-bridge-chorus``
(also with commas, spaces or slashes; ``pre-chorus`` keeps its hyphen). Kinds that come back are
numbered (``[Verse 1]``, ``[Verse 2]``) except the chorus, which is the same text each time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

KINDS = ("intro", "verse", "pre-chorus", "chorus", "bridge", "outro")
REPEATED = "chorus"
DEFAULT_STRUCTURE = ("verse", "chorus", "verse", "chorus", "bridge", "chorus")
MAX_SECTIONS = 16
_ALIASES = {"prechorus": "pre-chorus", "pre": "pre-chorus", "hook": "chorus", "refrain": "chorus"}
_TITLES = {"pre-chorus": "Pre-Chorus"}
_SPLIT = re.compile(r"[\s,;/|+>-]+")
SCHEME = re.compile(r"^[A-Z]{2,16}$")


@dataclass(frozen=True)
class SectionPlan:
    """One section to write: its kind, its tag, and the rhyme letter of each line."""

    kind: str
    tag: str
    letters: str


def parse_structure(value: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Section kinds from a text or a list; raises ``ValueError`` naming the unknown kind.

    Examples
    --------
    >>> parse_structure("verse-pre-chorus-chorus, bridge / hook")
    ('verse', 'pre-chorus', 'chorus', 'bridge', 'chorus')
    """
    parts = _SPLIT.split(value.lower()) if isinstance(value, str) else [p.lower() for p in value]
    names = _join_pre(p.strip().replace("_", "-").replace(" ", "-") for p in parts if p.strip())
    kinds = tuple(_ALIASES.get(name, name) for name in names)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown section {unknown[0]!r}; sections are {', '.join(KINDS)}")
    if not 1 <= len(kinds) <= MAX_SECTIONS:
        raise ValueError(f"a structure has 1 to {MAX_SECTIONS} sections")
    return kinds


def _join_pre(names: Iterable[str]) -> list[str]:
    """``pre``, ``chorus`` (a split ``pre-chorus``) -> ``pre-chorus``."""
    out: list[str] = []
    for name in names:
        if name == "chorus" and out and out[-1] == "pre":
            out[-1] = "pre-chorus"
        else:
            out.append(name)
    return out


def parse_scheme(value: str) -> str:
    """An upper-case rhyme scheme of 2-16 letters ("abab" -> "ABAB"); ``ValueError`` otherwise."""
    scheme = value.strip().upper()
    if not SCHEME.match(scheme):
        raise ValueError("rhyme_scheme is 2 to 16 letters, e.g. AABB, ABAB, ABCB or AAAA")
    return scheme


def section_letters(scheme: str, lines: int) -> str:
    """The scheme repeated over ``lines`` lines, with fresh letters each time round.

    Examples
    --------
    >>> section_letters("AABB", 8), section_letters("ABCB", 8)
    ('AABBCCDD', 'ABCBDEFE')
    """
    order = list(dict.fromkeys(scheme))
    letters = []
    for index in range(lines):
        turn, position = divmod(index, len(scheme))
        letters.append(chr(ord("A") + turn * len(order) + order.index(scheme[position])))
    return "".join(letters)


def tag_of(kind: str) -> str:
    """``pre-chorus`` -> ``Pre-Chorus``."""
    return _TITLES.get(kind, kind.capitalize())


def plan_song(kinds: tuple[str, ...], scheme: str, lines: int) -> list[SectionPlan]:
    """The sections to write, tagged and numbered."""
    totals = {kind: kinds.count(kind) for kind in kinds}
    seen: dict[str, int] = {}
    plans = []
    for kind in kinds:
        seen[kind] = seen.get(kind, 0) + 1
        numbered = totals[kind] > 1 and kind != REPEATED
        tag = f"{tag_of(kind)} {seen[kind]}" if numbered else tag_of(kind)
        plans.append(SectionPlan(kind, tag, section_letters(scheme, lines)))
    return plans
