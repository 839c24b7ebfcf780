"""One chunk of text through one engine: Festival (warm or one-shot), Flite or eSpeak NG.

Speed is the engine's own wherever it has one: eSpeak's words per minute (``-s``), Flite's
``duration_stretch`` and Festival's ``Duration_Stretch`` (diphone voices) or hts_engine speech
rate (HTS voices). Where a speed is beyond what the engine accepts (eSpeak: 80-450 words per
minute), :func:`split_speed` leaves the rest to the time stretcher in :mod:`.prosody`.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile as sf

from mixdown.engines.tts.festival import FestivalError, FestivalProcess, festival_pool
from mixdown.engines.tts.text import ascii_text
from mixdown.engines.tts.voices import EngineName, Voice
from mixdown.errors import TaskError

ESPEAK_WPM = 175  # eSpeak NG's default rate: speed 1.0
ESPEAK_WPM_RANGE = (80, 450)
# Speeds each engine applies itself (factor of its normal rate).
NATIVE_SPEED: dict[EngineName, tuple[float, float]] = {
    "festival": (0.25, 4.0),
    "flite": (0.25, 4.0),
    "espeak-ng": (ESPEAK_WPM_RANGE[0] / ESPEAK_WPM, ESPEAK_WPM_RANGE[1] / ESPEAK_WPM),
}
COMMAND_TIMEOUT = 120.0
ENGLISH_ONLY: frozenset[EngineName] = frozenset({"festival", "flite"})


@dataclass(frozen=True)
class SpeedPlan:
    """A speed split into what the engine does and what the time stretcher does after it."""

    native: float
    residual: float


def split_speed(speed: float, engine: EngineName) -> SpeedPlan:
    """The engine's share of ``speed`` (clamped to its range) and the remaining factor.

    Examples
    --------
    >>> split_speed(2.0, "flite")
    SpeedPlan(native=2.0, residual=1.0)
    >>> plan = split_speed(4.0, "espeak-ng")
    >>> round(plan.native * ESPEAK_WPM), round(plan.residual, 3)
    (450, 1.556)
    """
    low, high = NATIVE_SPEED[engine]
    native = min(max(speed, low), high)
    return SpeedPlan(native=native, residual=speed / native)


def espeak_command(voice: Voice, out: Path, *, speed: float) -> list[str]:
    """eSpeak NG reading UTF-8 text from stdin into the WAV ``out``.

    Examples
    --------
    >>> from mixdown.engines.tts.voices import Voice
    >>> v = Voice(id="e", name="e", language="de", gender="male", engine="espeak-ng", engine_voice="de+m1")
    >>> espeak_command(v, Path("o.wav"), speed=2.0)
    ['espeak-ng', '-v', 'de+m1', '-s', '350', '-b', '1', '-w', 'o.wav', '--stdin']
    """
    wpm = round(min(max(ESPEAK_WPM * speed, ESPEAK_WPM_RANGE[0]), ESPEAK_WPM_RANGE[1]))
    return ["espeak-ng", "-v", voice.engine_voice, "-s", str(wpm), "-b", "1", "-w", str(out), "--stdin"]


def flite_command(voice: Voice, text_file: Path, out: Path, *, speed: float) -> list[str]:
    """Flite reading ``text_file`` into the WAV ``out``; ``duration_stretch`` is 1 / speed.

    Examples
    --------
    >>> from mixdown.engines.tts.voices import Voice
    >>> v = Voice(id="f", name="f", language="en-us", gender="male", engine="flite", engine_voice="rms")
    >>> flite_command(v, Path("t.txt"), Path("o.wav"), speed=0.5)
    ['flite', '-voice', 'rms', '--setf', 'duration_stretch=2', '-f', 't.txt', '-o', 'o.wav']
    """
    stretch = f"duration_stretch={1 / speed:.6g}"
    return ["flite", "-voice", voice.engine_voice, "--setf", stretch, "-f", str(text_file), "-o", str(out)]


def synthesize(
    voice: Voice, text: str, out: Path, *, speed: float = 1.0, warm: bool = True
) -> tuple[npt.NDArray[np.float32], int]:
    """Speak ``text`` with ``voice`` at the engine's share of ``speed``; mono float32 and rate.

    ``warm`` uses this process's Festival pool; otherwise Festival starts for this call only
    (what ``text2wave`` does), which is what voice samples and the benchmark baseline use.
    """
    spoken = ascii_text(text) if voice.engine in ENGLISH_ONLY else text
    native = split_speed(speed, voice.engine).native
    if voice.engine == "festival":
        _festival(voice, spoken, out, speed=native, warm=warm)
    elif voice.engine == "flite":
        text_file = out.with_suffix(".txt")
        text_file.write_text(spoken, encoding="ascii")
        _run(flite_command(voice, text_file, out, speed=native), voice)
    else:
        _run(espeak_command(voice, out, speed=native), voice, stdin=spoken.encode("utf-8"))
    return read_mono(out)


def _festival(voice: Voice, text: str, out: Path, *, speed: float, warm: bool) -> None:
    try:
        if warm:
            festival_pool().say(voice.engine_voice, text, out, speed=speed)
        else:
            with FestivalProcess(voice.engine_voice) as process:
                process.say(text, out, speed=speed)
    except (FestivalError, OSError) as exc:
        raise TaskError(f"voice {voice.id}: {exc}") from exc


def _run(args: list[str], voice: Voice, *, stdin: bytes | None = None) -> None:
    try:
        subprocess.run(args, input=stdin, capture_output=True, timeout=COMMAND_TIMEOUT, check=True)
    except subprocess.CalledProcessError as exc:
        detail = exc.stderr.decode("utf-8", "replace").strip()[-300:]
        raise TaskError(f"voice {voice.id}: {args[0]} failed ({exc.returncode}): {detail}") from exc
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise TaskError(f"voice {voice.id}: {args[0]} could not run: {exc}") from exc


def read_mono(path: Path) -> tuple[npt.NDArray[np.float32], int]:
    """A WAV file as mono float32 samples and its rate."""
    samples, rate = sf.read(path, dtype="float32", always_2d=True)
    mono: npt.NDArray[np.float32] = samples.mean(axis=1, dtype=np.float32)
    return mono, int(rate)
