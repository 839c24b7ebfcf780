"""Benchmark of POST /v1/transcribe's work: word error rate, speed and alignment error.

    .venv/bin/python bench/bench_transcribe.py            # ~2 min on 2 idle cores, ~5 min loaded
    .venv/bin/python bench/bench_transcribe.py --quick    # 6 sentences, no espeak-ng rows

Ground truth it builds itself:

* real speech: the test recordings of the pocketsphinx source package (five LibriVox sentences,
  "go forward ten meters", five card names) with their transcripts. The wheel lacks them, so the
  sdist of the installed pocketsphinx version is fetched from PyPI with pip once and kept in
  ``~/.cache/mixdown-bench`` (``--cache``; the joined model goes there too); without network the
  rows are skipped;
* synthetic speech: Harvard sentences spoken by festival (cmu_us_slt_arctic_hts), flite (rms) and
  espeak-ng (en-us), joined with 0.5 s pauses into one clip per voice (the long-audio path);
* alignment: words synthesised one at a time and joined with random 30-300 ms gaps, so every
  word's true onset is known; ``align_text`` is timed with PocketSphinx's forced aligner and with
  Whisper's word timestamps matched to the text.

WER is jiwer's, after the task's own normalisation (lower case, numbers spelled out, punctuation
dropped). Speed is seconds of audio per wall second after a warm-up (models loaded), and per CPU
second / 2 (what an idle 2-core machine would do: the wall figure suffers when other processes
share the cores). PocketSphinx, run by the same code in the same process, is the baseline.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import subprocess
import sys
import tarfile
import tempfile
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jiwer
import numpy as np
import soundfile as sf

from mixdown.engines.speech import sphinx
from mixdown.engines.speech.audio import SPEECH_RATE, to_speech
from mixdown.engines.speech.models import BASE_MODEL, ensure_base_model
from mixdown.engines.speech.pipeline import EngineName, SpeechRequest, align, recognise
from mixdown.engines.speech.text import normalize
from mixdown.engines.speech.transcript import Transcript

HARVARD = (
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
)
ALIGN_TEXT = (
    "The quick brown fox jumps over the lazy dog while seven happy children sing about a golden river "
    "under the bright morning sky and the old sailor counts twenty two boats"
)
PAUSE_SECONDS = 0.5
ENGINES: tuple[EngineName, ...] = ("whisper", "pocketsphinx")


@dataclass
class Clip:
    """Audio (mono float32, 16 kHz) and what is said in it."""

    audio: np.ndarray
    text: str


# -- ground truth ---------------------------------------------------------------------------------


def pocketsphinx_sdist(cache: Path) -> Path | None:
    """The pocketsphinx source package of the installed version, fetched once with pip."""
    from importlib.metadata import version

    name = f"pocketsphinx-{version('pocketsphinx')}"
    archive = cache / f"{name}.tar.gz"
    if not archive.exists():
        cache.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "pip", "download", f"pocketsphinx=={version('pocketsphinx')}"]
        command += ["--no-binary", ":all:", "--no-deps", "--quiet", "-d", str(cache)]
        if subprocess.run(command, capture_output=True, timeout=300).returncode != 0:
            return None
    return archive


def _member(archive: tarfile.TarFile, name: str) -> bytes:
    handle = archive.extractfile(name)
    assert handle is not None
    return handle.read()


def _pcm(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0


def _wav(data: bytes) -> np.ndarray:
    with wave.open(io.BytesIO(data)) as handle:
        assert (handle.getframerate(), handle.getnchannels()) == (SPEECH_RATE, 1)
        return _pcm(handle.readframes(handle.getnframes()))


def _transcripts(text: str) -> dict[str, str]:
    """``<s> words </s> (id)`` lines by id."""
    out = {}
    for line in text.splitlines():
        words, _, ident = line.rpartition("(")
        out[ident.strip(") ")] = words.replace("<s>", "").replace("</s>", "").strip()
    return out


def real_speech(cache: Path) -> list[Clip]:
    """The recordings (with transcripts) in pocketsphinx's test data."""
    sdist = pocketsphinx_sdist(cache)
    if sdist is None:
        return []
    with tarfile.open(sdist) as archive:
        root = archive.getnames()[0].split("/")[0] + "/test/data/"
        clips = [Clip(_pcm(_member(archive, root + "goforward.raw")), "go forward ten meters")]
        for folder, listing in (("librivox", "transcription"), ("cards", "cards.transcription")):
            texts = _transcripts(_member(archive, f"{root}{folder}/{listing}").decode())
            for ident, text in texts.items():
                clips.append(Clip(_wav(_member(archive, f"{root}{folder}/{ident}.wav")), text))
    return clips


