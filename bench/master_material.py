"""Test material for bench_master.py: music premasters from the embedded engine, speech, and DSP signals.

Every signal is built here (engine render, espeak-ng, numpy), so the benchmark needs no audio files.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from mixdown.audio.resample import resample

RATE = 44100
SENTENCES = (
    "Welcome back to the show. Today we talk about mastering audio for podcasts and music.",
    "Loudness is measured in LUFS, and the true peak is measured on an oversampled signal.",
    "Quiet passages should stay quiet, but the whole episode must reach the same level.",
)


def db(value: float) -> float:
    """Linear amplitude of a dB value."""
    return float(10.0 ** (value / 20.0))


@cache
def production(style: str, seed: int = 3, seconds: float = 30.0) -> Any:
    """The engine's production of a ``style`` piece at RATE (premaster, stems and its own master)."""
    from mixdown.engines.music.compose import compose
    from mixdown.engines.music.produce import produce
    from mixdown.engines.music.spec import MusicSpec, StyleWeight

    spec = MusicSpec(
        prompt=f"{style} bench",
        styles=(StyleWeight(style, 1.0),),
        bpm=110.0,
        key_tonic=2,
        mode="minor",
        meter=(4, 4),
        duration=seconds,
        sample_rate=RATE,
        explicit=frozenset({"bpm", "key", "mode"}),
    )
    return produce(compose(spec, seed), sample_rate=RATE)


def music(style: str, seed: int = 3, seconds: float = 30.0) -> np.ndarray:
    """The premaster (unmastered stem sum) of a ``style`` piece, float32 stereo at RATE."""
    return np.asarray(production(style, seed, seconds).premaster)


def mastered(style: str, seed: int = 3, seconds: float = 30.0) -> np.ndarray:
    """The engine's own master of a ``style`` piece (a reference for reference mastering)."""
    return np.asarray(production(style, seed, seconds).mix)


@cache
def speech() -> np.ndarray:
    """espeak-ng reading SENTENCES with pauses, mono float32 resampled to RATE."""
    folder = Path(tempfile.mkdtemp())
    parts = []
    for index, text in enumerate(SENTENCES):
        wav = folder / f"s{index}.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), text], check=True)
        audio, rate = sf.read(wav, dtype="float32", always_2d=True)
        parts += [audio, np.zeros((rate // 2, 1), dtype=np.float32)]
    return np.asarray(resample(np.concatenate(parts), from_rate=int(rate), to_rate=RATE), dtype=np.float32)


def drums(seconds: float = 20.0, seed: int = 0) -> np.ndarray:
    """A synthetic kick/snare/hat pattern at 120 BPM: sharp transients, fast decays, a quiet pad."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    out = np.zeros(n)
    t = np.arange(int(0.4 * RATE)) / RATE
    kick = np.sin(2 * np.pi * (50 + 100 * np.exp(-t * 30)) * t) * np.exp(-t * 8)
    snare = rng.standard_normal(t.size) * np.exp(-t * 20) * 0.7
    hat = rng.standard_normal(t.size // 8) * np.exp(-t[: t.size // 8] * 80) * 0.3
    step = int(RATE * 0.25)
    for i, start in enumerate(range(0, n - t.size, step)):
        sound = kick if i % 4 == 0 else snare if i % 4 == 2 else hat
        out[start : start + sound.size] += sound
    pad = 0.02 * np.sin(2 * np.pi * 220 * np.arange(n) / RATE)
    return _stereo(out + pad, spread=0.2, seed=seed)


def clicks(seconds: float = 15.0, seed: int = 1) -> np.ndarray:
    """A quiet noise bed under full-scale clicks, ten a second: peaks 40 dB over the rest."""
    rng = np.random.default_rng(seed)
    out = rng.standard_normal((int(seconds * RATE), 2)) * 0.01
    out[:: RATE // 10] = 0.95
    return out.astype(np.float32)


def dynamic(seconds: float = 30.0) -> np.ndarray:
    """A piece whose first half sits 24 dB under its second (a quiet verse, a loud chorus)."""
    piece = music("cinematic_orchestral", 5, seconds).copy()
    piece[: piece.shape[0] // 2] *= db(-24.0)
    return piece


def tone(freq: float = 1000.0, seconds: float = 10.0, channels: int = 2) -> np.ndarray:
    """A steady sine at -20 dBFS."""
    wave = 0.1 * np.sin(2 * np.pi * freq * np.arange(int(seconds * RATE)) / RATE)
    return np.repeat(wave[:, None], channels, axis=1).astype(np.float32)


def pink(seconds: float = 15.0, seed: int = 2) -> np.ndarray:
    """Stereo pink noise at about -30 dBFS RMS."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    spectrum = np.fft.rfft(rng.standard_normal((n, 2)), axis=0)
    spectrum /= np.sqrt(np.maximum(np.arange(spectrum.shape[0]), 1))[:, None]
    noise = np.fft.irfft(spectrum, n, axis=0)
    return np.asarray(noise / np.sqrt(np.mean(noise**2)) * db(-30.0), dtype=np.float32)


def _stereo(mono: np.ndarray, *, spread: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed + 100)
    side = np.convolve(mono, rng.standard_normal(64) * 0.05, mode="same") * spread
    return np.stack([mono + side, mono - side], axis=1).astype(np.float32)


def hot(audio: np.ndarray, gain_db: float) -> np.ndarray:
    """``audio`` pushed ``gain_db`` up and hard-clipped at full scale (a brick-walled, too-loud master)."""
    return np.clip(audio * db(gain_db), -1.0, 1.0).astype(np.float32)


MATERIALS: dict[str, Callable[[], np.ndarray]] = {
    "pop premaster": lambda: music("pop"),
    "rock premaster": lambda: music("rock", 4),
    "edm premaster": lambda: music("edm_big_room", 6),
    "ambient premaster": lambda: music("ambient", 7),
    "piano, very quiet": lambda: music("classical_piano", 8) * db(-30.0),
    "metal, hot (clipped)": lambda: hot(music("metal", 9), 18.0),
    "dynamic orchestral": dynamic,
    "speech (espeak, mono)": speech,
    "speech, stereo, loud": lambda: hot(np.repeat(speech(), 2, axis=1), 12.0),
    "drums, peaky": drums,
    "clicks over noise": clicks,
    "sine 1 kHz": tone,
    "sine 60 Hz, mono": lambda: tone(60.0, channels=1),
    "pink noise": pink,
}


def tilted(audio: np.ndarray, db_per_octave: float) -> np.ndarray:
    """``audio`` with a spectral tilt of ``db_per_octave`` around 1 kHz (zero-phase, by FFT)."""
    spectrum = np.fft.rfft(audio, axis=0)
    freqs = np.maximum(np.fft.rfftfreq(audio.shape[0], 1.0 / RATE), 20.0)
    gain = 10.0 ** (db_per_octave * np.log2(freqs / 1000.0) / 20.0)
    return np.fft.irfft(spectrum * gain[:, None], audio.shape[0], axis=0).astype(np.float32)
