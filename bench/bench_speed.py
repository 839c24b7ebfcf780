"""Benchmark of POST /v1/speed's work: durations, pitch and speed, beside librosa's phase vocoder.

    .venv/bin/python bench/bench_speed.py            # every factor 0.25..4 x pitch shifts, 3 materials
    .venv/bin/python bench/bench_speed.py --quick    # fewer factors

Ground truth is built, not analysed: steady tones and A-minor triads (numpy, 44.1 kHz stereo) and
espeak-ng speech (22.05 kHz mono). For every factor and pitch shift the bench checks

* **duration**: the output lasts ``input / factor`` within 10 ms (it should be exact to the frame);
* **pitch**: tones -- the spectral peak (Hann, 8x zero padding, parabolic interpolation) equals the
  input's times ``2 ** (semitones / 12)`` within 10 cents; triads -- each of the three notes does;
  speech -- the F0 contour (YIN on steady, loud frames) moves by the expected interval within 10
  cents: output frame at ``t / factor`` against input frame at ``t``, median over the matched frames
  (comparing whole-signal medians instead mixes the contour's sampling into the result: an exact
  varispeed then read up to 9 cents off; frame against frame it reads under 2).

Varispeed rows (``preserve_pitch=false``) expect the pitch to move by ``12 * log2(factor)`` too. The
baseline is librosa's phase vocoder (``librosa.effects.time_stretch``, then ``pitch_shift`` for a
shift) on the same cases. Speed is seconds of input per second of compute on a warm process, for
``change_speed`` and for the whole task (decode, stretch, encode WAV).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("NUMBA_CACHE_DIR", str(Path(tempfile.gettempdir()) / "mixdown-numba"))

import librosa
import numpy as np
import soundfile as sf
import soxr

from mixdown.audio.speed import change_speed, pitch_change
from mixdown.tasks.speed import TASK
from mixdown.tasks.testing import MemoryTaskContext, inputs_from_file

RATE = 44100
FACTORS = (0.25, 0.5, 0.75, 0.9, 1.0, 1.1, 1.5, 2.0, 3.0, 4.0)
QUICK_FACTORS = (0.25, 0.75, 1.5, 4.0)
SHIFTS = (0.0, -12.0, -5.0, 3.0, 7.0, 12.0)
TONE_HZ = (110.0, 440.0, 1000.0)
TRIAD_HZ: tuple[float, ...] = (220.0, 261.63, 329.63)
MAX_DURATION_MS = 10.0
MAX_CENTS = 10.0
SPEECH = "The quick brown fox jumps over the lazy dog. Time stretching should keep every voice at its pitch."

Stretcher = Callable[[np.ndarray, int, float, bool, float], np.ndarray]


@dataclass(frozen=True)
class Material:
    """A signal, its rate, and how far (cents) an output's pitch is from the expected one."""

    name: str
    audio: np.ndarray  # (frames, channels) float32
    rate: int
    cents_off: Callable[[np.ndarray, int, float, float], float]  # (output, rate, pitch ratio, factor)


def peak_near(audio: np.ndarray, rate: int, hz: float, *, window_cents: float = 80.0) -> float:
    """The interpolated spectral peak within ``window_cents`` of ``hz`` (middle half of the signal)."""
    mono = audio.mean(axis=1)
    quarter = mono.shape[0] // 4
    segment = mono[quarter : mono.shape[0] - quarter]
    segment = segment * np.hanning(segment.shape[0])
    size = 8 * segment.shape[0]
    spectrum = np.abs(np.fft.rfft(segment, size))
    bins = np.fft.rfftfreq(size, 1.0 / rate)
    ratio = 2.0 ** (window_cents / 1200.0)
    band = np.flatnonzero((bins >= hz / ratio) & (bins <= hz * ratio))
    k = int(band[np.argmax(spectrum[band])])
    a, b, c = np.log(spectrum[k - 1 : k + 2] + 1e-30)
    return float((k + 0.5 * (a - c) / (a - 2 * b + c)) * rate / size)


def peaks_off(hz: tuple[float, ...], window_cents: float) -> Callable[[np.ndarray, int, float, float], float]:
    """Worst cents error of the spectral peaks expected at ``hz`` times the pitch ratio."""

    def cents_off(out: np.ndarray, rate: int, ratio: float, _factor: float) -> float:
        found = [peak_near(out, rate, f * ratio, window_cents=window_cents) for f in hz]
        return max(abs(1200.0 * float(np.log2(x / (f * ratio)))) for x, f in zip(found, hz, strict=True))

    return cents_off


