"""Benchmark of POST /v1/key-bpm's analysis against ground truth we wrote ourselves.

    .venv/bin/python bench/bench_key_bpm.py             # 55 grooves + 30 chorales (~3 min on a quiet machine)
    .venv/bin/python bench/bench_key_bpm.py --quick     # 22 grooves + 10 chorales

Material (bench/keybpm_material.py): drums + bass + chords in eleven styles at known tempi (70-176
bpm), meters (4/4, 3/4) and keys (all 24), and Bach chorales from the music21 corpus whose key is
their declared key signature confirmed by the final bass note; all rendered with FluidSynth and
the GM soundfont. Each clip is analysed by

* **mixdown** -- ``analyse_key_bpm`` (essentia multi-feature beats + metrical choice, HPCP + Key
  with the chosen profile, downbeats, loudness), the task's whole analysis;
* **baseline** -- ``librosa.beat.beat_track`` and a Krumhansl-Kessler template on the mean
  ``chroma_cqt`` (the plain-library approach);
* **engine** -- the music engine's numpy analyser (``engines.music.analysis.analyse``), used by its
  quality report.

Tempo is right when within 4 % of the truth (double, half and others counted apart); key by
``mir_eval.key.weighted_score`` (1 right, 0.5 fifth, 0.3 relative, 0.2 parallel); beats and
downbeats by ``mir_eval.beat.f_measure`` (70 ms window). Speed is seconds of audio per second of
analysis, warm (one clip analysed before timing), single process. A second table compares
essentia's key profiles on the same HPCP frames.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("NUMBA_CACHE_DIR", str(Path(tempfile.gettempdir()) / "mixdown-numba"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import mir_eval
import numpy as np
from keybpm_material import RATE, Clip, chorales, grooves

from mixdown.engines.keybpm import analyse_key_bpm
from mixdown.engines.keybpm.backend import KEY_PROFILE, borrowed, key_algorithm, standard
from mixdown.engines.keybpm.tonality import MAJOR_NAMES, MINOR_NAMES, estimate_key, hpcp_frames, pitch_class
from mixdown.engines.music import analysis as engine_analysis
from mixdown.engines.music.quality import KK_MAJOR, KK_MINOR

PROFILES = ("shaath", "bgate", "edma", "temperley", "krumhansl", "braw", "temperley2005", "tonictriad",
            "noland", "gomez", "thpcp", "diatonic", "edmm")  # fmt: skip
TOLERANCE = 0.04


@dataclass
class Reading:
    """What one method said about one clip."""

    bpm: float | None
    key: str | None
    beats: np.ndarray | None = None
    downbeats: np.ndarray | None = None
    beats_per_bar: int | None = None


# -- the three methods --------------------------------------------------------------------------------


def mixdown_reading(clip: Clip) -> Reading:
    result = analyse_key_bpm(np.stack([clip.audio, clip.audio], axis=1), RATE)
    key = None if result.key is None else result.key.name
    return Reading(
        result.rhythm.bpm, key, result.rhythm.beats, result.meter.downbeats, result.meter.beats_per_bar
    )


def baseline_reading(clip: Clip) -> Reading:
    import librosa

    y = librosa.resample(clip.audio, orig_sr=RATE, target_sr=22050)
    tempo, beats = librosa.beat.beat_track(y=y, sr=22050, units="time")
    profile = librosa.feature.chroma_cqt(y=y, sr=22050).mean(axis=1)
    return Reading(float(np.atleast_1d(tempo)[0]), krumhansl_key(profile), np.asarray(beats))


def krumhansl_key(profile: np.ndarray) -> str:
    """The best of the 24 rotated Krumhansl-Kessler profiles by correlation."""
    scores = [
        (float(np.corrcoef(profile, np.roll(template, tonic))[0, 1]), tonic, mode)
        for template, mode in ((KK_MAJOR, "major"), (KK_MINOR, "minor"))
        for tonic in range(12)
    ]
    _, tonic, mode = max(scores)
    return f"{(MAJOR_NAMES if mode == 'major' else MINOR_NAMES)[tonic]} {mode}"


def engine_reading(clip: Clip) -> Reading:
    result = engine_analysis.analyse(clip.audio, RATE)
    return Reading(
        result.bpm, result.key, np.asarray(result.beats), np.asarray(result.downbeats), result.beats_per_bar
    )


METHODS: dict[str, Callable[[Clip], Reading]] = {
    "mixdown": mixdown_reading,
    "baseline": baseline_reading,
    "engine": engine_reading,
}


# -- scoring ------------------------------------------------------------------------------------------


def tempo_relation(measured: float | None, truth: float) -> str:
    if not measured:
        return "none"
    for name, factor in (("exact", 1.0), ("double", 2.0), ("half", 0.5)):
        if abs(measured / (truth * factor) - 1.0) <= TOLERANCE:
            return name
    return "other"


def truth_beats(clip: Clip) -> tuple[np.ndarray, np.ndarray]:
    assert clip.bpm is not None
    assert clip.beats_per_bar is not None
    beats = np.arange(0.0, clip.seconds, 60.0 / clip.bpm)
    return beats, beats[:: clip.beats_per_bar]


def f_measure(reference: np.ndarray, estimate: np.ndarray | None) -> float | None:
    if estimate is None:
        return None
    return float(
        mir_eval.beat.f_measure(mir_eval.beat.trim_beats(reference), mir_eval.beat.trim_beats(estimate))
    )


@dataclass
class Tally:
    """Per method: tempo relations, key scores, beat/downbeat F, meter hits, audio and compute seconds."""

    tempo: Counter[str]
    key: list[float]
    beat_f: list[float]
    downbeat_f: list[float]
    meter: list[bool]
    audio: float = 0.0
    wall: float = 0.0
    cpu: float = 0.0

    def add(self, clip: Clip, reading: Reading) -> None:
        self.key.append(float(mir_eval.key.weighted_score(clip.key, reading.key)) if reading.key else 0.0)
        if clip.bpm is None:
            return
        self.tempo[tempo_relation(reading.bpm, clip.bpm)] += 1
        beats, downbeats = truth_beats(clip)
        for target, score in ((self.beat_f, f_measure(beats, reading.beats)),
                              (self.downbeat_f, f_measure(downbeats, reading.downbeats))):  # fmt: skip
            if score is not None:
                target.append(score)
        if reading.beats_per_bar is not None:
            self.meter.append(reading.beats_per_bar == clip.beats_per_bar)


def run_method(name: str, clips: list[Clip], failures: list[str]) -> Tally:
    method = METHODS[name]
    method(clips[0])  # warm: imports, JIT, algorithm construction
    tally = Tally(Counter(), [], [], [], [])
    for clip in clips:
        wall, cpu = time.perf_counter(), time.process_time()
        reading = method(clip)
        tally.wall += time.perf_counter() - wall
        tally.cpu += time.process_time() - cpu
        tally.audio += clip.seconds
        tally.add(clip, reading)
        if name == "mixdown":
            failures += describe_miss(clip, reading)
    return tally


def describe_miss(clip: Clip, reading: Reading) -> list[str]:
    out = []
    if clip.bpm is not None and tempo_relation(reading.bpm, clip.bpm) != "exact":
        out.append(f"  tempo {clip.name}: {reading.bpm or 0:.1f} for {clip.bpm:g}")
    if not reading.key or mir_eval.key.weighted_score(clip.key, reading.key) < 1.0:
        out.append(f"  key   {clip.name}: {reading.key} for {clip.key}")
    return out


# -- key profiles -------------------------------------------------------------------------------------


def profile_table(clips: list[Clip]) -> list[tuple[str, ...]]:
    """Weighted key score per essentia profile on the same HPCP frames, plus a KeyExtractor check."""
    with borrowed() as algorithms:
        frames = [hpcp_frames(algorithms, clip.audio) for clip in clips]
    rows = []
    for profile in PROFILES:
        key = key_algorithm(profile)
        scores = {"groove": [], "chorale": []}  # type: dict[str, list[float]]
        for clip, chroma in zip(clips, frames, strict=True):
            estimate = estimate_key(chroma, key)
            score = mir_eval.key.weighted_score(clip.key, estimate.name) if estimate else 0.0
            scores["chorale" if clip.style == "chorale" else "groove"].append(score)
        every = scores["groove"] + scores["chorale"]
        exact = f"{sum(s == 1.0 for s in every)}/{len(every)}"
        means = (np.mean(every), np.mean(scores["groove"]), np.mean(scores["chorale"]))
        rows.append((profile, *(f"{m:.3f}" for m in means), exact))
    rows.sort(key=lambda row: row[1], reverse=True)
    return rows


def keyextractor_agreement(clips: list[Clip]) -> str:
    """How often our HPCP + Key gives what essentia's own KeyExtractor gives (same profile)."""
    extractor = standard().KeyExtractor(profileType=KEY_PROFILE)
    same = 0
    with borrowed() as algorithms:
        for clip in clips:
            ours = estimate_key(hpcp_frames(algorithms, clip.audio), algorithms.key)
            name, scale, _ = extractor(clip.audio)
            same += ours is not None and (ours.tonic, ours.scale) == (pitch_class(name), scale)
    return f"{same}/{len(clips)}"


