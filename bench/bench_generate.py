"""End-to-end benchmark of POST /v1/generate's work (issue targets in the last column).

    .venv/bin/python bench/bench_generate.py            # 30 s, 300 s, first streamed chunk, 1200 s memory
    .venv/bin/python bench/bench_generate.py --quick    # 30 s and the first chunk only

Each row runs the generate task itself (understand -> compose -> render -> mix -> master ->
quality report -> export of mix, stems and MIDI) with an in-memory task context, after a warm-up,
and prints seconds of audio per second of compute beside the floor measured in the same run: the
same score's MIDI played by a bare FluidSynth (same soundfont, no effects). The 1200 s row runs in
a child process and reports that process's peak RSS.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_music_render import bare_fluidsynth

from mixdown.engines.music.compose import compose
from mixdown.engines.music.composer_engine import warm_up
from mixdown.engines.music.midi import score_to_midi
from mixdown.engines.music.understand import understand
from mixdown.tasks.base import TaskInputs
from mixdown.tasks.generate import TASK, GenerateParams
from mixdown.tasks.testing import MemoryTaskContext

PROMPT = "Melodic techno, 126 BPM, analog bass, airy pads, female vocal textures"
RATE = 44100


class FileContext(MemoryTaskContext):
    """Like the worker's context, results stay files (the memory twin would copy their bytes in)."""

    def add_result(self, path: Path, *, kind: str, format: str, **meta: Any) -> str:
        self.results.append({"path": Path(path), "kind": kind, "format": format, **meta})
        return f"res_{len(self.results)}"


def generate_seconds(duration: float, *, stream: bool = False) -> tuple[float, FileContext]:
    """Wall seconds of one generate job (stems and MIDI included unless streaming)."""
    ctx = FileContext(work_dir=Path(tempfile.mkdtemp()))
    params = GenerateParams(prompt=PROMPT, duration=duration, seed=1, sample_rate=RATE, stream=stream)
    started = time.perf_counter()
    TASK.run(TaskInputs(), params, ctx)
    return time.perf_counter() - started, ctx


def floor_seconds(duration: float) -> float:
    """A bare FluidSynth render of the same score's MIDI."""
    spec = understand(PROMPT, duration=duration, seed=1)
    score = compose(spec, 1)
    midi = Path(tempfile.mkdtemp()) / "floor.mid"
    score_to_midi(score, midi)
    started = time.perf_counter()
    bare_fluidsynth(midi, round(duration * RATE), RATE)
    return time.perf_counter() - started


def first_chunk_seconds() -> float:
    """Time from starting a streamed job to its first audio bytes."""

    class Clocked(FileContext):
        first: float | None = None

        def open_stream(self) -> Any:
            sink = super().open_stream()
            write = sink.write

            def timed_write(data: bytes) -> None:
                if self.first is None:
                    self.first = time.perf_counter()
                write(data)

            sink.write = timed_write  # type: ignore[method-assign]
            return sink

    ctx = Clocked(work_dir=Path(tempfile.mkdtemp()))
    params = GenerateParams(prompt=PROMPT, duration=30, seed=2, sample_rate=RATE, stream=True, stems=False)
    started = time.perf_counter()
    TASK.run(TaskInputs(), params, ctx)
    assert ctx.first is not None
    return ctx.first - started


def _long_child(duration: float, queue: Any) -> None:
    warm_up()
    seconds, _ = generate_seconds(duration)
    queue.put((seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def long_run(duration: float) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of a long generation in a fresh process."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_long_child, args=(duration, queue))
    child.start()
    result: tuple[float, float] = queue.get()
    child.join()
    return result


def row(name: str, value: str, baseline: str, ratio: str, target: str) -> tuple[str, ...]:
    return (name, value, baseline, ratio, target)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="skip the 300 s and 1200 s runs")
    args = parser.parse_args()
    warm_up()
    rows = []
    for duration in (30.0,) if args.quick else (30.0, 300.0):
        seconds, _ = generate_seconds(duration)
        floor = floor_seconds(duration)
        target = "< 1.5 s (20x)" if duration == 30 else "-"
        rows.append(
            row(
                f"generate {duration:.0f} s (x real time)",
                f"{duration / seconds:.1f}x ({seconds:.2f} s)",
                f"FluidSynth {duration / floor:.1f}x ({floor:.2f} s)",
                f"{seconds / floor:.1f}x floor",
                target,
            )
        )
    first = first_chunk_seconds()
    rows.append(row("first streamed chunk", f"{first * 1000:.0f} ms", "-", "-", "< 300 ms"))
    if not args.quick:
        seconds, rss = long_run(1200.0)
        rows.append(row("generate 1200 s: peak RSS", f"{rss:.0f} MB ({seconds:.0f} s)", "-", "-", "< 600 MB"))
    header = ("measure", "mixdown", "baseline (same run)", "ratio", "target")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]
    print()
    for line in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)))


if __name__ == "__main__":
    main()
