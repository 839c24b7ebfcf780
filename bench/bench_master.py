"""Benchmark of POST /v1/master's work: loudness on target, true peak under the ceiling, speed.

    .venv/bin/python bench/bench_master.py            # 14 materials x 7 settings, references, lossy, 180 s
    .venv/bin/python bench/bench_master.py --quick    # 3 settings per material, no 180 s row

Every case runs the ``master`` task itself on a 16-bit WAV file (in-memory task context, warm
process) and measures the file it wrote: integrated loudness with pyloudnorm (an implementation
independent of the task's meter) and the true peak with the BS.1770-4 4x meter. A case passes when
the loudness is within 0.5 LU of the target and the true peak is at or under the ceiling.

The baseline, in the same run, is what a script does with pyloudnorm: ``normalize.loudness`` to the
target, then ``normalize.peak`` down to the ceiling when the sample peak is over it, written as 16-bit
WAV and measured the same way. The material (``master_material.py``) is built here: the embedded
music engine's unmastered premasters (pop, rock, EDM, ambient, a very quiet piano, a brick-walled
clipped metal master, an orchestral piece with a 24 dB quieter first half), espeak-ng speech (mono,
and a clipped stereo copy), synthetic drums, clicks 40 dB over a noise bed, sines and pink noise.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
import pyloudnorm
import soundfile as sf
from master_material import MATERIALS, RATE, mastered, music, speech, tilted

from mixdown.audio.codec import decode
from mixdown.audio.pcm import to_float32
from mixdown.engines.mastering.reference import profile
from mixdown.engines.music.produce.loudness import true_peak_db
from mixdown.tasks.base import TaskInputs
from mixdown.tasks.master import TASK
from mixdown.tasks.testing import MemoryTaskContext, inputs_from_file

LOUDNESS_TOLERANCE = 0.5
# (target LUFS, ceiling dBTP, preset)
SETTINGS = (
    (-23.0, -1.0, "none"),
    (-16.0, -1.0, "podcast"),
    (-14.0, -1.0, "balanced"),
    (-14.0, -2.0, "streaming"),
    (-11.0, -1.0, "warm"),
    (-9.0, -0.5, "bright"),
    (-7.0, -1.0, "balanced"),
)
QUICK_SETTINGS = (SETTINGS[0], SETTINGS[2], SETTINGS[5])
REFERENCES = (  # (input material, reference, reference's name)
    ("pop premaster", lambda: tilted(mastered("pop", 13), 1.0), "pop master +1 dB/oct"),
    ("pop premaster", lambda: tilted(mastered("pop", 13), -1.0), "pop master -1 dB/oct"),
    ("pop premaster", lambda: mastered("edm_big_room", 6), "EDM master"),
    ("rock premaster", lambda: mastered("ambient", 7), "ambient master"),
    ("piano, very quiet", lambda: mastered("classical_piano", 11), "piano master"),
    ("speech (espeak, mono)", lambda: np.repeat(speech(), 2, axis=1) * 0.9, "stereo speech"),
)


class FileContext(MemoryTaskContext):
    """Like the worker's context: results stay files (the memory twin would copy their bytes in)."""

    def add_result(self, path: Path, *, kind: str, format: str, **meta: Any) -> str:
        self.results.append({"path": Path(path), "kind": kind, "format": format, **meta})
        return f"res_{len(self.results)}"


def write_wav(audio: np.ndarray, name: str) -> Path:
    path = Path(tempfile.mkdtemp()) / name
    sf.write(path, audio, RATE, subtype="PCM_16")
    return path


def loudness_and_peak(path: Path) -> tuple[float, float]:
    """(pyloudnorm integrated LUFS, BS.1770-4 dBTP) of a written file."""
    audio = decode(path)
    samples = to_float32(audio.samples)
    return pyloudnorm.Meter(audio.sample_rate).integrated_loudness(samples), true_peak_db(samples)


