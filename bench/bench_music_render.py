"""Benchmark of the music producer: render + mix + master against a bare FluidSynth floor.

    .venv/bin/python bench/bench_music_render.py                 # 30 s and 300 s, 44.1 kHz
    .venv/bin/python bench/bench_music_render.py --long 1200     # + a 1200 s produce_to_files run
    .venv/bin/python bench/bench_music_render.py --compare-soundfonts

Prints seconds of audio per second of compute (x real time) per stage, the peak RSS, and the floor:
the same score written as MIDI and played by FluidSynth's own MIDI player into a plain stereo
buffer (same soundfont, same interpolation, reverb/chorus off). Scores come from the composer when
it is importable, else from a built-in synthetic arrangement (drums, bass, keys, lead, pad).
Timings on a shared machine vary by 2x; CPU seconds are printed beside wall seconds.
"""

from __future__ import annotations

import argparse
import ctypes
import multiprocessing
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from mixdown.engines.music.midi import score_to_midi
from mixdown.engines.music.produce import produce, produce_to_files, render_chunks
from mixdown.engines.music.produce.master import master_audio
from mixdown.engines.music.produce.render import PartRenderer, chunk_spans, rendered_parts
from mixdown.engines.music.produce.soundfont import CANDIDATES, POOL, SYNTH_SETTINGS, find_soundfont, lib
from mixdown.engines.music.score import MixSettings, Note, Part, PartMix, Score, Section, Stem