def say(text: str, voice: str) -> np.ndarray:
    """``text`` spoken by ``festival``, ``flite:<voice>`` or ``espeak:<voice>``, mono 16 kHz."""
    engine, _, name = voice.partition(":")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "say.wav"
        if engine == "festival":
            script = Path(folder) / "text.txt"
            script.write_text(text)
            command = ["text2wave", "-eval", "(voice_cmu_us_slt_arctic_hts)", str(script), "-o", str(out)]
        elif engine == "flite":
            command = ["flite", "-voice", name, "-t", text, "-o", str(out)]
        else:
            command = ["espeak-ng", "-v", name, "-w", str(out), text]
        subprocess.run(command, check=True, capture_output=True, timeout=120)
        samples, rate = sf.read(out, dtype="float32")
    return to_speech(samples, rate)


def sentences_clip(voice: str, sentences: tuple[str, ...]) -> Clip:
    """The sentences spoken one by one and joined with pauses (festival speaks them in one go)."""
    pause = np.zeros(round(PAUSE_SECONDS * SPEECH_RATE), dtype=np.float32)
    if voice == "festival":
        parts = [say(" ".join(sentences), voice)]
    else:
        parts = [p for s in sentences for p in (say(s, voice), pause)]
    return Clip(np.concatenate(parts), " ".join(sentences))


def words_track(voice: str, seed: int = 0) -> tuple[np.ndarray, list[float]]:
    """ALIGN_TEXT's words synthesised apart, joined with 30-300 ms gaps; each word's onset (s)."""
    rng = random.Random(seed)
    parts, onsets, at = [np.zeros(SPEECH_RATE // 2, dtype=np.float32)], [], SPEECH_RATE // 2
    for word in ALIGN_TEXT.split():
        sound = say(word, voice)
        loud = np.flatnonzero(np.abs(sound) > 0.01)
        sound = sound[loud[0] : loud[-1] + 1]
        gap = np.zeros(round(rng.uniform(0.03, 0.3) * SPEECH_RATE), dtype=np.float32)
        onsets.append(at / SPEECH_RATE)
        parts += [sound, gap]
        at += len(sound) + len(gap)
    return np.concatenate(parts), onsets


# -- measuring ------------------------------------------------------------------------------------


@dataclass
class Score:
    """WER over a set and its speed."""

    wer: float
    seconds: float
    wall: float
    cpu: float

    @property
    def speed(self) -> float:
        return self.seconds / self.wall

    @property
    def cpu_speed(self) -> float:
        return self.seconds / (self.cpu / 2)


def timed(work: Callable[[], Transcript]) -> tuple[Transcript, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def score(clips: list[Clip], run: Callable[[np.ndarray], Transcript]) -> Score:
    refs, hyps, wall, cpu = [], [], 0.0, 0.0
    for clip in clips:
        transcript, w, c = timed(lambda clip=clip: run(clip.audio))
        refs.append(normalize(clip.text))
        hyps.append(normalize(transcript.text) or "<nothing>")
        wall, cpu = wall + w, cpu + c
    seconds = sum(len(c.audio) for c in clips) / SPEECH_RATE
    return Score(float(jiwer.wer(refs, hyps)), seconds, wall, cpu)


def unsegmented(audio: np.ndarray) -> Transcript:
    """Baseline of the baseline: the whole clip as one PocketSphinx utterance (no segmenting)."""
    return sphinx.transcribe(audio, segmented=False)


def alignment_errors(voice: str, models: Path) -> dict[str, tuple[np.ndarray, float]]:
    """Absolute onset errors (ms) and wall time of each alignment method on one voice."""
    audio, onsets = words_track(voice)
    out = {}
    for engine in ("pocketsphinx", "whisper"):
        req = SpeechRequest(engine=engine, model=BASE_MODEL, models_dir=models, align_text=ALIGN_TEXT)
        result, wall, _ = timed(lambda req=req: align(audio, req))
        starts = np.array([w["start"] for w in result.extra["words"]])
        out[f"{engine} ({result.extra['alignment']})"] = (np.abs(starts - onsets) * 1000, wall)
    return out


# -- report ---------------------------------------------------------------------------------------


def print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print()
    for line in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)))


