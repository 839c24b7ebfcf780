"""Text in, speech out: split, synthesise each chunk, shape it, join with natural pauses."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mixdown.audio.resample import resample
from mixdown.engines.tts.prosody import Mono, join, peak_normalize, reshape, trim_silence
from mixdown.engines.tts.synth import split_speed, synthesize
from mixdown.engines.tts.text import Chunk, split_chunks
from mixdown.engines.tts.voices import Voice
from mixdown.errors import ValidationFailed

Progress = Callable[[float, str], None]


@dataclass(frozen=True, kw_only=True)
class Sentence:
    """Where one chunk of the text sits in the audio."""

    text: str
    start: float
    end: float

    def as_dict(self) -> dict[str, Any]:
        """JSON form, times rounded to the millisecond."""
        return {"text": self.text, "start": round(self.start, 3), "end": round(self.end, 3)}


@dataclass(frozen=True, kw_only=True)
class Speech:
    """Mono float32 speech at ``sample_rate``, with the voice and the chunk times."""

    samples: Mono
    sample_rate: int
    voice: Voice
    sentences: list[Sentence]
    characters: int

    @property
    def duration(self) -> float:
        """Seconds of audio."""
        return len(self.samples) / self.sample_rate


def speak(
    text: str,
    voice: Voice,
    *,
    speed: float = 1.0,
    pitch: float = 0.0,
    work_dir: Path | None = None,
    warm: bool = True,
    progress: Progress | None = None,
) -> Speech:
    """Speak ``text`` with ``voice``: ``speed`` 2.0 halves the time, ``pitch`` in semitones.

    Parameters
    ----------
    text : str
        Any length; split into sentences and paragraphs (see :mod:`.text`).
    voice : Voice
        From the catalogue.
    speed : float
        Rate factor, engine-native where the engine allows (see :mod:`.synth`).
    pitch : float
        Semitones up (positive) or down.
    work_dir : Path, optional
        Scratch folder for engine files; a temporary one otherwise.
    warm : bool
        Use this process's warm Festival processes (otherwise one Festival per call).
    progress : callable, optional
        ``progress(fraction, message)`` after each chunk; may raise to stop.

    Returns
    -------
    Speech
        The audio and where each chunk starts and ends.

    Examples
    --------
    >>> from mixdown.engines.tts.catalogue import catalogue
    >>> speech = speak("Hello there. How are you?", catalogue().get("flite-slt"))
    >>> [s.text for s in speech.sentences]
    ['Hello there.', 'How are you?']
    """
    chunks = split_chunks(text)
    if not chunks:
        raise ValidationFailed("text: nothing to speak (no letters or digits)", field="text")
    if work_dir is None:
        with tempfile.TemporaryDirectory(prefix="tts-") as scratch:
            return _speak(chunks, voice, speed, pitch, Path(scratch), warm, progress)
    return _speak(chunks, voice, speed, pitch, work_dir, warm, progress)


def _speak(
    chunks: list[Chunk],
    voice: Voice,
    speed: float,
    pitch: float,
    work_dir: Path,
    warm: bool,
    progress: Progress | None,
) -> Speech:
    plan = split_speed(speed, voice.engine)
    pieces: list[Mono] = []
    rate = 0
    for index, chunk in enumerate(chunks):
        if progress is not None:
            progress(index / len(chunks), f"speaking sentence {index + 1} of {len(chunks)}")
        raw, raw_rate = synthesize(voice, chunk.text, work_dir / f"chunk_{index}.wav", speed=speed, warm=warm)
        rate = rate or raw_rate
        piece = trim_silence(raw if raw_rate == rate else _to_rate(raw, raw_rate, rate), rate)
        pieces.append(reshape(piece, rate, stretch=plan.residual))
    audio, spans = join(pieces, [c.pause / speed for c in chunks], rate)
    # One pitch shift over the whole keeps the length (so the times) and costs less than many.
    audio = reshape(audio, rate, semitones=pitch)
    sentences = [Sentence(text=c.text, start=a, end=b) for c, (a, b) in zip(chunks, spans, strict=True)]
    characters = sum(len(c.text) for c in chunks)
    return Speech(
        samples=peak_normalize(audio),
        sample_rate=rate,
        voice=voice,
        sentences=sentences,
        characters=characters,
    )


def _to_rate(samples: Mono, from_rate: int, to_rate: int) -> Mono:
    out = resample(samples[:, np.newaxis], from_rate=from_rate, to_rate=to_rate)
    return np.asarray(out[:, 0], dtype=np.float32)
