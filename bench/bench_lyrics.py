"""Benchmark of the ``lyrics`` task's embedded engine beside a naive generator from the same bank.

    .venv/bin/python bench/bench_lyrics.py            # 20 prompts x 6 schemes x 7 lengths x 2 sizes
    .venv/bin/python bench/bench_lyrics.py --quick    # 6 prompts x 6 schemes x 4 lengths

Every song is checked by :func:`mixdown.engines.lyrics.check.check_song` (the report the task
returns), which measures from the text alone with CMUdict:

* **rhyme scheme as asked**: in every section, lines with the same letter end in rhyming words
  (the same phonemes from the last stressed vowel; the same word twice is no rhyme) and lines
  with different letters do not;
* **syllable balance**: every line within +-1 syllable of the target;
* **no repeated non-chorus line**: no line outside the chorus is sung twice, and the chorus is
  the same text each time.

A song counts only if it meets all three (issue target: 100 %). The baseline draws each line
from a random template with random words of the same bank (random optional words, an opener
half the time on long lines), with no rhyme, syllable or repeat constraint; the chorus is
repeated. "theme" is the mean cosine similarity (MiniLM) between the prompt and the bank words
the song uses. Half the cases use the long structure intro-verse-pre-chorus-chorus-verse-pre-
chorus-chorus-bridge-chorus-outro. Timing is per song on a warm process; the machine is shared
with other work, so the times are pessimistic.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from mixdown.engines.lyrics.bank import WordBank, word_bank
from mixdown.engines.lyrics.check import Expected, check_song
from mixdown.engines.lyrics.compose import Request, write_song
from mixdown.engines.lyrics.pronounce import pronouncer, words_of
from mixdown.engines.lyrics.song import Section, Song
from mixdown.engines.lyrics.structure import DEFAULT_STRUCTURE, REPEATED, parse_structure, plan_song
from mixdown.engines.lyrics.theme import Theme, theme_of

PROMPTS = (
    "a summer road trip with friends",
    "waves crashing on the shore at night",
    "a breakup, heartbroken and alone",
    "rise up and fight for freedom",
    "lost in space among the stars",
    "coffee on a rainy monday morning",
    "dancing all night at the club",
    "a lullaby for a sleepy child",
    "working hard for the money",
    "a ghost story in an old house",
    "falling in love in paris",
    "winter snow in the mountains",
    "an anthem for the underdog team",
    "missing home and family",
    "a cowboy riding through the desert",
    "city lights and neon dreams",
    "prayer and faith in hard times",
    "a wild party on the weekend",
    "growing old and remembering youth",
    "a storm at sea",
)
QUICK_PROMPTS = PROMPTS[:6]
SCHEMES = ("AABB", "ABAB", "ABCB", "AAAA", "ABBA", "AABBA")
SYLLABLES = (4, 6, 8, 10, 12, 14, 16)
QUICK_SYLLABLES = (4, 8, 12, 16)
LONG_STRUCTURE = parse_structure("intro-verse-pre-chorus-chorus-verse-pre-chorus-chorus-bridge-chorus-outro")
TARGET = 100.0
Writer = Callable[[Request, Theme], Song]


@dataclass(frozen=True)
class Case:
    """One request of the grid."""

    prompt: str
    scheme: str
    syllables: int
    lines: int
    kinds: tuple[str, ...]
    seed: int


@dataclass(frozen=True)
class Outcome:
    """How one song did."""

    case: Case
    rhyme: bool
    syllables: bool
    repeats: bool
    theme: float
    seconds: float
    lines_in_range: float = 0.0  # share of lines within +-1 syllable
    pairs_right: float = 0.0  # share of line pairs that rhyme, or not, as the scheme says
    failed: str | None = None

    @property
    def all_met(self) -> bool:
        return self.failed is None and self.rhyme and self.syllables and self.repeats


def cases(prompts: tuple[str, ...], lengths: tuple[int, ...], sizes: tuple[int, ...]) -> list[Case]:
    found = []
    for prompt in prompts:
        for scheme in SCHEMES:
            for syllables in lengths:
                for size in sizes:
                    seed = len(found)
                    kinds = LONG_STRUCTURE if seed % 2 else DEFAULT_STRUCTURE
                    found.append(Case(prompt, scheme, syllables, size * len(scheme), kinds, seed))
    return found


def embedded(bank: WordBank) -> Writer:
    def write(request: Request, theme: Theme) -> Song:
        return write_song(request, theme=theme, bank=bank, dictionary=pronouncer())

    return write


def naive(bank: WordBank) -> Writer:
    """Random template, random bank words, random optional words; the chorus repeated."""

    def line(rng: random.Random, long: bool) -> str:
        template = rng.choice(bank.templates)
        if long and rng.random() < 0.5:
            template = template.after(rng.choice(bank.openers))
        return " ".join(_naive_word(token, rng, bank) for token in template.tokens).replace(" ,", ",")

    def write(request: Request, theme: Theme) -> Song:
        rng = random.Random(request.seed)
        sections, chorus = [], None
        for plan in plan_song(request.kinds, request.scheme, request.lines):
            if plan.kind == REPEATED and chorus is not None:
                sections.append(chorus)
                continue
            lines = tuple(line(rng, request.syllables >= 12).strip() for _ in plan.letters)
            section = Section(plan.kind, plan.tag, lines)
            chorus = section if plan.kind == REPEATED else chorus
            sections.append(section)
        return Song(tuple(sections))

    return write


def _naive_word(token: Any, rng: random.Random, bank: WordBank) -> str:
    if token.kind == "slot":
        return str(rng.choice(bank.by_slot[token.text]).text)
    if token.kind == "optional":
        return str(token.text) if rng.random() < 0.5 else ""
    return str(token.text)


def theme_fit(song: Song, theme: Theme, lemma_of: dict[str, str]) -> float:
    scores = [
        theme.score(lemma_of[word])
        for s in song.sections
        for line in s.lines
        for word in words_of(line)
        if word in lemma_of
    ]
    return statistics.fmean(scores) if scores else 0.0


def request_of(case: Case) -> Request:
    return Request(
        prompt=case.prompt,
        kinds=case.kinds,
        scheme=case.scheme,
        lines=case.lines,
        syllables=case.syllables,
        seed=case.seed,
    )


def run_case(case: Case, writer: Writer, theme: Theme, lemma_of: dict[str, str]) -> Outcome:
    started = time.perf_counter()
    try:
        song = writer(request_of(case), theme)
    except Exception as exc:  # a bench reports failures instead of stopping
        return Outcome(case, False, False, False, 0.0, time.perf_counter() - started, failed=str(exc))
    seconds = time.perf_counter() - started
    expected = Expected(kinds=case.kinds, scheme=case.scheme, lines=case.lines, syllables=case.syllables)
    report = check_song(song, expected, pronouncer())
    repeats = report["no_repeated_lines"] and report["chorus_repeated"]
    lines = [line for section in report["sections"] for line in section["lines"]]
    in_range = statistics.fmean(abs(line["syllables"] - case.syllables) <= 1 for line in lines)
    return Outcome(
        case,
        report["rhyme_scheme_ok"],
        report["syllables_ok"],
        repeats,
        theme_fit(song, theme, lemma_of),
        seconds,
        lines_in_range=in_range,
        pairs_right=pairs_right(report),
    )


def pairs_right(report: dict[str, Any]) -> float:
    """Share of line pairs (within sections) whose ends rhyme exactly when their letters agree."""
    cmu = pronouncer()
    right = []
    for section in report["sections"]:
        for a, b in combinations(section["lines"], 2):
            right.append(cmu.rhymes(a["end_word"], b["end_word"]) == (a["rhyme"] == b["rhyme"]))
    return statistics.fmean(right)


def percent(outcomes: list[Outcome], test: Callable[[Outcome], bool]) -> float:
    return 100.0 * sum(test(o) for o in outcomes) / len(outcomes)


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print()
    for line in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)))


def summary_rows(ours: list[Outcome], base: list[Outcome]) -> list[tuple[str, ...]]:
    measures: list[tuple[str, Callable[[Outcome], bool]]] = [
        ("rhyme scheme as asked", lambda o: o.rhyme),
        ("syllables within +-1", lambda o: o.syllables),
        ("no repeated non-chorus line", lambda o: o.repeats),
        ("all three", lambda o: o.all_met),
    ]
    rows = []
    for name, test in measures:
        mine, theirs = percent(ours, test), percent(base, test)
        met = "yes" if mine >= TARGET else "no"
        rows.append(
            (name, f"{mine:.1f} %", f"{theirs:.1f} %", f"{mine - theirs:+.1f} pt", f"{TARGET:.0f} %", met)
        )
    for name, attribute in (
        ("  lines within +-1", "lines_in_range"),
        ("  line pairs as the scheme says", "pairs_right"),
    ):
        mine, theirs = (100 * statistics.fmean(getattr(o, attribute) for o in x) for x in (ours, base))
        rows.append((name, f"{mine:.1f} %", f"{theirs:.1f} %", f"{mine - theirs:+.1f} pt", "-", "-"))
    fit, base_fit = (statistics.fmean(o.theme for o in x) for x in (ours, base))
    rows.append(
        ("theme (cosine to prompt)", f"{fit:.3f}", f"{base_fit:.3f}", f"{fit / base_fit:.2f}x", "-", "-")
    )
    speed, base_speed = (statistics.median(o.seconds for o in x) * 1000 for x in (ours, base))
    rows.append(
        ("ms per song (median)", f"{speed:.0f}", f"{base_speed:.1f}", f"{speed / base_speed:.0f}x", "-", "-")
    )
    return rows


def breakdown(ours: list[Outcome], base: list[Outcome], key: Callable[[Case], Any], name: str) -> None:
    groups: dict[Any, tuple[list[Outcome], list[Outcome]]] = defaultdict(lambda: ([], []))
    for mine, theirs in zip(ours, base, strict=True):
        groups[key(mine.case)][0].append(mine)
        groups[key(mine.case)][1].append(theirs)
    rows = [
        (
            str(value),
            str(len(mine)),
            f"{percent(mine, lambda o: o.all_met):.1f} %",
            f"{percent(theirs, lambda o: o.all_met):.1f} %",
            f"{statistics.median(o.seconds for o in mine) * 1000:.0f}",
        )
        for value, (mine, theirs) in sorted(groups.items())
    ]
    table((name, "songs", "all three", "naive", "ms/song"), rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="6 prompts, 4 lengths, one section size")
    args = parser.parse_args()
    grid = cases(QUICK_PROMPTS, QUICK_SYLLABLES, (1,)) if args.quick else cases(PROMPTS, SYLLABLES, (1, 2))
    bank = word_bank()
    lemma_of = {w.text: w.lemma for w in bank.words}
    themes = {prompt: theme_of(prompt) for prompt in {c.prompt for c in grid}}
    write_song(  # warm: CMUdict, bank, caches
        Request(prompt="-", kinds=DEFAULT_STRUCTURE, scheme="AABB", lines=4, syllables=8, seed=0),
        theme=themes[grid[0].prompt],
        bank=bank,
        dictionary=pronouncer(),
    )
    ours = [run_case(c, embedded(bank), themes[c.prompt], lemma_of) for c in grid]
    base = [run_case(c, naive(bank), themes[c.prompt], lemma_of) for c in grid]
    print(
        f"\n{len(grid)} songs ({len(PROMPTS if not args.quick else QUICK_PROMPTS)} prompts x "
        f"{len(SCHEMES)} schemes x lengths x section sizes); baseline: naive lines from the same bank"
    )
    table(("measure", "embedded", "naive", "difference", "target", "met"), summary_rows(ours, base))
    breakdown(ours, base, lambda c: c.scheme, "scheme")
    breakdown(ours, base, lambda c: c.syllables, "syllables")
    failures = [o for o in ours if not o.all_met]
    for outcome in failures[:10]:
        print("not met:", outcome.case, outcome.failed or "")
    writer = embedded(bank)
    same = all(
        writer(request_of(c), themes[c.prompt]).text() == writer(request_of(c), themes[c.prompt]).text()
        for c in grid[:20]
    )
    print(f"\nthe same seed writes the same song (20 requests written twice): {same}")


if __name__ == "__main__":
    main()