def recognition_rows(name: str, clips: list[Clip], models: Path) -> list[tuple[str, ...]]:
    """Whisper and PocketSphinx on one set, with ratios against PocketSphinx."""
    if not clips:
        return [(name, "skipped: no pocketsphinx sdist (pip download failed)", "", "", "", "")]
    reqs = {e: SpeechRequest(engine=e, model=BASE_MODEL, models_dir=models) for e in ENGINES}
    base = score(clips, lambda a: recognise(a, reqs["pocketsphinx"]))
    scores = {"whisper-base": score(clips, lambda a: recognise(a, reqs["whisper"])), "pocketsphinx": base}
    if "festival" in name:
        scores["pocketsphinx, unsegmented"] = score(clips, unsegmented)
    rows = []
    for engine, s in scores.items():
        ratio = f"WER {s.wer / max(base.wer, 1e-9):.2f}x, speed {s.speed / base.speed:.2f}x"
        rows.append((name, engine, f"{s.wer:.3f}", f"{s.speed:.1f}x", f"{s.cpu_speed:.1f}x", ratio))
    return rows


def alignment_rows(voice: str, models: Path) -> list[tuple[str, ...]]:
    rows = []
    for method, (errors, wall) in alignment_errors(voice, models).items():
        median, p95 = np.median(errors), np.percentile(errors, 95)
        within = f"{np.mean(errors <= 150) * 100:.0f} %"
        rows.append((voice, method, f"{median:.0f}", f"{p95:.0f}", within, f"{wall:.2f} s"))
    return rows


def warm_up(models: Path) -> None:
    """Load both engines and run Whisper once, so the timings are warm."""
    req = SpeechRequest(engine="whisper", model=BASE_MODEL, models_dir=models)
    recognise(say("Warming up.", "flite:rms"), req)
    sphinx.warm_up()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="6 sentences per voice, no espeak-ng")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "mixdown-bench")
    parser.add_argument("--models-dir", type=Path, default=None, help="default: <cache>/models")
    args = parser.parse_args()
    started = time.perf_counter()
    models = args.models_dir or args.cache / "models"
    ensure_base_model(models)
    warm_up(models)
    sentences = HARVARD[:6] if args.quick else HARVARD[:12]
    voices = ("festival", "flite:rms") if args.quick else ("festival", "flite:rms", "espeak:en-us")
    sets = {"pocketsphinx test data (real)": real_speech(args.cache)}
    sets.update({f"Harvard x{len(sentences)}, {v}": [sentences_clip(v, sentences)] for v in voices})
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    rows = [row for name, clips in sets.items() for row in recognition_rows(name, clips, models)]
    print_table(("data set", "engine", "WER", "x real time", "x RT (CPU/2)", "vs pocketsphinx"), rows)
    align_voices = ("flite:slt", "flite:rms") + (() if args.quick else ("espeak:en-us",))
    rows = [row for voice in align_voices for row in alignment_rows(voice, models)]
    print_table(("align_text voice", "method", "median ms", "p95 ms", "<= 150 ms", "time"), rows)
    print("\ntargets: whisper WER <= 0.10 on clear English; >= 5x real time warm")
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
