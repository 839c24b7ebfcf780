"""Test mixes whose stems are known: the music engine's own stems plus a sung-like TTS vocal.

* Accompaniment: a piece composed and rendered by the embedded engine (``produce``), whose
  post-effects stems sum exactly to its premaster; the mixture is that sum (not the mastered
  mix, whose limiter is not a sum of the stems).
* Vocal: flite speech of known sentences, re-pitched with WORLD (``pyworld``) onto a melody in
  the piece's key with vibrato, so it has a singer's steady pitch, vibrato, formants and
  consonants; placed in phrases over the piece, centre-panned.

Nothing is downloaded and nothing binary is checked in.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from mixdown.engines.music.compose import compose
from mixdown.engines.music.produce import produce
from mixdown.engines.music.score import Note, Score, Stem
from mixdown.engines.music.spec import MusicSpec, StyleWeight

RATE = 44100
SENTENCES = (
    "The birch canoe slid on the smooth planks.",
    "Glue the sheet to the dark blue background.",
    "It is easy to tell the depth of a well.",
    "These days a chicken leg is a rare dish.",
    "Rice is often served in round bowls.",
    "The juice of lemons makes fine punch.",
)
# (style, bpm, tonic, mode): varied instrumentation (piano, guitars, organ, synths, strings).
PIECES = (
    ("pop", 110.0, 0, "major"),
    ("rock", 130.0, 4, "minor"),
    ("house", 124.0, 9, "minor"),
    ("funk", 105.0, 2, "minor"),
    ("country", 100.0, 7, "major"),
    ("synthwave", 96.0, 5, "minor"),
)
# Held out: the embedded separator's settings were chosen on PIECES only; the bench reports both.
HELD_OUT = (
    ("jazz_swing", 140.0, 10, "major"),
    ("reggae", 80.0, 7, "major"),
    ("disco", 118.0, 9, "minor"),
    ("indie", 122.0, 4, "major"),
    ("soul_rnb", 92.0, 3, "minor"),
    ("metal", 150.0, 2, "minor"),
)


@dataclass(frozen=True)
class Mix:
    """A mixture and its true stems, float32 ``(frames, 2)`` at ``RATE``."""

    name: str
    stems: dict[str, np.ndarray]  # engine stem names plus "vocals" (the sung TTS line)
    score: Score

    @property
    def mixture(self) -> np.ndarray:
        """The sum of the stems."""
        return np.sum(list(self.stems.values()), axis=0).astype(np.float32)

    def without(self, *names: str) -> np.ndarray:
        """The sum of every stem but ``names``."""
        return np.sum([a for k, a in self.stems.items() if k not in names], axis=0).astype(np.float32)


def spec(style: str, bpm: float, tonic: int, mode: str, *, seconds: float, rate: int = RATE) -> MusicSpec:
    """A spec with a vocal line, built directly (no prompt understanding, no embedding model)."""
    return MusicSpec(
        prompt=f"{style} test",
        styles=(StyleWeight(style, 1.0),),
        bpm=bpm,
        key_tonic=tonic,
        mode=mode,
        meter=(4, 4),
        duration=seconds,
        sample_rate=rate,
        explicit=frozenset({"bpm", "key", "mode"}),
        instrumental=False,
    )


@cache
def make_mix(
    index: int, *, seconds: float = 20.0, vocal_db: float = -1.0, seed: int = 5, held_out: bool = False
) -> Mix:
    """Piece ``index`` of ``PIECES``: the engine's song (with a vocal line) whose GM "voice" part is
    replaced by the TTS vocal singing the same notes, ``vocal_db`` dB from the accompaniment's RMS."""
    table = HELD_OUT if held_out else PIECES
    style, bpm, tonic, mode = table[index % len(table)]
    score = compose(spec(style, bpm, tonic, mode, seconds=seconds), seed)
    line = [p for p in score.parts if p.stem is Stem.VOCALS and p.notes]
    score.parts = [p for p in score.parts if p.stem is not Stem.VOCALS]
    stems = {stem.value: audio for stem, audio in produce(score, sample_rate=RATE).stems.items()}
    accompaniment = np.sum(list(stems.values()), axis=0)
    notes = line[0].notes if line else []
    vocal = sung_vocal(len(accompaniment), notes, seed=index)
    level = _active_rms(accompaniment) / max(_active_rms(vocal), 1e-9) * 10 ** (vocal_db / 20)
    stems["vocals"] = (vocal * level)[:, None].repeat(2, axis=1).astype(np.float32)
    return Mix(style, stems, score)