def run_task(inputs: TaskInputs, raw: dict[str, Any]) -> tuple[Path, dict[str, Any], tuple[float, float]]:
    """The written file, the job metadata and the (wall, CPU) seconds of one master job."""
    params = TASK.parse_params(raw)
    TASK.check_params(params, inputs)
    ctx = FileContext(work_dir=Path(tempfile.mkdtemp()))
    started, cpu = time.perf_counter(), time.process_time()
    TASK.run(inputs, params, ctx)
    return ctx.results[0]["path"], ctx.metadata, (time.perf_counter() - started, time.process_time() - cpu)


def baseline(audio: np.ndarray, target: float, ceiling: float) -> tuple[Path, tuple[float, float]]:
    """pyloudnorm loudness normalisation then sample-peak normalisation; the file and (wall, CPU) s."""
    started, cpu = time.perf_counter(), time.process_time()
    measured = pyloudnorm.Meter(RATE).integrated_loudness(audio)
    with warnings.catch_warnings():  # its "possible clipped samples" is what the table counts
        warnings.filterwarnings("ignore", "Possible clipped samples", UserWarning)
        out = pyloudnorm.normalize.loudness(audio.astype(np.float64), measured, target)
    if np.abs(out).max() > 10 ** (ceiling / 20):
        out = pyloudnorm.normalize.peak(out, ceiling)
    seconds = (time.perf_counter() - started, time.process_time() - cpu)
    return write_wav(np.clip(out, -1.0, 1.0), "baseline.wav"), seconds


@dataclass
class Tally:
    """Hits and worst errors of one method over a group of cases."""

    cases: int = 0
    hits: int = 0
    worst_lu: float = 0.0
    worst_over: float = -np.inf  # true peak minus ceiling, dB
    seconds: float = 0.0
    compute: float = 0.0
    cpu: float = 0.0
    misses: list[str] = field(default_factory=list)

    def add(self, label: str, loudness: float, peak: float, target: float, ceiling: float) -> None:
        error, over = abs(loudness - target), peak - ceiling
        ok = error <= LOUDNESS_TOLERANCE and over <= 0.0
        self.cases += 1
        self.hits += ok
        self.worst_lu, self.worst_over = max(self.worst_lu, error), max(self.worst_over, over)
        if not ok:
            self.misses.append(f"{label}: {loudness:.2f} LUFS, {peak:.2f} dBTP")

    def timed(self, seconds: float, compute: tuple[float, float]) -> None:
        self.seconds += seconds
        self.compute += compute[0]
        self.cpu += compute[1]

    def speed(self) -> str:
        """Seconds of input per second of compute: wall clock / CPU time of this process."""
        return f"{self.seconds / self.compute:.1f}x / {self.seconds / self.cpu:.1f}x"

    def cell(self) -> str:
        return f"{self.hits}/{self.cases} (|dL| <= {self.worst_lu:.2f}, TP-ceil <= {self.worst_over:+.2f})"


def material_rows(
    settings: tuple[tuple[float, float, str], ...],
) -> tuple[list[tuple[str, ...]], Tally, Tally]:
    rows: list[tuple[str, ...]] = []
    total_ours, total_base = Tally(), Tally()
    for name, make in MATERIALS.items():
        audio = np.asarray(make(), dtype=np.float32)
        inputs = inputs_from_file(write_wav(audio, "input.wav"))
        ours, base = Tally(), Tally()
        for target, ceiling, preset in settings:
            label = f"{name} {target:g}/{ceiling:g} {preset}"
            path, _, compute = run_task(
                inputs, {"target_lufs": target, "true_peak_db": ceiling, "preset": preset}
            )
            for tally in (ours, total_ours):
                tally.add(label, *loudness_and_peak(path), target, ceiling)
                tally.timed(inputs.seconds(), compute)
            base_path, base_compute = baseline(audio, target, ceiling)
            for tally in (base, total_base):
                tally.add(label, *loudness_and_peak(base_path), target, ceiling)
                tally.timed(inputs.seconds(), base_compute)
        rows.append(
            (
                name,
                f"{inputs.seconds():.0f} s",
                ours.cell(),
                base.cell(),
                ours.speed(),
            )
        )
    return rows, total_ours, total_base


