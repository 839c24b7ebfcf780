"""Benchmark of POST /v1/voice-change: F0 shift accuracy over shifts x TTS voices, beside two baselines.

    .venv/bin/python bench/bench_voice_change.py            # 12 shifts (-12..+12) x 6 voices
    .venv/bin/python bench/bench_voice_change.py --quick    # 5 shifts x 3 voices, no memory row

Material: one sentence pair spoken by the TTS engine's voices (Festival HTS and diphone, Flite,
eSpeak NG; male and female; 16 to 32 kHz as each engine makes it). Every voice is shifted by every
interval by

* **WORLD high** / **WORLD fast**: :func:`mixdown.engines.voice.change_voice` with Harvest or
  DIO + StoneMask F0 tracking (formants kept);
* **Rubber Band**: ``pedalboard.time_stretch(stretch_factor=1, pitch_shift_in_semitones=n)``, the
  engine of ``/v1/speed`` (its formant-preserving mode, on by default);
* **librosa**: ``librosa.effects.pitch_shift`` (phase vocoder + resampling).

**Shift error**: the F0 contour (librosa YIN on a 48 kHz copy, steady loud frames) of the output
against the input's, frame by frame; the median difference minus the asked interval, in cents
(the meter of ``tests/unit/voice``). A case passes within 20 cents (the issue's target: 100 %).
**Envelope drift**: how far the spectral centroid moved, in cents, median over the cases: a shift
that keeps the formants moves it little, one that scales the whole spectrum moves it by the
interval. **Speed**: seconds of input per second of compute (wall clock) on a warm process; the
machine is shared and busy, so these are pessimistic. The last rows run the whole task (decode,
change, encode WAV) on 30 s of 44.1 kHz stereo speech, and (without ``--quick``) measure the peak
traced memory of 60 s of 44.1 kHz mono in 20 s segments against one piece.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("NUMBA_CACHE_DIR", str(Path(tempfile.gettempdir()) / "mixdown-numba"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import librosa
import numpy as np
import pedalboard
import soundfile as sf
from tests.unit.voice.signals import shift_error_cents

from mixdown.audio.resample import resample
from mixdown.engines.tts.catalogue import catalogue
from mixdown.engines.tts.speech import speak
from mixdown.engines.voice import change, change_voice, recipe
from mixdown.tasks.testing import MemoryTaskContext, inputs_from_file
from mixdown.tasks.voice_change import TASK

TEXT = "The birch canoe slid on the smooth planks. Glue the sheet to the dark blue background."
VOICES = (
    "festival-cmu_us_slt_arctic_hts",
    "festival-kal_diphone",
    "flite-awb",
    "flite-rms",
    "espeak-en-us-female",
    "espeak-en-us-male",
)
QUICK_VOICES = ("festival-cmu_us_slt_arctic_hts", "flite-rms", "espeak-en-us-male")
SHIFTS = (-12.0, -9.0, -7.0, -5.0, -3.0, -1.0, 1.0, 3.0, 5.0, 7.0, 9.0, 12.0)
QUICK_SHIFTS = (-12.0, -5.0, 3.0, 7.0, 12.0)
MAX_CENTS = 20.0

Shifter = Callable[[np.ndarray, int, float], np.ndarray]


def world(quality: str) -> Shifter:
    def shift(audio: np.ndarray, rate: int, semitones: float) -> np.ndarray:
        return change_voice(audio, rate, pitch_semitones=semitones, quality=quality)[:, 0]  # type: ignore[arg-type]

    return shift


def rubberband(audio: np.ndarray, rate: int, semitones: float) -> np.ndarray:
    out = pedalboard.time_stretch(
        audio[None, :], rate, stretch_factor=1.0, pitch_shift_in_semitones=semitones
    )
    return np.asarray(out[0, : audio.shape[0]], dtype=np.float32)


def phase_vocoder(audio: np.ndarray, rate: int, semitones: float) -> np.ndarray:
    return np.asarray(librosa.effects.pitch_shift(audio, sr=rate, n_steps=semitones), dtype=np.float32)


METHODS: dict[str, Shifter] = {
    "WORLD high (Harvest)": world("high"),
    "WORLD fast (DIO)": world("fast"),
    "Rubber Band (pedalboard)": rubberband,
    "librosa pitch_shift": phase_vocoder,
}


@dataclass
class Tally:
    """Results of one method over the grid."""

    errors: list[float] = field(default_factory=list)
    drifts: list[float] = field(default_factory=list)
    input_seconds: float = 0.0
    compute_seconds: float = 0.0

    def add(self, error: float, drift: float, seconds: float, compute: float) -> None:
        self.errors.append(error)
        self.drifts.append(drift)
        self.input_seconds += seconds
        self.compute_seconds += compute

    def row(self, name: str) -> tuple[str, ...]:
        errors = np.abs(self.errors)
        passed = int((errors <= MAX_CENTS).sum())
        return (
            name,
            f"{passed}/{errors.size} ({100.0 * passed / errors.size:.0f} %)",
            f"{np.median(errors):.1f} / {errors.max():.1f}",
            f"{np.median(self.drifts):.0f}",
            f"{self.input_seconds / self.compute_seconds:.1f}x",
            "100 %, 20 c",
        )


def spectral_centroid(audio: np.ndarray, rate: int) -> float:
    power = np.abs(np.fft.rfft(audio.astype(np.float64))) ** 2
    hz = np.fft.rfftfreq(audio.shape[0], 1.0 / rate)
    return float((power * hz).sum() / power.sum())


def voices(names: tuple[str, ...]) -> dict[str, tuple[np.ndarray, int]]:
    """Each voice's speech (mono float32 at the engine's rate)."""
    found = catalogue()
    spoken = {}
    for name in names:
        voice = found.get(name)
        if voice is None:
            print(f"  (voice {name} is not installed: skipped)")
            continue
        speech = speak(TEXT, voice, warm=False)
        spoken[name] = (np.asarray(speech.samples, dtype=np.float32), speech.sample_rate)
    return spoken


def accuracy(spoken: dict[str, tuple[np.ndarray, int]], shifts: tuple[float, ...]) -> dict[str, Tally]:
    tallies = {name: Tally() for name in METHODS}
    for voice, (audio, rate) in spoken.items():
        centroid = spectral_centroid(audio, rate)
        for semitones in shifts:
            for name, shifter in METHODS.items():
                started = time.perf_counter()
                out = shifter(audio, rate, semitones)
                compute = time.perf_counter() - started
                error = shift_error_cents(audio, out, rate, semitones)
                drift = abs(1200.0 * np.log2(spectral_centroid(out, rate) / centroid))
                tallies[name].add(error, drift, audio.shape[0] / rate, compute)
                if abs(error) > MAX_CENTS:
                    print(f"  miss: {name}, {voice}, {semitones:+g} st: {error:+.1f} cents")
    return tallies


def stereo_clip(spoken: dict[str, tuple[np.ndarray, int]], seconds: float = 30.0) -> np.ndarray:
    """``seconds`` of the voices one after another at 44.1 kHz, the right side a little quieter."""
    parts = [resample(audio[:, None], from_rate=rate, to_rate=44100)[:, 0] for audio, rate in spoken.values()]
    mono = np.tile(np.concatenate(parts), 1 + int(seconds * 44100) // sum(p.shape[0] for p in parts))
    mono = mono[: int(seconds * 44100)]
    return np.stack([mono, 0.8 * mono], axis=1).astype(np.float32)


def task_rows(clip: np.ndarray) -> list[tuple[str, ...]]:
    """The whole task on the clip, each quality: input seconds per compute second."""
    folder = Path(tempfile.mkdtemp())
    path = folder / "in.wav"
    sf.write(path, clip, 44100, subtype="PCM_16")
    rows = []
    for quality in ("high", "fast"):
        inputs = inputs_from_file(path)
        params = TASK.parse_params({"voice_id": "deep-male", "quality": quality})
        ctx = MemoryTaskContext(work_dir=folder)
        started = time.perf_counter()
        TASK.run(inputs, params, ctx)
        seconds = time.perf_counter() - started
        estimate = TASK.estimate_seconds(params, inputs)
        rows.append(
            (
                f"task, 30 s 44.1 kHz stereo, {quality}",
                "-",
                "-",
                "-",
                f"{inputs.seconds() / seconds:.1f}x (estimate {inputs.seconds() / estimate:.1f}x)",
                "-",
            )
        )
    return rows


def memory_row(clip: np.ndarray) -> tuple[str, ...]:
    """Peak traced memory of 60 s of 44.1 kHz mono: 20 s segments against one piece."""
    mono = np.tile(clip[:, 0], 2)
    peaks = []
    for seconds in (20.0, 1e9):
        tracemalloc.start()
        change(mono, 44100, recipe(pitch_semitones=-3.0), quality="fast", segment_seconds=seconds)
        peaks.append(tracemalloc.get_traced_memory()[1] / 2**20)
        tracemalloc.stop()
    return ("memory, 60 s 44.1 kHz mono", "-", "-", "-", f"{peaks[0]:.0f} MB vs {peaks[1]:.0f} MB whole", "-")


def print_table(rows: list[tuple[str, ...]]) -> None:
    header = ("method", "within 20 c", "median / worst |err| (c)", "envelope drift (c)", "speed", "target")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer shifts and voices, no memory row")
    args = parser.parse_args()
    spoken = voices(QUICK_VOICES if args.quick else VOICES)
    shifts = QUICK_SHIFTS if args.quick else SHIFTS
    print(f"{len(spoken)} voices x {len(shifts)} shifts ({', '.join(f'{s:+g}' for s in shifts)})")
    tallies = accuracy(spoken, shifts)
    baseline = tallies["Rubber Band (pedalboard)"]
    rows = [tally.row(name) for name, tally in tallies.items()]
    clip = stereo_clip(spoken)
    rows += task_rows(clip)
    if not args.quick:
        rows.append(memory_row(clip))
    print_table(rows)
    ours = tallies["WORLD high (Harvest)"]
    ratio = np.median(np.abs(baseline.errors)) / max(np.median(np.abs(ours.errors)), 1e-9)
    print(f"median |error|: Rubber Band / WORLD high = {ratio:.2f}")


if __name__ == "__main__":
    main()
