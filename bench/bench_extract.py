"""Benchmark of POST /v1/extract's work (targets in the last column).

    .venv/bin/python bench/bench_extract.py          # the table (~6 min on 2 busy cores)
    .venv/bin/python bench/bench_extract.py --quick  # 3 + 3 pieces, no long-input row

Ground truth is built here (tests/unit/separation/material.py): 20 s songs composed and rendered
by the music engine (its post-effects stems sum to the mixture), whose GM "voice" line is
replaced by flite speech re-pitched with WORLD onto the same notes (a sung-like vocal with
vibrato and consonants), 1 dB under the accompaniment's active RMS, centred; 44.1 kHz stereo.
Six pieces tuned the embedded separator's settings; six other styles are held out.

SDR is the plain energy ratio over the whole signal (MDX / Demucs "new SDR", no filtering
allowed), in dB, averaged over pieces. Rows:

* embedded vs the mixture itself (what "no separation" scores) and vs the textbook method for
  that stem, run here: librosa HPSS (drums), low-passed HPSS harmonic (bass), REPET-SIM as in
  librosa's vocal separation example (vocals / accompaniment);
* Demucs (htdemucs) when its weights are in the models folder (else n/a);
* exact stems of generations: how finely split parts add back up to the piece;
* speed: seconds of audio per second of compute, and the peak memory of a 3-minute input.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.unit.separation.material import HELD_OUT, PIECES, RATE, Mix, make_mix  # noqa: E402

from mixdown.engines.separation import demucs_engine, plan, separate, separate_to_files  # noqa: E402
from mixdown.engines.separation.metrics import sdr  # noqa: E402
from mixdown.settings import Settings  # noqa: E402

Row = tuple[str, str, str, str, str]
Stems = dict[str, np.ndarray]
STEMS = ("drums", "bass", "vocals", "accompaniment")
TARGETS = {"drums": ">= 5 dB", "accompaniment": ">= 5 dB", "bass": "- (report)", "vocals": "- (report)"}


def truth(mix: Mix) -> Stems:
    """The reference of each reported stem."""
    return {
        "drums": mix.stems["drums"],
        "bass": mix.stems["bass"],
        "vocals": mix.stems["vocals"],
        "accompaniment": mix.without("vocals"),
    }


def embedded(mix: Mix) -> Stems:
    found = separate(mix.mixture, RATE, ["drums", "bass", "vocals", "instrumental"], engine="embedded")
    return {**found.stems, "accompaniment": found.stems["instrumental"]}


def demucs(mix: Mix) -> Stems:
    found = separate(mix.mixture, RATE, ["drums", "bass", "vocals", "instrumental"], engine="demucs")
    return {**found.stems, "accompaniment": found.stems["instrumental"]}


def mixture(mix: Mix) -> Stems:
    return dict.fromkeys(STEMS, mix.mixture)


def textbook(mix: Mix) -> Stems:
    """librosa HPSS for drums and bass, REPET-SIM (librosa's example) for the vocal."""
    import librosa

    x = mix.mixture
    out: Stems = {name: np.zeros_like(x) for name in STEMS}
    for c in range(x.shape[1]):
        spectrum = librosa.stft(x[:, c], n_fft=4096, hop_length=1024)
        harmonic, percussive = librosa.decompose.hpss(spectrum, kernel_size=31)
        low = (librosa.fft_frequencies(sr=RATE, n_fft=4096) < 300)[:, None]
        out["drums"][:, c] = librosa.istft(percussive, hop_length=1024, length=len(x))
        out["bass"][:, c] = librosa.istft(harmonic * low, hop_length=1024, length=len(x))
        magnitude = np.abs(spectrum)
        width = int(librosa.time_to_frames(2, sr=RATE, hop_length=1024))
        repeating = librosa.decompose.nn_filter(magnitude, aggregate=np.median, metric="cosine", width=width)
        repeating = np.minimum(magnitude, repeating)
        vocal_mask = librosa.util.softmask(magnitude - repeating, 2 * repeating, power=2)
        out["vocals"][:, c] = librosa.istft(vocal_mask * spectrum, hop_length=1024, length=len(x))
    out["accompaniment"] = x - out["vocals"]
    return out


def scores(method: Callable[[Mix], Stems], mixes: list[Mix]) -> tuple[dict[str, list[float]], float]:
    """SDR per stem per piece, and the seconds of compute per second of audio."""
    found: dict[str, list[float]] = {name: [] for name in STEMS}
    started = time.perf_counter()
    for mix in mixes:
        estimate, reference = method(mix), truth(mix)
        for name in STEMS:
            found[name].append(sdr(reference[name], estimate[name]))
    seconds = sum(len(m.mixture) for m in mixes) / RATE
    return found, (time.perf_counter() - started) / seconds


def separation_rows(label: str, mixes: list[Mix], have_demucs: bool) -> list[Row]:
    ours, speed = scores(embedded, mixes)
    base, _ = scores(mixture, mixes)
    book, book_speed = scores(textbook, mixes)
    deep = scores(demucs, mixes)[0] if have_demucs else None
    rows: list[Row] = []
    for name in STEMS:
        mean, low = float(np.mean(ours[name])), float(np.min(ours[name]))
        others = f"mix {np.mean(base[name]):+.1f}, textbook {np.mean(book[name]):+.1f}"
        if deep is not None:
            others += f", demucs {np.mean(deep[name]):+.1f}"
        rows.append(
            (
                f"{label}: {name} SDR (min)",
                f"{mean:.1f} dB ({low:.1f})",
                others,
                f"{mean - np.mean(base[name]):+.1f} / {mean - np.mean(book[name]):+.1f} dB",
                TARGETS[name],
            )
        )
    rows.append(
        (f"{label}: speed", f"{1 / speed:.1f}x real time", f"textbook {1 / book_speed:.1f}x", "-", "-")
    )
    return rows


def per_piece_rows(mixes: list[Mix]) -> list[Row]:
    ours, _ = scores(embedded, mixes)
    return [
        (
            f"  {mix.name}",
            " ".join(f"{n[:4]} {ours[n][i]:.1f}" for n in STEMS),
            "",
            "",
            "",
        )
        for i, mix in enumerate(mixes)
    ]


def long_input_row(mixes: list[Mix]) -> Row:
    """A 3-minute input (pieces end to end) to files: speed and peak memory beyond the input."""
    song = np.concatenate([m.mixture for m in mixes] * 2)[: 180 * RATE]
    chosen = plan(["drums", "bass", "vocals", "instrumental"], "embedded")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        separate_to_files(song, RATE, chosen, Path(folder))
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    input_mb = song.nbytes / 2**20
    return (
        f"3 min stereo 44.1 kHz to 4 stem files ({input_mb:.0f} MB in)",
        f"{len(song) / RATE / elapsed:.1f}x real time",
        f"peak RSS {peak / 1024:.0f} MB (was {before / 1024:.0f})",
        "-",
        "bounded (20 s windows)",
    )


def exact_rows() -> list[Row]:
    """How finely split exact stems add back up to their generation, and what a rebuild costs."""
    import soundfile as sf

    from mixdown.engines.music.rebuild import Builder
    from mixdown.engines.separation.exact import exact_stems
    from mixdown.tasks import generate
    from mixdown.tasks.base import TaskInputs
    from mixdown.tasks.testing import MemoryTaskContext

    pitched, drums, times = [], [], []
    for seed in (3, 4, 5):
        work = Path(tempfile.mkdtemp())
        ctx = MemoryTaskContext(work_dir=work)
        fields = {"params": {"intensity": 6}, "sample_rate": RATE, "duration": 20, "seed": seed}
        generate.TASK.run(TaskInputs(), generate.TASK.parse_params({**fields, "instrumental": False}), ctx)
        digest = ctx.metadata["hashes"][0]
        record = ctx.recall("music", digest)
        assert record is not None
        piece = Builder(ctx, work / "base").rebuild(record)
        whole = sum(sf.read(p, dtype="float32")[0] for p in piece.stems.values())
        started = time.perf_counter()
        split = exact_stems(ctx, digest, ["keys", "guitar", "strings", "winds", "drums", "other"], work / "a")
        times.append(time.perf_counter() - started)
        pitched.append(sdr(whole, sum(sf.read(p, dtype="float32")[0] for p in split.paths.values())))
        kit = ["kick_drum", "snare_drum", "toms", "hi_hat", "ride", "crash", "other"]
        split = exact_stems(ctx, digest, kit, work / "b")
        drums.append(sdr(whole, sum(sf.read(p, dtype="float32")[0] for p in split.paths.values())))
    return [
        (
            "exact: parts split by program, summed vs piece",
            f"{np.min(pitched):.0f} dB (worst of 3)",
            "-",
            "-",
            "-",
        ),
        (
            "exact: drums split by note, summed vs piece",
            f"{np.min(drums):.0f} dB (worst of 3)",
            "-",
            "-",
            "-",
        ),
        ("exact: rebuild + 6 stems of 20 s", f"{np.mean(times):.1f} s", "-", "-", "-"),
    ]


def main() -> None:
    quick = "--quick" in sys.argv
    count = 3 if quick else len(PIECES)
    started = time.perf_counter()
    tuned = [make_mix(i) for i in range(count)]
    held = [make_mix(i, held_out=True, seed=9) for i in range(min(count, len(HELD_OUT)))]
    models = Settings().resolved_models_dir
    have_demucs = demucs_engine.availability(models).available
    separate(tuned[0].mixture[: RATE * 2], RATE, ["drums"], engine="embedded")  # imports, off the clock
    rows = [
        *separation_rows("tuning set", tuned, have_demucs),
        *per_piece_rows(tuned),
        *separation_rows("held-out set", held, have_demucs),
        *per_piece_rows(held),
        *exact_rows(),
    ]
    if not quick:
        rows.append(long_input_row(tuned))
    if not have_demucs:
        rows.append(("demucs", "n/a", f"no weights in {models}/demucs", "-", "-"))
    header: Row = ("measure", "mixdown", "baseline (same run)", "diff vs mix / textbook", "target")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]
    print()
    for line in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)))
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
