"""Benchmark of POST /v1/audio-to-midi's work: note accuracy, speed, beat grid, key, and quantize.

    .venv/bin/python bench/bench_audio_to_midi.py           # the table (~2-3 minutes on 2 cores)
    .venv/bin/python bench/bench_audio_to_midi.py --sweep   # + the threshold sweep on the tuning set

Ground truth is built here: piano pieces from the music21 corpus (four Bach chorales, Joplin's Maple
Leaf Rag, a Clara Schumann polonaise, a Chopin mazurka; the first 30 s of each at a fixed tempo)
and generated polyphonic passages (bass, chords and a melody on a 1/16 grid, 72-150 bpm, 3/4 and
4/4, some starting after a short silence), all rendered with FluidSynth and the FluidR3 GM piano at
44.1 kHz. Notes are scored with ``mir_eval.transcription`` (same pitch, onset within 50 ms, offsets
ignored). The passages the thresholds were chosen on (``--sweep``, seeds 100-107) are not the ones
scored in the table (seeds 1-8).

Rows: note F-measure with the tuned defaults beside basic-pitch's own defaults (0.5 / 0.3 /
127.7 ms) on the same audio; speed of the job's whole work (network, note creation, beat grid, key,
MIDI and JSON) beside the bare network; tempo, meter and bar 1, key; and for ``quantize``: the
share of notes on the grid step they were played on (up to a whole-beat shift of bar 1) and at the
right bar and beat, beside a plain 1/16 quantization at 120 bpm -- what basic-pitch's MIDI (always
written at 120 bpm) gives when quantized in a DAW -- and the median onset error against the score.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import mir_eval
import numpy as np
import pretty_midi

from mixdown.engines.transcription import model
from mixdown.engines.transcription.grid import Grid, quantize
from mixdown.engines.transcription.key import Key
from mixdown.engines.transcription.midi_file import write_midi
from mixdown.engines.transcription.note_creation import DecodeOptions, decode
from mixdown.engines.transcription.notes import Note, tidy
from mixdown.engines.transcription.pipeline import TranscribeOptions, Transcription, transcribe

SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
RATE = 44100
EXCERPT_SECONDS = 30.0
CORPUS = (  # (corpus path, quarter notes per minute)
    ("bach/bwv66.6", 84),
    ("bach/bwv269", 96),
    ("bach/bwv347", 90),
    ("bach/bwv153.1", 80),
    ("joplin/maple_leaf_rag", 92),
    ("schumann_clara/polonaise_op1n1", 100),
    ("chopin/mazurka06-2", 132),
)
BASELINE = DecodeOptions(onset_threshold=0.5, frame_threshold=0.3, min_note_ms=127.7)
_MAJOR_BY_SHARPS = {k: (7 * k) % 12 for k in range(-7, 8)}


@dataclass(frozen=True)
class Piece:
    """Reference notes (seconds), the grid they were rendered on, the key, and the audio."""

    name: str
    notes: list[Note]
    grid: Grid  # bar 1 at or before 0 s
    audio: np.ndarray
    key: str | None = None


def render(notes: list[Note], seconds: float) -> np.ndarray:
    """FluidSynth, GM acoustic grand piano, mono float32 at 44.1 kHz peaking at -6 dBFS."""
    midi = pretty_midi.PrettyMIDI()
    piano = pretty_midi.Instrument(program=0)
    piano.notes = [pretty_midi.Note(n.velocity, n.pitch, n.start, n.end) for n in notes]
    midi.instruments.append(piano)
    audio = midi.fluidsynth(fs=RATE, synthesizer=SOUNDFONT)[: round(seconds * RATE)]
    return (0.5 * audio / max(1e-9, float(np.abs(audio).max()))).astype(np.float32)


def bar_one(first_downbeat: float, bar: float) -> float:
    """Where bar 1 starts given any downbeat: at or before 0 s (the convention of ``bar_lines``)."""
    return first_downbeat - bar * math.ceil(first_downbeat / bar - 0.05)


def score_key(score: object, notes: list[Note]) -> str | None:
    """The key signature, major or relative minor by the final bass note (None when neither fits)."""
    signatures = score.recurse().getElementsByClass("KeySignature")  # type: ignore[attr-defined]
    if not signatures:
        return None
    major = _MAJOR_BY_SHARPS[signatures[0].sharps]
    last = max(n.end for n in notes)
    bass = min((n for n in notes if n.end == last), key=lambda n: n.pitch).pitch % 12
    if bass == major:
        return Key(major, "major", 0.0).name
    return Key(bass, "minor", 0.0).name if bass == (major + 9) % 12 else None


def corpus_piece(path: str, bpm: float, rng: np.random.Generator) -> Piece:
    """The first seconds of a music21 corpus score, every part on the piano."""
    from music21 import corpus

    score = corpus.parse(path).stripTies()
    beat = 60.0 / bpm
    found: list[Note] = []
    for element in score.flatten().notes:
        start, length = float(element.offset) * beat, float(element.quarterLength) * beat
        if length <= 0:
            continue
        for pitch in element.pitches:
            found.append(Note(start, start + length, int(pitch.midi), float(rng.integers(60, 100)) / 127))
    signature = score.recurse().getElementsByClass("TimeSignature")[0]
    per_bar = signature.barDuration.quarterLength
    first_measure = score.parts[0].getElementsByClass("Measure")[0]
    pickup = float(first_measure.duration.quarterLength) if first_measure.number == 0 else 0.0
    key = score_key(score, found)
    notes = tidy([n for n in found if n.start < EXCERPT_SECONDS - 0.5])
    notes = [Note(n.start, min(n.end, EXCERPT_SECONDS), n.pitch, n.amplitude) for n in notes]
    grid = Grid(bpm, bar_one(pickup * beat, per_bar * beat), round(per_bar))
    return Piece(path, notes, grid, render(notes, EXCERPT_SECONDS + 1.0), key=key)


PROGRESSIONS = ((0, 3, 4, 0), (0, 5, 3, 4), (0, 4, 5, 3), (0, 3, 0, 4))  # scale degrees of chord roots


def passage(seed: int) -> Piece:
    """Bass, chords and a 1/16-step melody (mostly chord tones) over I-IV-V-vi progressions in a major
    key, at a tempo and meter drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    bpm = float(rng.choice([72, 84, 96, 100, 110, 120, 128, 140, 150]))
    per_bar, lead = int(rng.choice([3, 4, 4])), float(rng.choice([0.0, 0.0, 0.35, 1.2]))
    step, tonic, scale = 60.0 / bpm / 4, int(rng.integers(0, 12)), [0, 2, 4, 5, 7, 9, 11]
    bars = int(24 / (per_bar * 4 * step))
    roots = [r for _ in range(0, bars, 4) for r in PROGRESSIONS[int(rng.integers(0, 4))]][:bars]
    roots[-1] = 0
    notes: list[Note] = []
    for bar, root in enumerate(roots):
        chord = [root + k for k in (0, 2, 4)]  # scale degrees
        t0 = lead + bar * per_bar * 4 * step
        notes.append(Note(t0, t0 + per_bar * 4 * step * 0.95, 36 + tonic + scale[root], 0.7))
        for beat in range(per_bar):
            if rng.random() < 0.6:
                end = t0 + (beat * 4 + int(rng.choice([2, 3, 4]))) * step
                notes += [Note(t0 + beat * 4 * step, end, 55 + tonic + _pitch(scale, d), 0.55) for d in chord]
        position = 0
        while position < per_bar * 4:
            length = int(rng.choice([1, 2, 2, 3, 4]))
            degree = (
                int(rng.choice(chord)) + 7 * int(rng.integers(0, 2))
                if rng.random() < 0.65
                else int(rng.integers(0, 9))
            )
            start, velocity = t0 + position * step, float(rng.uniform(0.5, 0.85))
            notes.append(Note(start, start + length * step, 67 + tonic + _pitch(scale, degree), velocity))
            position += length
    notes = tidy(notes)
    grid = Grid(bpm, bar_one(lead, per_bar * 4 * step), per_bar)
    audio = render(notes, max(n.end for n in notes) + 1.0)
    return Piece(f"passage {seed}", notes, grid, audio, key=Key(tonic, "major", 0.0).name)