def _active_rms(audio: np.ndarray, floor_db: float = -40.0) -> float:
    """RMS over the 50 ms blocks within ``floor_db`` of the loudest (a vocal's gaps do not count)."""
    mono = audio.mean(axis=1) if audio.ndim == 2 else audio
    block = int(0.05 * RATE)
    frames = mono[: len(mono) // block * block].reshape(-1, block)
    power = np.mean(frames.astype(np.float64) ** 2, axis=1)
    loud = power >= power.max() * 10 ** (floor_db / 10)
    return float(np.sqrt(np.mean(power[loud])))


@cache
def _spoken(sentence: int, voice: str = "slt") -> np.ndarray:
    """A sentence spoken by flite, at ``RATE``, mono float64."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "say.wav"
        command = ["flite", "-voice", voice, "-t", SENTENCES[sentence % len(SENTENCES)], "-o", str(path)]
        subprocess.run(command, check=True, capture_output=True, timeout=60)
        audio, rate = sf.read(path, dtype="float64")
    return np.asarray(soxr.resample(audio, rate, RATE), dtype=np.float64)


def flite_installed() -> bool:
    """Whether the flite command line is there."""
    return shutil.which("flite") is not None


def _pyworld():  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        import pyworld

    return pyworld


def phrases(notes: list[Note], gap: float = 0.25) -> list[list[Note]]:
    """Notes grouped into phrases at rests longer than ``gap`` seconds."""
    out: list[list[Note]] = []
    for note in sorted(notes, key=lambda n: n.start):
        if out and note.start - out[-1][-1].end <= gap:
            out[-1].append(note)
        else:
            out.append([note])
    return out


def sing(speech: np.ndarray, notes: list[Note], seed: int) -> np.ndarray:
    """``speech`` stretched over the phrase ``notes`` and re-pitched onto them with WORLD.

    The pitch follows the notes with 40 ms glides between them and a 5.5 Hz, +-25 cent vibrato
    that grows in over each note; consonants stay where the speech had them.
    """
    pw = _pyworld()
    period = 5.0
    f0, times = pw.harvest(speech, RATE, frame_period=period)
    sp = pw.cheaptrick(speech, f0, times, RATE)
    ap = pw.d4c(speech, f0, times, RATE)
    start, end = notes[0].start, notes[-1].end
    frames = max(2, int((end - start) * 1000 / period))
    source = np.minimum(np.round(np.linspace(0, len(f0) - 1, frames)).astype(int), len(f0) - 1)
    clock = start + np.arange(frames) * period / 1000
    target = _melody(clock, notes, seed) * (f0[source] > 0)
    audio = pw.synthesize(
        target, np.ascontiguousarray(sp[source]), np.ascontiguousarray(ap[source]), RATE, frame_period=period
    )
    return np.asarray(audio, dtype=np.float64)


def _melody(clock: np.ndarray, notes: list[Note], seed: int) -> np.ndarray:
    """Hz at each time of ``clock``: the sounding note, glided and with vibrato."""
    starts = np.array([n.start for n in notes])
    which = np.clip(np.searchsorted(starts, clock, side="right") - 1, 0, len(notes) - 1)
    semis = np.array([n.pitch for n in notes], dtype=np.float64)[which]
    glide = max(1, int(0.04 / (clock[1] - clock[0]))) if len(clock) > 1 else 1
    semis = np.convolve(np.pad(semis, glide, mode="edge"), np.ones(glide) / glide, mode="same")[glide:-glide]
    age = clock - starts[which]
    phase = np.random.default_rng(seed).uniform(0, 2 * np.pi)
    cents = 25.0 * np.clip(age / 0.3, 0.0, 1.0) * np.sin(2 * np.pi * 5.5 * age + phase)
    return np.asarray(440.0 * 2 ** ((semis - 69 + cents / 100) / 12))


def sung_vocal(frames: int, notes: list[Note], *, seed: int) -> np.ndarray:
    """The vocal line ``notes`` sung: one sentence per phrase, peak-normalised, mono."""
    out = np.zeros(frames, dtype=np.float64)
    for number, phrase in enumerate(phrases(notes)):
        audio = sing(_spoken(seed + number), phrase, seed + number)
        a = int(phrase[0].start * RATE)
        b = min(frames, a + len(audio))
        out[a:b] += audio[: b - a]
    return out / max(1e-9, float(np.max(np.abs(out))))
