"""Speech recognition with faster-whisper (CTranslate2, int8 on CPU), one loaded model per folder.

Long audio needs no segmenting of ours: faster-whisper decodes 30 s windows in order and its
Silero VAD filter (``vad_filter=True``, the ONNX model ships in the faster-whisper wheel) skips
silence first; segments arrive as they are decoded, so progress is reported per segment.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from mixdown.engines.speech.transcript import Segment, Transcript, Word

SAMPLE_RATE = 16000
CPU_THREADS = 2
# Greedy decoding: beam 5 took ~27 % more CPU time for a WER lower by 0.006 on 50 s of Harvard
# sentences (festival 0.044 -> 0.038, flite kal 0.151 -> 0.145).
BEAM_SIZE = 1
# faster-whisper's language codes (faster_whisper.tokenizer._LANGUAGE_CODES, checked by a test),
# kept here so validating a request does not import faster-whisper into the API process.
LANGUAGES = frozenset(
    (  # noqa: SIM905
        "af am ar as az ba be bg bn bo br bs ca cs cy da de el en es et eu fa fi fo fr gl gu ha haw he hi "
        "hr ht hu hy id is it ja jw ka kk km kn ko la lb ln lo lt lv mg mi mk ml mn mr ms mt my ne nl nn no "
        "oc pa pl ps pt ro ru sa sd si sk sl sn so sq sr su sv sw ta te tg th tk tl tr tt uk ur uz vi yi yo "
        "zh yue"
    ).split()
)

Progress = Callable[[float], None]

_lock = threading.Lock()
_models: dict[Path, Any] = {}


def load_model(folder: Path) -> Any:
    """The ``WhisperModel`` of ``folder``, loaded once per process."""
    folder = folder.resolve()
    with _lock:
        model = _models.get(folder)
        if model is None:
            from faster_whisper import WhisperModel

            model = WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=CPU_THREADS)
            _models[folder] = model
        return model


def transcribe(
    audio: np.ndarray,
    *,
    folder: Path,
    model_name: str,
    language: str | None = None,
    word_timestamps: bool = False,
    progress: Progress | None = None,
) -> Transcript:
    """Transcribe mono 16 kHz float ``audio`` with the Whisper model in ``folder``.

    Parameters
    ----------
    audio : numpy.ndarray
        Mono float32 samples at 16 kHz.
    folder : pathlib.Path
        A CTranslate2 Whisper model folder (see :mod:`mixdown.engines.speech.models`).
    model_name : str
        Its name, reported in the result.
    language : str, optional
        A Whisper language code; detected from the first 30 s when not given.
    word_timestamps : bool
        Also time every word (cross-attention alignment; costs ~10 % more time).
    progress : callable, optional
        Called with the fraction of the audio decoded so far.

    Returns
    -------
    Transcript
        Segments (and words); ``language_probability`` is the detector's (1.0 when given).

    Examples
    --------
    >>> speech = load_speech("hello.wav")  # doctest: +SKIP
    >>> transcribe(speech, folder=base, model_name="whisper-base").text  # doctest: +SKIP
    'Hello world.'
    """
    model = load_model(folder)
    duration = len(audio) / SAMPLE_RATE
    pieces, info = model.transcribe(
        audio.astype(np.float32, copy=False),
        language=language,
        word_timestamps=word_timestamps,
        vad_filter=True,
        beam_size=BEAM_SIZE,
    )
    segments = []
    for piece in pieces:
        segments.append(_segment(piece))
        if progress is not None and duration > 0:
            progress(min(1.0, float(piece.end) / duration))
    return Transcript(
        segments=tuple(seg for seg in segments if seg.text),
        language=info.language,
        language_probability=float(info.language_probability),
        duration=duration,
        engine="whisper",
        model=model_name,
    )


def _segment(piece: Any) -> Segment:
    words = tuple(
        Word(text=w.word.strip(), start=float(w.start), end=float(w.end), probability=float(w.probability))
        for w in piece.words or ()
        if w.word.strip()
    )
    return Segment(start=float(piece.start), end=float(piece.end), text=piece.text.strip(), words=words)
