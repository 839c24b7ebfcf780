"""Written lyrics: sections of lines, as tagged text (``[Verse 1]`` ...) or as JSON."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_TAG = re.compile(r"^\s*\[([^\]]+)\]\s*$")


@dataclass(frozen=True)
class Section:
    """One section: its kind (``verse``), its tag (``Verse 1``) and its lines."""

    kind: str
    tag: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Song:
    """The sections in order (a chorus appears each time it is sung)."""

    sections: tuple[Section, ...]

    def text(self) -> str:
        """The lyrics as text: a ``[Tag]`` line, the lines, a blank line between sections.

        Examples
        --------
        >>> Song((Section("verse", "Verse 1", ("One", "Two")), Section("chorus", "Chorus", ("Oh",)))).text()
        '[Verse 1]\\nOne\\nTwo\\n\\n[Chorus]\\nOh'
        """
        return "\n\n".join("\n".join((f"[{s.tag}]", *s.lines)) for s in self.sections)

    def line_count(self) -> int:
        """Lines sung, repeats included."""
        return sum(len(s.lines) for s in self.sections)

    def to_json(self) -> list[dict[str, Any]]:
        """The sections as JSON objects."""
        return [{"kind": s.kind, "tag": s.tag, "lines": list(s.lines)} for s in self.sections]


def split_tagged(text: str) -> list[tuple[str, list[str]]]:
    """(tag, lines) pairs from tagged text; lines before the first tag go under an empty tag."""
    parts: list[tuple[str, list[str]]] = []
    for raw in text.splitlines():
        match = _TAG.match(raw)
        if match:
            parts.append((match.group(1).strip(), []))
        elif raw.strip():
            if not parts:
                parts.append(("", []))
            parts[-1][1].append(raw.strip())
    return parts