def _pitch(scale: list[int], degree: int) -> int:
    """Semitones above the tonic of a scale degree (0-based, may pass the octave)."""
    return scale[degree % 7] + 12 * (degree // 7)


def _arrays(notes: list[Note]) -> tuple[np.ndarray, np.ndarray]:
    # +1 s: a quantized first note may sit a few ms before 0 s, which mir_eval refuses.
    intervals = np.array([[n.start + 1.0, max(n.end, n.start + 0.01) + 1.0] for n in notes])
    return intervals, np.array([440.0 * 2 ** ((n.pitch - 69) / 12) for n in notes])


def f_measure(reference: list[Note], estimate: list[Note]) -> tuple[float, float, float]:
    """(precision, recall, F) of note onsets (50 ms) and pitches, offsets ignored."""
    if not estimate:
        return 0.0, 0.0, 0.0
    p, r, f, _ = mir_eval.transcription.precision_recall_f1_overlap(
        *_arrays(reference), *_arrays(estimate), offset_ratio=None
    )
    return float(p), float(r), float(f)


def matched(reference: list[Note], estimate: list[Note], window: float = 0.05) -> list[tuple[Note, Note]]:
    """(reference, estimate) pairs matched by pitch and onset."""
    pairs = mir_eval.transcription.match_notes(
        *_arrays(reference), *_arrays(estimate), onset_tolerance=window, offset_ratio=None
    )
    return [(reference[i], estimate[j]) for i, j in pairs]


def grid_shares(piece: Piece, estimate: list[Note], grid: Grid) -> tuple[float, float, float]:
    """Of the notes matched to the score (75 ms): shares on the right grid step (up to a whole-beat
    shift of bar 1, the same for the whole piece) and at the right bar and beat; median onset error."""
    pairs = matched(piece.notes, estimate, window=0.075)
    if not pairs:
        return 0.0, 0.0, float("nan")
    gaps = [grid.beat_at(e.start) - piece.grid.beat_at(r.start) for r, e in pairs]
    shift = Counter(round(g) for g in gaps).most_common(1)[0][0]
    line = sum(abs(g - shift) < 1e-3 for g in gaps) / len(pairs)
    bar = sum(abs(g) < 1e-3 for g in gaps) / len(pairs)
    error = float(np.median([abs(e.start - r.start) for r, e in pairs]))
    return line, bar, error


@dataclass
class Run:
    """One piece: the job's output and time, the bare network's time, basic-pitch-default notes."""

    piece: Piece
    result: Transcription
    seconds: float
    cpu_seconds: float
    network_seconds: float
    baseline_notes: list[Note]


def run_piece(piece: Piece) -> Run:
    """The job's work on one piece (as the task does it, MIDI and JSON included), timed."""
    with tempfile.TemporaryDirectory() as tmp:
        started, cpu = time.perf_counter(), time.process_time()
        result = transcribe(piece.audio, RATE)
        write_midi(result.notes, Path(tmp) / "t.mid", grid=result.midi_grid, key=result.key)
        result.note_list()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    started = time.perf_counter()
    activations = model.predict(model.to_model_rate(piece.audio, RATE))
    network = time.perf_counter() - started
    return Run(piece, result, seconds, cpu, network, tidy(decode(activations, BASELINE)))


def sweep(pieces: list[Piece]) -> None:
    """Mean onset F on the tuning passages over a grid of thresholds."""
    activations = [(p, model.predict(model.to_model_rate(p.audio, RATE))) for p in pieces]
    print("\nthreshold sweep on the tuning set (mean onset F; min note 30 / 50 / 80 / 127.7 ms)")
    for onset in (0.4, 0.5, 0.6, 0.7, 0.8):
        for frame in (0.3, 0.4, 0.5):
            scores = []
            for min_ms in (30.0, 50.0, 80.0, 127.7):
                options = DecodeOptions(onset_threshold=onset, frame_threshold=frame, min_note_ms=min_ms)
                scores.append(
                    np.mean([f_measure(p.notes, tidy(decode(a, options)))[2] for p, a in activations])
                )
            print(f"  onset {onset:.1f} frame {frame:.1f}: " + " ".join(f"{s:.3f}" for s in scores))


def accuracy_rows(runs: list[Run]) -> list[tuple[str, ...]]:
    rows = []
    for label, chosen in (
        ("corpus", [r for r in runs if "/" in r.piece.name]),
        ("passages", [r for r in runs if "/" not in r.piece.name]),
    ):
        ours = np.array([f_measure(r.piece.notes, r.result.notes) for r in chosen]).mean(axis=0)
        base = np.array([f_measure(r.piece.notes, r.baseline_notes) for r in chosen]).mean(axis=0)
        rows.append(
            (
                f"note F, {label} ({len(chosen)})",
                f"{ours[2]:.3f} (P {ours[0]:.3f} R {ours[1]:.3f})",
                f"bp defaults {base[2]:.3f} (P {base[0]:.3f} R {base[1]:.3f})",
                f"{ours[2] / base[2]:.2f}x",
                ">= 0.75",
            )
        )
    return rows


def speed_rows(runs: list[Run]) -> list[tuple[str, ...]]:
    audio = sum(r.piece.audio.shape[0] / RATE for r in runs)
    job, network = sum(r.seconds for r in runs), sum(r.network_seconds for r in runs)
    cpu, load = sum(r.cpu_seconds for r in runs), os.getloadavg()[0]
    return [
        (
            f"speed, {audio:.0f} s of audio (warm; load {load:.1f})",
            f"{audio / job:.1f}x real time ({audio / cpu:.0f} s per CPU s)",
            f"network alone {audio / network:.1f}x",
            f"{job / network:.2f}x the network's time",
            ">= 10x",
        )
    ]


def analysis_rows(runs: list[Run]) -> list[tuple[str, ...]]:
    tempo = [abs(r.result.grid.bpm / r.piece.grid.bpm - 1) < 0.02 for r in runs]
    octave = [
        min(abs(r.result.grid.bpm / r.piece.grid.bpm * k - 1) for k in (0.5, 1, 2)) < 0.02 for r in runs
    ]
    meter = [r.result.grid.beats_per_bar == r.piece.grid.beats_per_bar for r in runs]
    bar = [
        m and abs(r.result.grid.origin - r.piece.grid.origin) < 0.05 for m, r in zip(meter, runs, strict=True)
    ]
    keyed = [r for r in runs if r.piece.key]
    right = {r.piece.name for r in keyed if r.result.key is not None and r.result.key.name == r.piece.key}
    corpus = [r for r in keyed if "/" in r.piece.name]
    passages = [r for r in keyed if "/" not in r.piece.name]
    keys = f"{sum(r.piece.name in right for r in corpus)}/{len(corpus)}"
    keys += f" / {sum(r.piece.name in right for r in passages)}/{len(passages)}"
    return [
        (
            "tempo within 2 %",
            f"{sum(tempo)}/{len(runs)}",
            f"(any octave: {sum(octave)}/{len(runs)})",
            "-",
            "-",
        ),
        (
            "meter / meter and bar 1 right",
            f"{sum(meter)}/{len(runs)} / {sum(bar)}/{len(runs)}",
            "-",
            "-",
            "-",
        ),
        ("key right (corpus / passages)", keys, "-", "-", "-"),
    ]


def quantize_rows(runs: list[Run], quantized: list[Transcription]) -> list[tuple[str, ...]]:
    ours, naive, raw = [], [], []
    fixed = Grid(120.0, 0.0, 4)
    for run, result in zip(runs, quantized, strict=True):
        ours.append(grid_shares(run.piece, result.notes, result.grid))
        naive.append(grid_shares(run.piece, quantize(run.result.notes, fixed, steps_per_beat=4), fixed))
        raw.append(grid_shares(run.piece, run.result.notes, run.result.grid)[2])
    mine, base = np.nanmean(ours, axis=0), np.nanmean(naive, axis=0)
    return [
        (
            "quantize: notes on their grid step",
            f"{mine[0]:.3f}",
            f"1/16 at 120 bpm {base[0]:.3f}",
            f"{mine[0] / base[0]:.1f}x",
            "-",
        ),
        (
            "quantize: notes at the right bar+beat",
            f"{mine[1]:.3f}",
            f"1/16 at 120 bpm {base[1]:.3f}",
            f"{mine[1] / max(base[1], 1e-3):.1f}x",
            "-",
        ),
        (
            "quantize: median onset error",
            f"{mine[2] * 1000:.1f} ms",
            f"unquantized {np.nanmean(raw) * 1000:.1f} ms",
            "-",
            "-",
        ),
    ]


def table(rows: list[tuple[str, ...]]) -> None:
    header = ("measure", "mixdown", "baseline (same run)", "ratio", "target")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]
    print()
    for line in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sweep", action="store_true", help="also sweep thresholds on the tuning set")
    args = parser.parse_args()
    started = time.perf_counter()
    model.warm_up()
    rng = np.random.default_rng(0)
    pieces = [corpus_piece(path, bpm, rng) for path, bpm in CORPUS] + [passage(seed) for seed in range(1, 9)]
    print(f"{len(pieces)} pieces rendered in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if args.sweep:
        sweep([passage(seed) for seed in range(100, 108)])
    runs = [run_piece(p) for p in pieces]
    quantized = [transcribe(r.piece.audio, RATE, TranscribeOptions(quantize=True)) for r in runs]
    table(accuracy_rows(runs) + speed_rows(runs) + analysis_rows(runs) + quantize_rows(runs, quantized))
    print(f"\n(total {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