# -- report -------------------------------------------------------------------------------------------


def share(counter: Counter[str], *names: str) -> float:
    total = sum(counter.values())
    return sum(counter[n] for n in names) / total if total else 0.0


def mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else float("nan")


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "-"


def main_rows(t: dict[str, Tally]) -> list[tuple[str, ...]]:
    m, b, e = t["mixdown"], t["baseline"], t["engine"]
    rows = []
    for label, names, target in (("BPM exact (within 4 %)", ("exact",), ">= 85 %"),
                                 ("BPM octave-tolerant", ("exact", "double", "half"), ">= 95 %"),
                                 ("  of which double", ("double",), "-"),
                                 ("  of which half", ("half",), "-")):  # fmt: skip
        values = [share(x.tempo, *names) for x in (m, b, e)]
        rows.append((label, *(f"{100 * v:.1f} %" for v in values), ratio(values[0], values[1]), target))
    keys = [mean(x.key) for x in (m, b, e)]
    rows.append(
        ("Key weighted score (mir_eval)", *(f"{v:.3f}" for v in keys), ratio(keys[0], keys[1]), ">= 0.80")
    )
    beat = [mean(x.beat_f) for x in (m, b, e)]
    rows.append(("Beat F-measure", *(f"{v:.3f}" for v in beat), ratio(beat[0], beat[1]), "-"))
    down = [mean(m.downbeat_f), float("nan"), mean(e.downbeat_f)]
    rows.append(("Downbeat F-measure", f"{down[0]:.3f}", "-", f"{down[2]:.3f}", "-", "-"))
    meter = [mean([float(v) for v in x.meter]) for x in (m, e)]
    rows.append(("Time signature right", f"{100 * meter[0]:.1f} %", "-", f"{100 * meter[1]:.1f} %", "-", "-"))
    speed = [x.audio / x.wall for x in (m, b, e)]
    rows.append(
        ("Speed, x real time (wall)", *(f"{v:.0f}x" for v in speed), ratio(speed[0], speed[1]), ">= 50x")
    )
    cpu = [x.audio / x.cpu for x in (m, b, e)]
    rows.append(("Speed, x real time (CPU)", *(f"{v:.0f}x" for v in cpu), ratio(cpu[0], cpu[1]), "-"))
    return rows