def f0_contour(audio: np.ndarray, rate: int, low: float, high: float) -> tuple[np.ndarray, np.ndarray]:
    """(times, log2 F0) by YIN within ``low``..``high``; NaN where unvoiced, quiet or unsteady.

    The signal is upsampled so the shortest period spans >= 200 samples (YIN's parabolic
    interpolation is then well under a cent), frames hold four of the longest periods.
    """
    mono = audio.mean(axis=1)
    up = max(1, int(np.ceil(high * 200 / rate)))
    if up > 1:
        mono, rate = soxr.resample(mono, rate, rate * up), rate * up
    frame, hop = 1 << int(np.ceil(np.log2(4.0 * rate / low))), 256 * up
    f0 = librosa.yin(mono, fmin=low, fmax=high, sr=rate, frame_length=frame, hop_length=hop)
    rms = librosa.feature.rms(y=mono, frame_length=frame, hop_length=hop)[0][: f0.shape[0]]
    log_f0 = np.log2(f0)
    steady = np.zeros(log_f0.shape, dtype=bool)
    steady[1:-1] = (np.abs(np.diff(log_f0)[:-1]) < 0.03) & (np.abs(np.diff(log_f0)[1:]) < 0.03)
    voiced = (rms > 0.1 * rms.max()) & (f0 > low * 1.02) & (f0 < high / 1.02) & steady
    return np.arange(f0.shape[0]) * hop / rate, np.where(voiced, log_f0, np.nan)


def speech_material() -> Material:
    """espeak-ng speech; its pitch error is read on the F0 contour, frame against matching frame."""
    wav = Path(tempfile.mkdtemp()) / "speech.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), SPEECH], check=True)
    audio, rate = sf.read(wav, dtype="float32", always_2d=True)
    _, rough = f0_contour(audio, rate, 60.0, 400.0)
    centre = float(2.0 ** np.nanmedian(rough))
    times, source = f0_contour(audio, rate, centre / 1.5, centre * 1.5)

    def cents_off(out: np.ndarray, out_rate: int, ratio: float, factor: float) -> float:
        # Output time t / factor holds what the input had at t: compare those frames, take the median.
        out_times, found = f0_contour(out, out_rate, centre * ratio / 1.5, centre * ratio * 1.5)
        moved = np.interp(times / factor, out_times, found) - source - np.log2(ratio)
        return abs(1200.0 * float(np.nanmedian(moved)))

    return Material("speech (espeak-ng)", audio, int(rate), cents_off)


def tone_material(hz: float) -> Material:
    wave = 0.4 * np.sin(2 * np.pi * hz * np.arange(3 * RATE) / RATE)
    audio = np.repeat(wave[:, None], 2, axis=1).astype(np.float32)
    return Material(f"tone {hz:g} Hz", audio, RATE, peaks_off((hz,), 80.0))


def triad_material() -> Material:
    t = np.arange(3 * RATE) / RATE
    wave = sum(0.2 * np.sin(2 * np.pi * hz * t) for hz in TRIAD_HZ)
    audio = np.stack([wave, 0.9 * wave], axis=1).astype(np.float32)
    return Material("A minor triad", audio, RATE, peaks_off(TRIAD_HZ, 40.0))


def mixdown_stretch(audio: np.ndarray, rate: int, factor: float, preserve: bool, shift: float) -> np.ndarray:
    return change_speed(audio, rate, factor=factor, preserve_pitch=preserve, pitch_semitones=shift)


def librosa_stretch(audio: np.ndarray, rate: int, factor: float, _preserve: bool, shift: float) -> np.ndarray:
    out = librosa.effects.time_stretch(np.ascontiguousarray(audio.T), rate=factor)
    if shift:
        out = librosa.effects.pitch_shift(out, sr=rate, n_steps=shift)
    return np.ascontiguousarray(out.T)


@dataclass
class Tally:
    """Results of one engine x material group."""

    cases: int = 0
    passed: int = 0
    worst_ms: float = 0.0
    worst_cents: float = 0.0
    input_seconds: float = 0.0
    compute_seconds: float = 0.0
    cpu_seconds: float = 0.0

    def add(self, duration_ms: float, cents: float, seconds: float, compute: float, cpu: float) -> None:
        self.cases += 1
        self.passed += duration_ms <= MAX_DURATION_MS and cents <= MAX_CENTS
        self.worst_ms = max(self.worst_ms, duration_ms)
        self.worst_cents = max(self.worst_cents, cents)
        self.input_seconds += seconds
        self.compute_seconds += compute
        self.cpu_seconds += cpu

    def speed(self) -> str:
        """Input seconds per second of compute: wall clock / CPU time of this process."""
        return (
            f"{self.input_seconds / self.compute_seconds:.1f}x / {self.input_seconds / self.cpu_seconds:.1f}x"
        )


def check(
    material: Material, stretch: Stretcher, factor: float, preserve: bool, shift: float, tally: Tally
) -> None:
    """Run one case and add its errors to ``tally``."""
    started, cpu = time.perf_counter(), time.process_time()
    out = stretch(material.audio, material.rate, factor, preserve, shift)
    compute, cpu = time.perf_counter() - started, time.process_time() - cpu
    seconds = material.audio.shape[0] / material.rate
    duration_ms = abs(out.shape[0] / material.rate - seconds / factor) * 1000.0
    ratio = 2.0 ** (pitch_change(factor, preserve_pitch=preserve, pitch_semitones=shift) / 12.0)
    cents = material.cents_off(out, material.rate, ratio, factor)
    tally.add(duration_ms, float(cents), seconds, compute, cpu)