def spectral_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute dB difference of two level-free smoothed spectra over 100 Hz - 10 kHz."""
    pa, pb = profile(a, RATE), profile(b, RATE)
    assert pa is not None
    assert pb is not None
    band = (pa.freqs >= 100) & (pa.freqs <= 10000)
    diff = pa.spectrum_db[band] - pb.spectrum_db[band]
    return float(np.mean(np.abs(diff - diff.mean())))


def reference_rows() -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for name, make_reference, reference_name in REFERENCES:
        audio = np.asarray(MATERIALS[name](), dtype=np.float32)
        reference = np.asarray(make_reference(), dtype=np.float32)
        main = inputs_from_file(write_wav(audio, "input.wav"))
        ref = inputs_from_file(write_wav(reference, "reference.wav"), "reference")
        inputs = TaskInputs(audio={**main.audio, **ref.audio})
        path, meta, compute = run_task(inputs, {})
        loudness, peak = loudness_and_peak(path)
        out = to_float32(decode(path).samples)
        tally = Tally()
        tally.add(name, loudness, peak, meta["target_lufs"], -1.0)
        tally.timed(main.seconds(), compute)
        before, after = spectral_distance(audio, reference), spectral_distance(out, reference)
        rows.append(
            (
                f"{name} -> {reference_name}",
                f"target {meta['target_lufs']:.1f} ({meta['target_source']})",
                tally.cell(),
                f"spectrum {before:.1f} -> {after:.1f} dB from the reference",
                tally.speed(),
            )
        )
    return rows


def lossy_rows() -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for fmt in ("mp3", "opus"):
        tally, noted = Tally(), 0
        for name, make in MATERIALS.items():
            inputs = inputs_from_file(write_wav(np.asarray(make(), dtype=np.float32), "input.wav"))
            path, meta, _ = run_task(inputs, {"target_lufs": -14.0, "output_format": fmt})
            tally.add(name, *loudness_and_peak(path), -14.0, -1.0)
            noted += bool(meta["notes"])
        rows.append(
            (f"-14 LUFS / -1 dBTP as {fmt} (decoded)", "", tally.cell(), f"{noted} noted overshoots", "")
        )
    return rows


def long_row() -> tuple[str, ...]:
    audio = music("pop", 12, 180.0)
    inputs = inputs_from_file(write_wav(audio, "long.wav"))
    run_task(inputs, {})  # warm
    path, _, compute = run_task(inputs, {})
    tally, base = Tally(), Tally()
    tally.add("180 s", *loudness_and_peak(path), -14.0, -1.0)
    tally.timed(180.0, compute)
    base.timed(180.0, baseline(audio, -14.0, -1.0)[1])
    return ("pop, 180 s, defaults", "-14.0 (preset)", tally.cell(), f"baseline {base.speed()}", tally.speed())


def print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print()
    for line in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="3 settings per material, no lossy or 180 s rows"
    )
    args = parser.parse_args()
    warm = inputs_from_file(write_wav(music("pop")[: RATE * 5], "warm.wav"))
    run_task(warm, {})  # imports, pedalboard and FFT plans: not what is timed
    rows, ours, base = material_rows(QUICK_SETTINGS if args.quick else SETTINGS)
    rows.append(("ALL", "", ours.cell(), base.cell(), ours.speed()))
    header = (
        "material",
        "length",
        "mixdown: on target & under ceiling",
        "pyloudnorm + peak normalise",
        "x RT (wall / CPU)",
    )
    print_table(header, rows)
    print(f"\nmixdown {100 * ours.hits / ours.cases:.0f} % of cases (target 100 %), "
          f"baseline {100 * base.hits / base.cases:.0f} %; speed (wall / CPU) {ours.speed()} real time "
          f"(target >= 20x), baseline {base.speed()}")  # fmt: skip
    for miss in ours.misses:
        print("  mixdown miss:", miss)
    extra = reference_rows()
    if not args.quick:
        extra += lossy_rows()
        extra.append(long_row())
    print_table(
        ("reference / lossy / long", "target", "on target & under ceiling", "detail", "x RT (wall / CPU)"),
        extra,
    )


if __name__ == "__main__":
    main()
