"""The check report of a song: structure, rhyme scheme, syllables per line, repeats.

Every song is checked the same way, whichever engine wrote it:

- structure: the sections asked for, in order, each with the lines asked for;
- rhyme scheme: in each section, lines with the same letter end in words that rhyme (CMUdict,
  from the last stressed vowel; the same word twice is no rhyme) and lines with different
  letters end in words that do not;
- syllables: every line within ``tolerance`` of the target;
- repeats: no line outside the chorus is sung twice (nor is a chorus line), and every chorus is
  the same text.

Rhymes and syllables are only measured in English; for other languages they are ``None``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from mixdown.engines.lyrics.pronounce import Pronouncer, words_of
from mixdown.engines.lyrics.song import Section, Song
from mixdown.engines.lyrics.structure import REPEATED, section_letters

_WORDS = re.compile(r"\w+(?:'\w+)*")


@dataclass(frozen=True, kw_only=True)
class Expected:
    """What was asked: section kinds, rhyme scheme, lines per section, syllables per line."""

    kinds: tuple[str, ...]
    scheme: str
    lines: int
    syllables: int
    tolerance: int = 1
    english: bool = True


@dataclass
class _Findings:
    problems: list[str]
    rhyme_ok: bool = True
    syllables_ok: bool = True
    deviation: int = 0


def normalized(line: str) -> str:
    """A line compared for repeats: its words (any script, digits too), lower case, nothing else."""
    return " ".join(_WORDS.findall(line.lower().replace("\u2019", "'")))


def check_song(song: Song, expected: Expected, dictionary: Pronouncer) -> dict[str, Any]:
    """The report: overall flags, per-section lines with syllables and rhyme sounds, problems."""
    found = _Findings(problems=[])
    structure_ok = _check_structure(song, expected, found)
    sections = [_section_report(s, expected, dictionary, found) for s in song.sections]
    repeats_ok = _check_repeats(song, found)
    chorus_ok = _check_chorus(song, found)
    english = expected.english
    flags = {
        "structure_ok": structure_ok,
        "rhyme_scheme_ok": found.rhyme_ok if english else None,
        "syllables_ok": found.syllables_ok if english else None,
        "no_repeated_lines": repeats_ok,
        "chorus_repeated": chorus_ok,
    }
    return {
        "ok": all(v is not False for v in flags.values()),
        **flags,
        "syllable_target": expected.syllables,
        "syllable_tolerance": expected.tolerance,
        "max_syllable_deviation": found.deviation if english else None,
        "sections": sections,
        "problems": found.problems,
    }


def _check_structure(song: Song, expected: Expected, found: _Findings) -> bool:
    kinds = tuple(s.kind for s in song.sections)
    ok = kinds == expected.kinds
    if not ok:
        found.problems.append(f"sections are {'-'.join(kinds) or 'none'}, not {'-'.join(expected.kinds)}")
    for section in song.sections:
        if len(section.lines) != expected.lines:
            ok = False
            found.problems.append(f"{section.tag}: {len(section.lines)} lines, not {expected.lines}")
    return ok


def _section_report(
    section: Section, expected: Expected, dictionary: Pronouncer, found: _Findings
) -> dict[str, Any]:
    letters = section_letters(expected.scheme, len(section.lines))
    ends = [_end_word(line) for line in section.lines]
    lines = [
        _line_report(line, end, letter, expected, dictionary)
        for line, end, letter in zip(section.lines, ends, letters, strict=True)
    ]
    rhyme_ok = True
    if expected.english:
        rhyme_ok = _check_rhymes(section, ends, letters, dictionary, found)
        _check_syllables(section, lines, expected, found)
    return {
        "kind": section.kind,
        "tag": section.tag,
        "scheme": letters,
        "rhyme_ok": rhyme_ok if expected.english else None,
        "lines": lines,
    }


def _end_word(line: str) -> str:
    words = words_of(line)
    return words[-1] if words else ""


def _line_report(
    line: str, end: str, letter: str, expected: Expected, dictionary: Pronouncer
) -> dict[str, Any]:
    report: dict[str, Any] = {"text": line, "rhyme": letter, "end_word": end}
    if expected.english:
        report["syllables"] = dictionary.line_syllables(line)
        report["rhyme_sound"] = dictionary.rhyme_key(end) if end else None
    return report


def _check_rhymes(
    section: Section, ends: list[str], letters: str, dictionary: Pronouncer, found: _Findings
) -> bool:
    ok = True
    for i, j in combinations(range(len(ends)), 2):
        same = letters[i] == letters[j]
        rhyme = dictionary.rhymes(ends[i], ends[j])  # the same word twice is no rhyme
        if same and not rhyme:
            ok = False
            found.problems.append(
                f"{section.tag}: lines {i + 1} and {j + 1} should rhyme ({ends[i]!r} / {ends[j]!r})"
            )
        elif not same and (rhyme or (bool(ends[i]) and ends[i] == ends[j])):
            ok = False
            found.problems.append(
                f"{section.tag}: lines {i + 1} and {j + 1} should not rhyme ({ends[i]!r} / {ends[j]!r})"
            )
    found.rhyme_ok = found.rhyme_ok and ok
    return ok


def _check_syllables(
    section: Section, lines: list[dict[str, Any]], expected: Expected, found: _Findings
) -> None:
    for number, line in enumerate(lines, 1):
        deviation = abs(line["syllables"] - expected.syllables)
        found.deviation = max(found.deviation, deviation)
        if deviation > expected.tolerance:
            found.syllables_ok = False
            found.problems.append(
                f"{section.tag} line {number}: {line['syllables']} syllables "
                f"(target {expected.syllables} ± {expected.tolerance})"
            )


def _check_repeats(song: Song, found: _Findings) -> bool:
    chorus = {normalized(line) for s in song.sections if s.kind == REPEATED for line in s.lines}
    seen: set[str] = set()
    ok = True
    for section in song.sections:
        if section.kind == REPEATED:
            continue
        for line in section.lines:
            key = normalized(line)
            if key in seen or key in chorus:
                ok = False
                found.problems.append(f"{section.tag}: the line {line!r} is sung twice")
            seen.add(key)
    return ok


def _check_chorus(song: Song, found: _Findings) -> bool:
    choruses = [tuple(normalized(line) for line in s.lines) for s in song.sections if s.kind == REPEATED]
    ok = all(c == choruses[0] for c in choruses)
    if not ok:
        found.problems.append("the chorus is not the same each time")
    return ok
