"""Speech for tests, synthesised with the flite and espeak-ng command lines (Debian packages)."""

from __future__ import annotations

import random
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from mixdown.engines.speech.audio import SPEECH_RATE, to_speech

HARVARD = (
    "The birch canoe slid on the smooth planks.",
    "Glue the sheet to the dark blue background.",
    "Rice is often served in round bowls.",
    "The juice of lemons makes fine punch.",
)


def need(tool: str) -> None:
    """Skip (fail under CI) when a TTS command line is missing."""
    if shutil.which(tool) is None:
        from tests.conftest import IN_CI

        if IN_CI:
            pytest.fail(f"{tool} is not installed (apt-get install {tool})")
        pytest.skip(f"{tool} is not installed")


def say(text: str, path: Path, *, voice: str = "flite:slt") -> Path:
    """Write ``text`` spoken by ``voice`` (``flite:<voice>`` or ``espeak:<voice>``) to a WAV file."""
    engine, _, name = voice.partition(":")
    if engine == "flite":
        need("flite")
        command = ["flite", "-voice", name, "-t", text, "-o", str(path)]
    else:
        need("espeak-ng")
        command = ["espeak-ng", "-v", name, "-w", str(path), text]
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    return path


def spoken(text: str, *, voice: str = "flite:slt") -> np.ndarray:
    """``text`` spoken, as mono float32 at 16 kHz."""
    with tempfile.TemporaryDirectory() as folder:
        samples, rate = sf.read(say(text, Path(folder) / "say.wav", voice=voice), dtype="float32")
    return to_speech(samples, rate)


def trimmed(audio: np.ndarray, threshold: float = 0.01) -> np.ndarray:
    """``audio`` without the near-silence before its first and after its last loud sample."""
    loud = np.flatnonzero(np.abs(audio) > threshold)
    return audio[loud[0] : loud[-1] + 1]


def words_track(
    words: list[str], *, voice: str = "flite:slt", seed: int = 0, lead: float = 0.5
) -> tuple[np.ndarray, list[float]]:
    """The words synthesised one by one and joined with random 30-300 ms gaps; their onsets (s)."""
    rng = random.Random(seed)
    parts = [np.zeros(round(lead * SPEECH_RATE), dtype=np.float32)]
    onsets, at = [], round(lead * SPEECH_RATE)
    for word in words:
        sound = trimmed(spoken(word, voice=voice))
        gap = np.zeros(round(rng.uniform(0.03, 0.3) * SPEECH_RATE), dtype=np.float32)
        onsets.append(at / SPEECH_RATE)
        parts += [sound, gap]
        at += len(sound) + len(gap)
    return np.concatenate(parts), onsets


def write_wav(audio: np.ndarray, path: Path, rate: int = SPEECH_RATE) -> Path:
    """Write mono float audio as 16-bit WAV."""
    sf.write(path, audio, rate, subtype="PCM_16")
    return path


@pytest.fixture(scope="session")
def speech_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models folder holding the joined whisper-base (one per test session, shared by all)."""
    from mixdown.engines.speech.models import ensure_base_model

    folder = tmp_path_factory.getbasetemp() / "speech-models"
    ensure_base_model(folder)
    return folder


@pytest.fixture
def speech_env(monkeypatch: pytest.MonkeyPatch, speech_models_dir: Path) -> Path:
    """``MIXDOWN_MODELS_DIR`` pointing at :func:`speech_models_dir` (tasks read their settings there)."""
    monkeypatch.setenv("MIXDOWN_MODELS_DIR", str(speech_models_dir))
    return speech_models_dir