def cases(factors: tuple[float, ...]) -> list[tuple[float, bool, float]]:
    """(factor, preserve_pitch, semitones): every factor x shift kept, every factor varispeed."""
    kept = [(f, True, s) for f in factors for s in SHIFTS]
    return kept + [(f, False, 0.0) for f in factors] + [(f, False, 5.0) for f in factors]


def task_speed(material: Material, factor: float) -> Tally:
    """Seconds of input per second of compute for the whole task (decode, stretch, encode WAV)."""
    folder = Path(tempfile.mkdtemp())
    path = folder / "in.wav"
    sf.write(path, material.audio, material.rate, subtype="PCM_16")
    inputs = inputs_from_file(path)
    params = TASK.parse_params({"speed_change_factor": factor})
    ctx = MemoryTaskContext(work_dir=folder)
    tally = Tally()
    started, cpu = time.perf_counter(), time.process_time()
    TASK.run(inputs, params, ctx)
    tally.add(0.0, 0.0, inputs.seconds(), time.perf_counter() - started, time.process_time() - cpu)
    return tally


def music_clip() -> Material:
    """30 s of the embedded engine's music (44.1 kHz stereo) for the speed rows."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from master_material import music

    audio = music("pop", 3, 30.0)
    return Material("pop, 30 s", audio, RATE, lambda _o, _r, _x, _f: 0.0)


def accuracy_rows(factors: tuple[float, ...]) -> list[tuple[str, ...]]:
    materials = {
        "tones (110/440/1000 Hz)": [tone_material(hz) for hz in TONE_HZ],
        "A minor triad": [triad_material()],
        "speech (espeak-ng)": [speech_material()],
    }
    rows = []
    for mode in ("time stretch (+ shift)", "varispeed (+ shift)"):
        preserve = mode.startswith("time")
        for group, items in materials.items():
            ours, theirs = Tally(), Tally()
            for factor, kept, shift in cases(factors):
                if kept != preserve:
                    continue
                for material in items:
                    check(material, mixdown_stretch, factor, kept, shift, ours)
                    if preserve:
                        check(material, librosa_stretch, factor, kept, shift, theirs)
            rows.append(accuracy_row(f"{mode}: {group}", ours, theirs if preserve else None))
    return rows


def accuracy_row(name: str, ours: Tally, theirs: Tally | None) -> tuple[str, ...]:
    def cell(t: Tally) -> str:
        return f"{t.passed}/{t.cases} ({t.worst_ms:.2f} ms, {t.worst_cents:.1f} c)"

    base = cell(theirs) if theirs else "-"
    return (name, cell(ours), base, ours.speed(), theirs.speed() if theirs else "-", "100 %, 10 ms, 10 c")


def timed(stretch: Stretcher, audio: np.ndarray, factor: float) -> Tally:
    """The second of two runs (the first one warms up)."""
    stretch(audio, RATE, factor, True, 0.0)
    tally = Tally()
    started, cpu = time.perf_counter(), time.process_time()
    stretch(audio, RATE, factor, True, 0.0)
    tally.add(0.0, 0.0, audio.shape[0] / RATE, time.perf_counter() - started, time.process_time() - cpu)
    return tally


def speed_rows() -> list[tuple[str, ...]]:
    clip = music_clip()
    rows: list[tuple[str, ...]] = []
    for factor in (0.5, 1.5, 3.0):
        ours, theirs = timed(mixdown_stretch, clip.audio, factor), timed(librosa_stretch, clip.audio, factor)
        task = task_speed(clip, factor)
        rows.append(
            (
                f"30 s stereo music, factor {factor:g}",
                ours.speed(),
                task.speed(),
                theirs.speed(),
                f"{ours.cpu_seconds / theirs.cpu_seconds:.1f}",
            )
        )
    return rows


def print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print()
    for line in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)))


def main(argv: list[str] | None = None) -> Any:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="four factors instead of ten")
    args = parser.parse_args(argv)
    # Warm-up: librosa's numba kernels and Rubber Band's first call are not what is being timed.
    warm = tone_material(440.0)
    librosa_stretch(warm.audio, RATE, 1.5, True, 2.0)
    mixdown_stretch(warm.audio, RATE, 1.5, True, 2.0)
    rows = accuracy_rows(QUICK_FACTORS if args.quick else FACTORS)
    header = ("cases (passed/total, worst duration error, worst pitch error)", "mixdown", "librosa PV",
              "mixdown x RT (wall / CPU)", "librosa x RT", "target")  # fmt: skip
    print_table(header, rows)
    speed_header = (
        "x real time, wall / CPU (warm)",
        "Rubber Band",
        "whole task",
        "librosa PV",
        "CPU ratio RB/PV",
    )
    print_table(speed_header, speed_rows())


if __name__ == "__main__":
    main()
