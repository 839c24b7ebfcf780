"""Material for the cleanup tests and benchmark: TTS speech, noise, rooms and echoes, made here.

Speech comes from the ``flite`` CLI (Debian package), reverberation from pyroomacoustics'
image-source rooms; nothing is downloaded and nothing binary is checked in.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import soxr
from scipy.signal import fftconvolve

from tests.conftest import IN_CI

SENTENCES = (
    "The birch canoe slid on the smooth planks.",
    "Glue the sheet to the dark blue background.",
    "It is easy to tell the depth of a well.",
    "These days a chicken leg is a rare dish.",
    "Rice is often served in round bowls.",
    "The juice of lemons makes fine punch.",
    "The box was thrown beside the parked truck.",
    "The hogs were fed chopped corn and garbage.",
    "Four hours of steady work faced us.",
    "A large size in stockings is hard to sell.",
)
VOICES = ("slt", "kal", "awb", "rms")


def require_flite() -> None:
    """Skip without flite; fail instead under CI, where it must be installed."""
    if shutil.which("flite") is None:
        if IN_CI:
            pytest.fail("flite must be installed in CI (apt-get install flite)")
        pytest.skip("flite not installed")


@lru_cache(maxsize=64)
def _flite(text: str, voice: str) -> tuple[np.ndarray, int]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "speech.wav"
        subprocess.run(
            ["flite", "-voice", voice, "-t", text, "-o", str(path)], check=True, capture_output=True
        )
        samples, rate = sf.read(path, dtype="float32")
    return samples, int(rate)


@lru_cache(maxsize=32)
def speech(count: int = 2, rate: int = 16000, voice: str = "slt", first: int = 0) -> np.ndarray:
    """``count`` sentences spoken by ``voice`` at ``rate`` Hz, mono float32 peaking at 0.5 (read-only)."""
    parts = [_flite(SENTENCES[(first + i) % len(SENTENCES)], voice) for i in range(count)]
    joined = np.concatenate([samples for samples, _ in parts])
    source_rate = parts[0][1]
    if rate != source_rate:
        joined = soxr.resample(joined, source_rate, rate).astype(np.float32)
    out = (0.5 * joined / np.max(np.abs(joined))).astype(np.float32)
    out.setflags(write=False)
    return out


def white(frames: int, seed: int = 0) -> np.ndarray:
    """Unit-variance white noise."""
    return np.random.default_rng(seed).standard_normal(frames).astype(np.float32)


def pink(frames: int, seed: int = 0) -> np.ndarray:
    """Unit-variance 1/f noise, shaped in the frequency domain."""
    spectrum = np.fft.rfft(np.random.default_rng(seed).standard_normal(frames))
    bins = np.arange(len(spectrum), dtype=np.float64)
    bins[0] = 1.0
    noise = np.fft.irfft(spectrum / np.sqrt(bins), frames)
    return (noise / np.std(noise)).astype(np.float32)


def babble(frames: int, rate: int = 16000, talkers: int = 4) -> np.ndarray:
    """Unit-variance babble: ``talkers`` other voices saying other sentences at once."""
    total = np.zeros(frames, dtype=np.float64)
    for index in range(talkers):
        voice = speech(4, rate, VOICES[index % len(VOICES)], first=4 + 2 * index)
        total += np.resize(voice, frames)  # np.resize repeats the voice to fill the length
    return (total / np.std(total)).astype(np.float32)


def mix_at_snr(clean: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """``clean`` plus ``noise`` scaled to ``snr_db`` over the whole clip."""
    noise = noise[: len(clean)]
    gain = np.sqrt(np.sum(clean.astype(np.float64) ** 2) / np.sum(noise.astype(np.float64) ** 2))
    return (clean + gain * 10 ** (-snr_db / 20) * noise).astype(np.float32)


def add_echoes(dry: np.ndarray, rate: int, echoes: list[tuple[float, float]]) -> np.ndarray:
    """``dry`` plus copies ``(delay seconds, gain dB)`` later (digital, sample-exact echoes)."""
    wet = dry.astype(np.float64).copy()
    for delay, gain_db in echoes:
        lag = round(delay * rate)
        wet[lag:] += 10 ** (gain_db / 20) * dry[:-lag]
    return wet.astype(np.float32)


@lru_cache(maxsize=8)
def room_rirs(rate: int = 16000, rt60: float = 0.6, mics: int = 1) -> tuple[np.ndarray, ...]:
    """Impulse responses from one talker to ``mics`` microphones 10 cm apart in a 6 x 5 x 3 m room."""
    import pyroomacoustics as pra

    dims = [6.0, 5.0, 3.0]
    absorption, max_order = pra.inverse_sabine(rt60, dims)
    room = pra.ShoeBox(dims, fs=rate, materials=pra.Material(absorption), max_order=max_order)
    room.add_source([2.0, 3.0, 1.6])
    room.add_microphone_array(np.array([[4.5 + 0.1 * i, 1.5, 1.5] for i in range(mics)]).T)
    room.compute_rir()
    return tuple(np.asarray(room.rir[i][0], dtype=np.float64) for i in range(mics))


def reverberate(
    dry: np.ndarray, rate: int, *, rt60: float = 0.6, mics: int = 1, early_ms: float = 50.0
) -> tuple[np.ndarray, np.ndarray]:
    """``(wet, target)``: ``(frames, mics)`` reverberant speech, and its direct sound + early
    reflections (the first ``early_ms`` after the direct path), the usual dereverberation target."""
    rirs = room_rirs(rate, rt60, mics)
    direct = int(np.argmax(np.abs(rirs[0])))
    early = direct + round(early_ms * rate / 1000)
    wet = np.stack([fftconvolve(dry, h)[: len(dry)] for h in rirs], axis=1)
    target = np.stack([fftconvolve(dry, h[:early])[: len(dry)] for h in rirs], axis=1)
    peak = np.max(np.abs(wet))
    return (0.5 * wet / peak).astype(np.float32), (0.5 * target / peak).astype(np.float32)


def tail_ratio_db(out: np.ndarray, reference: np.ndarray, rate: int) -> float:
    """Energy of ``out`` where the aligned ``reference`` (e.g. the early target) is silent,
    relative to all of it, in dB. Reverberation fills the pauses; removing it lowers this ratio.
    """
    frame = round(0.02 * rate)
    count = min(len(out), len(reference)) // frame
    dry_power = (reference[: count * frame].astype(np.float64).reshape(count, frame) ** 2).mean(axis=1)
    out_power = (out[: count * frame].astype(np.float64).reshape(count, frame) ** 2).mean(axis=1)
    silent = dry_power < 1e-4 * dry_power.max()
    return float(10 * np.log10(out_power[silent].sum() / out_power.sum()))


def wav_bytes_of(samples: np.ndarray, rate: int, subtype: str = "PCM_16") -> bytes:
    """``samples`` as a WAV file in memory."""
    import io

    buffer = io.BytesIO()
    sf.write(buffer, samples, rate, format="WAV", subtype=subtype)
    return buffer.getvalue()
