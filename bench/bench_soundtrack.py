"""Benchmark of the soundtrack assembly behind Muzaic's ``POST /soundtrack`` (no generation).

    .venv/bin/python bench/bench_soundtrack.py            # 60 s and 300 s timelines
    .venv/bin/python bench/bench_soundtrack.py --quick    # 60 s only

Ground truth is built: four regions of synthetic "music" (chord progressions with note envelopes
and a noise hi-hat, each at its own loudness from -22 to -9 LUFS, the loudest with peaks over
0 dBFS), placed with the real span planner (a generated region ending where a copied jingle
starts, a copy cut strict, a gap of silence). For each normalisation mode the assembly
(``audio.timeline.render`` -> ``audio.loudness.level_file`` -> MP3) is checked on the decoded MP3:

* **length**: frames of the decoded MP3 against ``round(total * rate)``;
* **placement**: correlation of each region of the output with its source's frames (1.0 = the
  source's samples, up to the level change and MP3);
* **loudness**: integrated loudness against the mode's target (auto -14, high -11 LUFS);
* **true peak**: of the decoded MP3 (ceiling -1 dBTP; MP3 encoding adds a little).

Baseline, in the same run: the plain way (slices pasted into one numpy array, pyloudnorm's gain to
the target, samples clipped at full scale). Speed is seconds of soundtrack per second of compute.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyloudnorm
import soundfile as sf

from mixdown.audio.export import export
from mixdown.audio.loudness import level_encoded
from mixdown.audio.timeline import Clip, RegionTime, Span, clip_for, plan_spans, render, total_seconds
from mixdown.engines.music.produce.loudness import LoudnessMeter, true_peak_db
from mixdown.service.soundtrack import CEILING_DB

RATE = 44100
TARGETS = {"none": None, "auto": -14.0, "high": -11.0}
SOURCE_LUFS = (-18.0, -9.0, -22.0, -14.0)


@dataclass
class Row:
    name: str
    seconds: float
    frames_ok: bool
    placement: float
    loudness: float
    target: float | None
    true_peak: float
    speed: float


def music(seconds: float, seed: int, lufs: float) -> np.ndarray:
    """Chords with attacks and decays plus a hi-hat, stereo, scaled to ``lufs``."""
    rng = np.random.default_rng(seed)
    n = round(seconds * RATE)
    t = np.arange(n) / RATE
    out = np.zeros(n)
    beat = 60.0 / rng.uniform(80, 140)
    for start in np.arange(0, seconds, beat):
        root = 110.0 * 2 ** (rng.integers(0, 12) / 12)
        seg = (t >= start) & (t < start + 4 * beat)
        env = np.exp(-(t[seg] - start) * rng.uniform(1.0, 4.0))
        for ratio in (1.0, 1.26, 1.5):
            out[seg] += 0.2 * env * np.sin(2 * np.pi * root * ratio * t[seg])
        hat = (t >= start) & (t < start + 0.03)
        out[hat] += rng.standard_normal(hat.sum()) * 0.1
    stereo = np.stack([out, np.roll(out, 30)], axis=1)
    gain = 10 ** ((lufs - pyloudnorm.Meter(RATE).integrated_loudness(stereo)) / 20)
    return (stereo * gain).astype(np.float32)


def layout(total: float) -> list[RegionTime]:
    """A generated region up to a copied jingle, a strict copy cut short, a gap, a closing piece."""
    q = total / 4
    return [
        RegionTime(0, q, "adjust_end"),
        RegionTime(q, q, "adjust_start", length=q * 0.6),
        RegionTime(2 * q + 1.0, q - 2.0, "strict", length=q * 1.5),
        RegionTime(3 * q, q, "adjust_start"),
    ]


def sources(folder: Path, regions: list[RegionTime], spans: list[Span]) -> list[Path]:
    paths = []
    for number, (region, span) in enumerate(zip(regions, spans, strict=True)):
        seconds = region.length if region.length is not None else span.seconds
        path = folder / f"src{number}.wav"
        sf.write(path, music(seconds, number, SOURCE_LUFS[number]), RATE, subtype="FLOAT")
        paths.append(path)
    return paths


def measure(name: str, out: Path, clips: list[Clip], total: float, target: float | None, took: float) -> Row:
    audio, rate = sf.read(out, dtype="float32", always_2d=True)
    meter = LoudnessMeter(rate)
    meter.add(audio)
    return Row(
        name=name,
        seconds=total,
        frames_ok=len(audio) == round(total * RATE),
        placement=min(_placed(audio, clip) for clip in clips),
        loudness=meter.integrated(),
        target=target,
        true_peak=true_peak_db(audio),
        speed=total / took,
    )


def _placed(audio: np.ndarray, clip: Clip) -> float:
    source, _ = sf.read(clip.path, dtype="float32", always_2d=True)
    inner = slice(clip.fade_in, clip.frames - clip.fade_out)
    a = audio[clip.start : clip.start + clip.frames][inner].mean(axis=1)
    b = source[clip.offset : clip.offset + clip.frames][inner].mean(axis=1)
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12))


def ours(folder: Path, clips: list[Clip], total: float, target: float | None) -> tuple[Path, float]:
    started = time.perf_counter()
    render(clips, folder / "timeline.wav", total_frames=round(total * RATE), sample_rate=RATE)
    level_encoded(
        folder / "timeline.wav", folder / "ours.mp3", format="mp3", target_lufs=target, ceiling_db=CEILING_DB
    )
    return folder / "ours.mp3", time.perf_counter() - started


def baseline(folder: Path, clips: list[Clip], total: float, target: float | None) -> tuple[Path, float]:
    started = time.perf_counter()
    mix = np.zeros((round(total * RATE), 2), dtype=np.float32)
    for clip in clips:
        source, _ = sf.read(clip.path, dtype="float32", always_2d=True)
        mix[clip.start : clip.start + clip.frames] += source[clip.offset : clip.offset + clip.frames]
    if target is not None:
        mix = pyloudnorm.normalize.loudness(mix, pyloudnorm.Meter(RATE).integrated_loudness(mix), target)
    np.clip(mix, -1.0, 1.0, out=mix)
    sf.write(folder / "plain.wav", mix, RATE, subtype="FLOAT")
    export(folder / "plain.wav", folder / "plain.mp3", format="mp3")
    return folder / "plain.mp3", time.perf_counter() - started


def run(total: float) -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        regions = layout(total)
        spans = plan_spans(regions)
        paths = sources(folder, regions, spans)
        clips = [
            clip_for(path, span, content_seconds=sf.info(str(path)).duration, sample_rate=RATE)
            for path, span in zip(paths, spans, strict=True)
        ]
        length = total_seconds(regions)
        for mode, target in TARGETS.items():
            out, took = ours(folder, clips, length, target)
            rows.append(measure(f"timeline+limiter {mode}", out, clips, length, target, took))
            out, took = baseline(folder, clips, length, target)
            rows.append(measure(f"numpy+pyloudnorm {mode}", out, clips, length, target, took))
    return rows


def table(rows: list[Row]) -> None:
    print(f"{'method':26} {'s':>5} {'frames':>6} {'placed':>7} {'LUFS':>7} {'target':>7} {'dBTP':>6} x RT")
    for r in rows:
        target = f"{r.target:.1f}" if r.target is not None else "-"
        print(
            f"{r.name:26} {r.seconds:5.0f} {'exact' if r.frames_ok else 'OFF':>6} {r.placement:7.4f} "
            f"{r.loudness:7.2f} {target:>7} {r.true_peak:6.2f} {r.speed:7.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="60 s only")
    args = parser.parse_args()
    rows = [row for total in ((60.0,) if args.quick else (60.0, 300.0)) for row in run(total)]
    table(rows)
    ours_rows = [r for r in rows if r.name.startswith("timeline")]
    plain_rows = [r for r in rows if r.name.startswith("numpy")]
    print(
        f"\nspeed ratio (ours / plain): "
        f"{np.mean([o.speed / p.speed for o, p in zip(ours_rows, plain_rows, strict=True)]):.2f}"
    )


if __name__ == "__main__":
    main()
