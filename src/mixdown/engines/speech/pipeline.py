"""One transcription or alignment request, from 16 kHz audio to a :class:`Transcript`.

Alignment (``align_text``) defaults to PocketSphinx's forced aligner for English: on words
synthesised apart with known onsets its start times were off by a median of 6-10 ms (95th
percentile 22-142 ms) against 269-294 ms (461-506 ms) for Whisper's word timestamps matched to
the text, in a tenth of the time (bench/bench_transcribe.py). Whisper is used for other
languages, when asked for, and when the forced alignment finds no path through the text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from mixdown.engines.speech import sphinx, whisper
from mixdown.engines.speech.align import (
    TextWord,
    join_words,
    line_segments,
    match_words,
    text_words,
    tightened,
)
from mixdown.engines.speech.audio import SPEECH_RATE
from mixdown.engines.speech.models import model_path
from mixdown.engines.speech.transcript import Transcript, Word

EngineName = Literal["whisper", "pocketsphinx"]
Progress = Callable[[float], None]


@dataclass(frozen=True, kw_only=True)
class SpeechRequest:
    """What to do: engine, Whisper model, language (None: detect), word times, text to align."""

    engine: EngineName
    model: str
    models_dir: Path
    language: str | None = None
    word_timestamps: bool = False
    align_text: str | None = None


def default_engine(*, align_text: str | None, language: str | None) -> EngineName:
    """Whisper for transcription; the forced aligner for aligning English (or unstated) text."""
    if align_text is not None and language in (None, "en"):
        return "pocketsphinx"
    return "whisper"


def _whisper(audio: np.ndarray, req: SpeechRequest, words: bool, progress: Progress | None) -> Transcript:
    return whisper.transcribe(
        audio,
        folder=model_path(req.models_dir, req.model),
        model_name=req.model,
        language=req.language,
        word_timestamps=words,
        progress=progress,
    )


def recognise(audio: np.ndarray, req: SpeechRequest, progress: Progress | None = None) -> Transcript:
    """Transcribe mono 16 kHz ``audio`` with the requested engine."""
    if req.engine == "pocketsphinx":
        return sphinx.transcribe(audio, word_timestamps=req.word_timestamps, progress=progress)
    return _whisper(audio, req, req.word_timestamps, progress)


def align(audio: np.ndarray, req: SpeechRequest, progress: Progress | None = None) -> Transcript:
    """Time every word of ``req.align_text`` in ``audio``; segments are the text's lines.

    Examples
    --------
    >>> req = SpeechRequest(engine="pocketsphinx", model="whisper-base", models_dir=Path("models"),
    ...                     align_text="hello world")  # doctest: +SKIP
    >>> [w.text for w in align(load_speech("hello.wav"), req).words]  # doctest: +SKIP
    ['hello', 'world']
    """
    assert req.align_text is not None
    given = text_words(req.align_text)
    spoken = [part for word in given for part in word.spoken]
    duration = len(audio) / SPEECH_RATE
    if req.engine == "pocketsphinx":
        try:
            timed = sphinx.align(audio, spoken)
        except sphinx.AlignmentFailed:
            pass  # e.g. music between the lines; Whisper's timed words still place the text
        else:
            return _aligned(given, timed, duration, _Source("pocketsphinx", sphinx.MODEL_NAME, "en", None))
    heard = _whisper(audio, req, True, progress)
    timed = tightened(match_words(spoken, heard.words, duration), audio, SPEECH_RATE)
    source = _Source("whisper", req.model, heard.language, heard.language_probability)
    return _aligned(given, timed, duration, source)


@dataclass(frozen=True)
class _Source:
    engine: EngineName
    model: str
    language: str
    probability: float | None


def _aligned(given: list[TextWord], timed: list[Word], duration: float, source: _Source) -> Transcript:
    words = join_words(given, timed)
    method = "forced" if source.engine == "pocketsphinx" else "matched"
    return Transcript(
        segments=tuple(line_segments(given, words)),
        language=source.language,
        language_probability=source.probability,
        duration=duration,
        engine=source.engine,
        model=source.model,
        extra={"alignment": method, "words": [w.to_dict() for w in words]},
    )