def print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print()
    for line in [header, tuple("-" * w for w in widths), *rows]:
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="2 grooves per style and 10 chorales")
    parser.add_argument("--show-misses", action="store_true", help="list mixdown's tempo and key misses")
    parser.add_argument(
        "--selection",
        action="store_true",
        help="the material the key profile was chosen on (other grooves, other chorales)",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    seed, skip = (11, 200) if args.selection else (7, 0)
    clips = list(grooves(2 if args.quick else 5, seed=seed))
    clips += list(chorales(10 if args.quick else 30, skip=skip))
    tempo_clips = sum(c.bpm is not None for c in clips)
    rendered = time.perf_counter() - started
    failures: list[str] = []
    tallies = {name: run_method(name, clips, failures) for name in METHODS}
    audio = sum(c.seconds for c in clips)
    print(
        f"\n{len(clips)} clips ({tempo_clips} with a tempo), {audio / 60:.1f} min of audio, "
        f"rendered in {rendered:.0f} s"
    )
    header = (
        "measure",
        "mixdown (essentia)",
        "baseline (librosa)",
        "music engine (numpy)",
        "mixdown/baseline",
        "target",
    )
    print_table(header, main_rows(tallies))
    print_table(("key profile", "weighted", "grooves", "chorales", "exact"), profile_table(clips))
    print(
        f"\nOur HPCP + Key ({KEY_PROFILE}) agrees with essentia's KeyExtractor "
        f"on {keyextractor_agreement(clips)} clips."
    )
    if args.show_misses:
        print("\nmixdown misses:\n" + "\n".join(failures))
    print(f"\nbench time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