def synthetic_score(duration: float, bpm: float = 124.0, seed: int = 0) -> Score:
    """A dense five-part loop-based arrangement, deterministic."""
    rng = np.random.default_rng(seed)
    beat, bar = 60.0 / bpm, 240.0 / bpm
    bars = int((duration - 2.0) // bar)
    chords = [(45, (57, 60, 64)), (41, (53, 57, 60)), (36, (48, 52, 55)), (43, (55, 59, 62))]
    drums, bass, keys, lead, pad = [], [], [], [], []
    for b in range(bars):
        t0 = b * bar
        root, triad = chords[b % 4]
        for i in range(4):
            t = t0 + i * beat
            drums += [Note(t, 0.1, 36, 110), Note(t + beat / 2, 0.1, 42, 70 + int(rng.integers(0, 20)))]
            drums += [Note(t, 0.1, 38, 100)] if i % 2 else []
            bass.append(Note(t + beat / 2, beat * 0.45, root - 12, 100))
        for p in triad:
            keys += [Note(t0, beat * 0.9, p + 12, 80), Note(t0 + 2 * beat, beat * 0.9, p + 12, 75)]
            pad.append(Note(t0, bar, p, 70))
        lead += [
            Note(t0 + i * beat / 2, beat * 0.45, int(rng.choice([69, 71, 72, 74, 76, 77, 79])), 90)
            for i in range(8)
            if rng.random() < 0.7
        ]
    parts = [
        Part(name="drums", stem=Stem.DRUMS, program=0, bank=128, is_drum=True, notes=drums),
        Part(
            name="bass", stem=Stem.BASS, program=38, notes=bass, mix=PartMix(sidechain=0.4, reverb_send=0.0)
        ),
        Part(name="keys", stem=Stem.CHORDS, program=4, notes=keys, mix=PartMix(pan=-0.2, reverb_send=0.25)),
        Part(name="lead", stem=Stem.MELODY, program=80, notes=lead, mix=PartMix(delay_send=0.2, gain_db=-3)),
        Part(
            name="pad",
            stem=Stem.PADS,
            program=89,
            notes=pad,
            mix=PartMix(sidechain=0.4, width=0.9, gain_db=-4),
        ),
    ]
    per = max(1, bars // 4)
    sections = [
        Section(
            name=f"s{i}",
            start_bar=i * per,
            bars=per,
            start=i * per * bar,
            end=(i + 1) * per * bar,
            energy=0.6,
        )
        for i in range(bars // per)
    ]
    return Score(
        bpm=bpm,
        meter=(4, 4),
        key_tonic=9,
        mode="minor",
        duration=duration,
        sections=sections,
        chords=[],
        parts=parts,
        mix=MixSettings(sidechain=0.3),
    )


def make_score(duration: float, style: str) -> tuple[Score, str]:
    """The composer's score for ``style`` when it can be imported, else the synthetic one."""
    try:
        from mixdown.engines.music.compose import compose
        from mixdown.engines.music.spec import MusicSpec, StyleWeight

        spec = MusicSpec(
            prompt=style,
            styles=(StyleWeight(style, 1.0),),
            bpm=124.0,
            key_tonic=9,
            mode="minor",
            meter=(4, 4),
            duration=duration,
        )
        return compose(spec, 7), f"compose({style})"
    except Exception as exc:  # the composer is optional here: any failure falls back
        print(f"(composer unavailable: {exc!r}; using the synthetic score)", file=sys.stderr)
        return synthetic_score(duration), "synthetic"


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: reset by exec, unlike ru_maxrss)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def timed(func: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds of all threads, result)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = func()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def synth_only(score: Score, sample_rate: int) -> None:
    """Our FluidSynth pass alone (multi-channel, event loop), no effects."""
    with POOL.acquire(find_soundfont(), sample_rate, len(rendered_parts(score))) as synth:
        renderer = PartRenderer(score, sample_rate, synth)
        for span in chunk_spans(score, sample_rate):
            renderer.render(span.end - span.start)


def bare_fluidsynth(midi: Path, frames: int, sample_rate: int) -> None:
    """The floor: FluidSynth's own MIDI player rendering the file into one stereo buffer."""
    import fluidsynth

    fl = ctypes.CDLL(fluidsynth.lib)
    settings = {k: v for k, v in SYNTH_SETTINGS.items() if k != "synth.gain"} | {
        "player.timing-source": "sample"
    }
    synth = fluidsynth.Synth(gain=0.4, samplerate=float(sample_rate), **settings)
    synth.sfload(str(find_soundfont()))
    ptr = ctypes.c_void_p(synth.synth)
    fl.new_fluid_player.restype = ctypes.c_void_p
    player = ctypes.c_void_p(fl.new_fluid_player(ptr))
    fl.fluid_player_add(player, str(midi).encode())
    fl.fluid_player_play(player)
    block = 4096
    left, right = np.zeros(block, np.float32), np.zeros(block, np.float32)
    lp, rp = left.ctypes.data_as(ctypes.c_void_p), right.ctypes.data_as(ctypes.c_void_p)
    for _ in range(0, frames, block):
        fl.fluid_synth_write_float(ptr, block, lp, 0, 1, rp, 0, 1)
    fl.fluid_player_stop(player)
    fl.delete_fluid_player(player)
    synth.delete()


def bench(duration: float, sample_rate: int, style: str) -> dict[str, Any]:
    score, source = make_score(duration, style)
    audio = score.duration
    with tempfile.TemporaryDirectory() as tmp:
        midi = score_to_midi(score, Path(tmp) / "score.mid")
        floor = timed(lambda: bare_fluidsynth(midi, round(audio * sample_rate), sample_rate))
    synth = timed(lambda: synth_only(score, sample_rate))
    chunks = timed(lambda: [c.premaster for c in render_chunks(score, sample_rate)])
    premaster = np.concatenate(chunks[2])
    master = timed(lambda: master_audio(premaster, score.mix, sample_rate))
    total = timed(lambda: produce(score, sample_rate=sample_rate))
    return {
        "score": f"{source} {audio:.0f} s {len(rendered_parts(score))} parts",
        "synth": synth,
        "render+mix": chunks,
        "master": master,
        "produce": total,
        "floor": floor,
        "audio": audio,
    }


def print_table(rows: list[dict[str, Any]]) -> None:
    print("| score | stage | wall s | cpu s | x real time (wall) |")
    print("|---|---|---:|---:|---:|")
    for row in rows:
        for stage in ("synth", "render+mix", "master", "produce", "floor"):
            wall, cpu, _ = row[stage]
            print(f"| {row['score']} | {stage} | {wall:.3f} | {cpu:.3f} | {row['audio'] / wall:.1f} |")
        wall_ratio = row["produce"][0] / row["floor"][0]
        cpu_ratio = row["produce"][1] / row["floor"][1]
        print(f"| {row['score']} | produce / floor | {wall_ratio:.2f}x | {cpu_ratio:.2f}x | |")
    print(f"peak RSS of this process: {peak_rss_mb():.0f} MB")


def long_run(duration: float, sample_rate: int, style: str, queue: Any) -> None:
    """Child process: one produce_to_files of a long score; reports wall time and peak RSS."""
    score, source = make_score(duration, style)
    POOL.warm(find_soundfont())
    with tempfile.TemporaryDirectory() as tmp:
        wall, cpu, files = timed(lambda: produce_to_files(score, sample_rate=sample_rate, directory=tmp))
        import soundfile

        frames = soundfile.info(str(files.mix)).frames
    peak = peak_rss_mb()
    queue.put(
        (
            source,
            wall,
            cpu,
            peak,
            frames,
            round(duration * sample_rate),
            files.loudness_lufs,
            files.true_peak_db,
        )
    )


# (name, bank, program, is_drum, pitches): one phrase per instrument family.
FAMILIES = [
    ("piano", 0, 0, False, (48, 55, 60, 64, 67, 72, 79)),
    ("e.piano", 0, 4, False, (48, 55, 60, 64, 67, 72, 79)),
    ("organ", 0, 16, False, (48, 55, 60, 64, 67, 72, 79)),
    ("nylon guitar", 0, 24, False, (40, 47, 52, 55, 59, 64, 71)),
    ("finger bass", 0, 33, False, (28, 33, 36, 40, 43, 45, 48)),
    ("strings", 0, 48, False, (48, 55, 60, 64, 67, 72, 79)),
    ("brass", 0, 61, False, (48, 55, 60, 64, 67, 72, 79)),
    ("alto sax", 0, 65, False, (55, 60, 64, 67, 72, 76, 79)),
    ("saw lead", 0, 81, False, (60, 64, 67, 72, 76, 79, 84)),
    ("warm pad", 0, 89, False, (48, 55, 60, 64, 67, 72, 79)),
    ("drum kit", 128, 0, True, (36, 38, 42, 46, 45, 49, 51)),
]


def _phrase(bank: int, program: int, is_drum: bool, pitches: tuple[int, ...], velocity: int) -> Score:
    notes = [Note(0.6 * i, 0.5, pitch, velocity) for i, pitch in enumerate(pitches)]
    part = Part(
        name="x",
        stem=Stem.DRUMS if is_drum else Stem.CHORDS,
        program=program,
        bank=bank,
        is_drum=is_drum,
        notes=notes,
    )
    return Score(
        bpm=100,
        meter=(4, 4),
        key_tonic=0,
        mode="major",
        duration=0.6 * len(pitches) + 1.0,
        sections=[],
        chords=[],
        parts=[part],
    )


def _raw(score: Score, path: Path, sample_rate: int) -> np.ndarray:
    with POOL.acquire(path, sample_rate, 1) as synth:
        renderer = PartRenderer(score, sample_rate, synth)
        return renderer.render(round(score.duration * sample_rate))[:2].T.astype(np.float64)


def _spectral(audio: np.ndarray, sample_rate: int) -> tuple[float, float, float]:
    """(centroid Hz, bandwidth Hz, noise floor dB re peak) of a signal's average spectrum."""
    mono = audio.mean(axis=1)
    frame = 4096
    frames = [mono[i : i + frame] * np.hanning(frame) for i in range(0, mono.size - frame, frame // 2)]
    power = np.mean([np.abs(np.fft.rfft(f)) ** 2 for f in frames], axis=0)
    freqs = np.fft.rfftfreq(frame, 1 / sample_rate)
    centroid = float((freqs * power).sum() / power.sum())
    bandwidth = float(np.sqrt(((freqs - centroid) ** 2 * power).sum() / power.sum()))
    band = (freqs > 100) & (freqs < 10000)
    db = 10 * np.log10(power[band] + 1e-20)
    return centroid, bandwidth, float(np.percentile(db, 10) - db.max())


def _measure_soundfont(name: str, path: str, sample_rate: int, queue: Any) -> None:
    """Child process: load time, memory, render speed and per-family spectra of one soundfont."""
    before = peak_rss_mb()
    load, _cpu, _ = timed(lambda: POOL.warm(Path(path)))
    rows = []
    for family, bank, program, is_drum, pitches in FAMILIES:
        loud = _raw(_phrase(bank, program, is_drum, pitches, 100), Path(path), sample_rate)
        soft = _raw(_phrase(bank, program, is_drum, pitches, 45), Path(path), sample_rate)
        centroid, bandwidth, floor = _spectral(loud, sample_rate)
        soft_centroid = _spectral(soft, sample_rate)[0]
        mid, side = loud.mean(axis=1), (loud[:, 0] - loud[:, 1]) / 2
        rows.append(
            {
                "family": family,
                "level_db": 10 * np.log10(np.mean(loud**2) + 1e-20),
                "centroid": centroid,
                "bandwidth": bandwidth,
                "floor_db": floor,
                "vel_brightness": centroid / max(1.0, soft_centroid),
                "width_db": 10 * np.log10((np.mean(side**2) + 1e-20) / (np.mean(mid**2) + 1e-20)),
            }
        )
    after = peak_rss_mb()
    score = synthetic_score(30.0)
    speed = timed(lambda: _raw(score, Path(path), sample_rate))[0]
    queue.put((name, load, after - before, 30.0 / speed, rows))


def compare_soundfonts(sample_rate: int) -> None:
    """Print the comparison of every installed candidate soundfont (each in a fresh process)."""
    ctx = multiprocessing.get_context("spawn")
    results = []
    for name, path, _package in CANDIDATES:
        if not Path(path).is_file():
            print(f"{name}: not installed ({path})")
            continue
        queue = ctx.Queue()
        child = ctx.Process(target=_measure_soundfont, args=(name, path, sample_rate, queue))
        child.start()
        results.append(queue.get())
        child.join()
    print("| soundfont | load s | memory MB (11 presets) | synth x real time |")
    print("|---|---:|---:|---:|")
    for name, load, memory, speed, _rows in results:
        print(f"| {name} | {load:.2f} | {memory:.0f} | {speed:.0f} |")
    print()
    print("| family | " + " | ".join(r[0] for r in results) + " |")
    print("|---|" + "---|" * len(results))
    metrics = [
        ("level_db", "level dBFS", "{:.1f}"),
        ("centroid", "centroid Hz", "{:.0f}"),
        ("bandwidth", "bandwidth Hz", "{:.0f}"),
        ("floor_db", "noise floor dB", "{:.0f}"),
        ("vel_brightness", "vel 100/45 brightness", "{:.2f}"),
        ("width_db", "side/mid dB", "{:.1f}"),
    ]
    for index, (family, *_rest) in enumerate(FAMILIES):
        for key, label, fmt in metrics:
            values = " | ".join(fmt.format(r[4][index][key]) for r in results)
            print(f"| {family} {label} | {values} |")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sample-rate", type=int, default=44100)
    parser.add_argument("--style", default="techno")
    parser.add_argument("--durations", type=float, nargs="*", default=[30.0, 300.0])
    parser.add_argument("--long", type=float, default=0.0, help="also produce_to_files a piece this long")
    parser.add_argument("--compare-soundfonts", action="store_true")
    args = parser.parse_args()
    if args.compare_soundfonts:
        compare_soundfonts(args.sample_rate)
        return
    wall, _cpu, _ = timed(lambda: POOL.warm(find_soundfont()))
    print(f"soundfont {find_soundfont()} loaded in {wall:.2f} s; libfluidsynth {lib() is not None}")
    bench(4.0, args.sample_rate, args.style)  # warm-up: imports, first synth
    print_table([bench(d, args.sample_rate, args.style) for d in args.durations])
    if args.long:
        ctx = multiprocessing.get_context("spawn")
        queue = ctx.Queue()
        child = ctx.Process(target=long_run, args=(args.long, args.sample_rate, args.style, queue))
        child.start()
        source, wall, cpu, peak, frames, expected, lufs, tp = queue.get()
        child.join()
        print(
            f"long: {source} {args.long:.0f} s -> produce_to_files {wall:.1f} s wall ({cpu:.1f} s cpu), "
            f"{args.long / wall:.1f}x real time, peak RSS {peak:.0f} MB (whole process), "
            f"frames {frames} (expected {expected}), {lufs:.2f} LUFS, {tp:.2f} dBTP"
        )
    print("soundfonts known:", ", ".join(f"{name}={path}" for name, path, _pkg in CANDIDATES))


if __name__ == "__main__":
    main()
