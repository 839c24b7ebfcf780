"""Build the composer's melody model from the music21 corpus (offline, run by hand).

Reads public-domain melodies that ship inside music21 — Ryan's Mammoth Collection (1883),
O'Neill's Music of Ireland (1850), Aird's Airs (1782-1797) and the soprano lines of the Bach
chorales — and writes ``src/mixdown/engines/music/data/melody_model.json``:

- ``intervals.by_prev``: counts of the next diatonic interval (-8..8 scale steps) given the
  previous interval and whether the next note falls on a strong beat;
- ``intervals.by_degree``: counts of the next interval given the current scale degree and mode
  family (major/minor), which carries tendencies such as 7 -> 1 and 4 -> 3;
- ``degrees``: how often each scale degree sounds on strong and weak beats;
- ``cadence``: the scale degrees phrases end on;
- ``rhythms``: one-bar onset patterns per meter on a sixteenth grid (``x`` onset, ``-`` held,
  ``.`` rest) with their counts.

The Essen folk song collection is skipped: its licence allows non-commercial use only.

Usage: ``.venv/bin/python scripts/build_melody_model.py [--limit N]``
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from music21 import corpus, expressions, key, note, stream

OUT = Path(__file__).resolve().parents[1] / "src/mixdown/engines/music/data/melody_model.json"
MAX_INTERVAL = 8
MAX_PREV = 5
ABC_COLLECTIONS = ("ryansMammoth", "oneills1850", "airdsAirs")
# Meters we keep rhythms for, and which meter a pair of bars becomes.
PAIRS = {"2/4": "4/4", "6/8": "12/8", "3/8": "6/8"}
KEEP = ("4/4", "3/4", "6/8", "12/8", "2/4")
TOP_RHYTHMS = 80


class Model:
    """Counts gathered over the corpus."""

    def __init__(self) -> None:
        self.by_prev: dict[str, Counter[int]] = defaultdict(Counter)
        self.by_degree: dict[str, Counter[int]] = defaultdict(Counter)
        self.degrees: dict[str, Counter[int]] = defaultdict(Counter)
        self.cadence: dict[str, Counter[int]] = defaultdict(Counter)
        self.rhythms: dict[str, Counter[str]] = defaultdict(Counter)
        self.tunes = 0
        self.notes = 0
        self.sources: Counter[str] = Counter()

    def to_json(self) -> dict[str, Any]:
        """The model as plain JSON data (counts, not probabilities: the loader smooths)."""
        span = list(range(-MAX_INTERVAL, MAX_INTERVAL + 1))
        return {
            "version": 1,
            "source": {"collections": dict(self.sources), "tunes": self.tunes, "notes": self.notes},
            "intervals": {
                "values": span,
                "by_prev": {k: [c[i] for i in span] for k, c in sorted(self.by_prev.items())},
                "by_degree": {k: [c[i] for i in span] for k, c in sorted(self.by_degree.items())},
            },
            "degrees": {k: [c[d] for d in range(7)] for k, c in sorted(self.degrees.items())},
            "cadence": {k: [c[d] for d in range(7)] for k, c in sorted(self.cadence.items())},
            "rhythms": {
                meter: [[p, n] for p, n in counts.most_common(TOP_RHYTHMS)]
                for meter, counts in sorted(self.rhythms.items())
            },
        }


def tonic_and_family(score: Any) -> tuple[int, str] | None:
    """Diatonic number of the tonic and 'major'/'minor' from the key signature (or analysis)."""
    found = score.flatten().getElementsByClass(key.KeySignature)
    k = found[0] if found else None
    if k is None:
        return None
    if not isinstance(k, key.Key):
        k = k.asKey()
    family = "minor" if k.mode in ("minor", "dorian", "phrygian", "aeolian", "locrian") else "major"
    return k.tonic.diatonicNoteNum, family


def melody_events(part: Any) -> Iterator[tuple[Any, bool]]:
    """(note or None for a phrase break, phrase ends here) in order, grace notes skipped."""
    flat = [e for e in part.flatten().notesAndRests if not e.duration.isGrace]
    for i, e in enumerate(flat):
        if isinstance(e, note.Rest):
            yield None, True
            continue
        n: Any = e if isinstance(e, note.Note) else e.notes[-1]  # chord: take the top note
        if n.tie is not None and n.tie.type in ("stop", "continue"):
            continue
        fermata = any(isinstance(x, expressions.Fermata) for x in e.expressions)
        last = i == len(flat) - 1
        n.beatStrengthValue = e.beatStrength  # the chord's metric weight, kept on its top note
        yield n, fermata or last


def add_pitches(model: Model, part: Any, tonic: int, family: str) -> None:
    """Count intervals, degrees and phrase endings of one melody."""
    prev_num: int | None = None
    prev_int: int | None = None
    for n, phrase_end in melody_events(part):
        if n is None:
            if prev_num is not None:
                model.cadence[family][(prev_num - tonic) % 7] += 1
            prev_num, prev_int = None, None
            continue
        num = n.pitch.diatonicNoteNum
        strong = "S" if n.beatStrengthValue >= 0.5 else "W"
        model.degrees[f"{family}|{strong}"][(num - tonic) % 7] += 1
        model.notes += 1
        if prev_num is not None:
            step = num - prev_num
            if abs(step) <= MAX_INTERVAL:
                ctx = "start" if prev_int is None else str(max(-MAX_PREV, min(MAX_PREV, prev_int)))
                model.by_prev[f"{strong}|{ctx}"][step] += 1
                model.by_degree[f"{family}|{strong}|{(prev_num - tonic) % 7}"][step] += 1
            prev_int = step
        prev_num = num
        if phrase_end:
            model.cadence[family][(num - tonic) % 7] += 1
            prev_num, prev_int = None, None


def bar_pattern(measure: Any) -> str | None:
    """The onset pattern of one complete bar on a sixteenth grid, or None if off the grid."""
    length = measure.barDuration.quarterLength * 4
    if measure.duration.quarterLength * 4 != length or length != int(length):
        return None
    cells = ["."] * int(length)
    for e in measure.notesAndRests:
        if e.duration.isGrace:
            continue
        start, span = e.offset * 4, e.duration.quarterLength * 4
        if start != int(start) or span != int(span) or span == 0:
            return None
        if isinstance(e, note.Rest):
            continue
        tied = e.tie is not None and e.tie.type in ("stop", "continue")
        for s in range(int(start), min(int(start + span), len(cells))):
            cells[s] = "-" if (s > start or tied) else "x"
    text = "".join(cells)
    return text if "x" in text or "-" in text else None


def add_rhythms(model: Model, part: Any) -> None:
    """Count one-bar rhythms; pairs of short bars also count as one bar of the doubled meter."""
    pending: dict[str, str] = {}
    for measure in part.getElementsByClass(stream.Measure):
        ts = measure.timeSignature or measure.getContextByClass("TimeSignature")
        if ts is None:
            continue
        meter = ts.ratioString
        pattern = bar_pattern(measure)
        if pattern is None:
            pending.pop(meter, None)
            continue
        if meter in KEEP:
            model.rhythms[meter][pattern] += 1
        if meter in PAIRS:
            if meter in pending:
                model.rhythms[PAIRS[meter]][pending.pop(meter) + pattern] += 1
            else:
                pending[meter] = pattern


def add_score(model: Model, score: Any, part: Any, source: str) -> None:
    """Count one tune (its key from the key signature)."""
    found = tonic_and_family(score)
    if found is None:
        return
    tonic, family = found
    add_pitches(model, part, tonic, family)
    add_rhythms(model, part)
    model.tunes += 1
    model.sources[source] += 1


def abc_scores(collection: str, limit: int) -> Iterator[Any]:
    """Every tune of one ABC collection (a file may hold an opus of many tunes)."""
    paths = sorted(str(p) for p in corpus.getCorePaths() if f"/{collection}/" in str(p))
    for path in paths[:limit]:
        try:
            parsed = corpus.parse(path)
        except Exception as exc:  # a malformed tune must not stop the build
            print(f"skip {path}: {exc}", file=sys.stderr)
            continue
        yield from (parsed.scores if isinstance(parsed, stream.Opus) else [parsed])


def chorale_sopranos(limit: int) -> Iterator[tuple[Any, Any]]:
    """(chorale, its soprano part) for the Bach chorales."""
    paths = sorted(str(p) for p in corpus.getComposer("bach") if str(p).endswith((".mxl", ".xml")))
    for path in paths[:limit]:
        try:
            score = corpus.parse(path)
        except Exception as exc:
            print(f"skip {path}: {exc}", file=sys.stderr)
            continue
        for part in score.parts:
            name = f"{part.id} {part.partName}".lower()
            if "soprano" in name or name.startswith("s "):
                yield score, part
                break


def build(limit: int) -> Model:
    """Walk the corpus and count."""
    model = Model()
    for collection in ABC_COLLECTIONS:
        started = time.time()
        for score in abc_scores(collection, limit):
            if score.parts:
                add_score(model, score, score.parts[0], collection)
        print(
            f"{collection}: {model.sources[collection]} tunes, {time.time() - started:.0f} s", file=sys.stderr
        )
    for score, part in chorale_sopranos(limit):
        add_score(model, score, part, "bach_chorales")
    print(f"bach: {model.sources['bach_chorales']} chorales", file=sys.stderr)
    return model


def main() -> None:
    """Build and write the model."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=100_000, help="files per collection (for a quick try)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    model = build(args.limit)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model.to_json(), separators=(",", ":"), sort_keys=True) + "\n")
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes, {model.tunes} tunes, {model.notes} notes)")


if __name__ == "__main__":
    main()
