"""Speech recognition and forced alignment with PocketSphinx (en-us model inside its wheel).

Recognition runs per piece of :func:`~mixdown.engines.speech.segment.speech_segments` (its
accuracy drops on long utterances). Alignment (``set_align_text``) forces the given words through
the acoustic model in one pass over the whole audio (about 1 s per minute of audio); words
missing from the dictionary get a pronunciation guessed from their spelling
(:mod:`~mixdown.engines.speech.g2p`). Two decoders per process (recognition, alignment), behind a
lock: a decoder is not thread-safe, and loading the 27 MB language model takes about a second.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from mixdown.engines.speech.align import tightened
from mixdown.engines.speech.audio import SPEECH_RATE, to_pcm16
from mixdown.engines.speech.g2p import guess_phones
from mixdown.engines.speech.segment import speech_segments
from mixdown.engines.speech.text import sphinx_word
from mixdown.engines.speech.transcript import Segment, Transcript, Word

MODEL_NAME = "pocketsphinx-en-us"
FRAME_RATE = 100  # PocketSphinx's default frames per second
_DEFAULT_SEARCH = "_default"
_NOISE_RMS = 1e-4

Progress = Callable[[float], None]

_lock = threading.Lock()
_decoders: dict[str, Any] = {}


class AlignmentFailed(Exception):
    """The aligner found no path through the whole text (e.g. text and audio do not match)."""


def _get_decoder(purpose: str = "recognise") -> Any:
    """The process's decoder for ``recognise`` or ``align`` (call with ``_lock`` held).

    The aligner is a separate decoder without the language model (a keyword search stands in for
    it): the pronunciations alignment adds for unknown words must not leak into recognition, and
    it loads in a third of the time and memory (28 MB against 90 MB).
    """
    if purpose not in _decoders:
        from pocketsphinx import Decoder

        extra = {"keyphrase": "hello"} if purpose == "align" else {}
        _decoders[purpose] = Decoder(samprate=SPEECH_RATE, loglevel="FATAL", **extra)
    return _decoders[purpose]


def warm_up() -> None:
    """Load both decoders now."""
    with _lock:
        _get_decoder("recognise")
        _get_decoder("align")


def _words(decoder: Any, offset: float) -> list[Word]:
    """The current hypothesis's words (fillers dropped), shifted by ``offset`` seconds."""
    words = []
    for seg in decoder.seg():
        text = sphinx_word(seg.word)
        if text:
            start = offset + seg.start_frame / FRAME_RATE
            words.append(Word(text=text, start=start, end=offset + (seg.end_frame + 1) / FRAME_RATE))
    return words


def _decode(decoder: Any, audio: np.ndarray) -> None:
    """Run ``audio`` through ``decoder`` as one whole utterance.

    Whole, not in blocks: cepstral mean normalisation is then computed over the utterance, where
    in live (block) mode a cold start estimate made alignments fail outright (measured).
    """
    # Noise at -80 dBFS: digital silence (TTS, edited audio) gives -inf log energies that made
    # alignments of espeak-ng speech fail (measured); 3 LSB of noise changes nothing else.
    noise = np.random.default_rng(0).normal(0.0, _NOISE_RMS, len(audio)).astype(np.float32)
    decoder.start_utt()
    decoder.process_raw(to_pcm16(audio + noise), full_utt=True)
    decoder.end_utt()


def transcribe(
    audio: np.ndarray,
    *,
    word_timestamps: bool = False,
    progress: Progress | None = None,
    segmented: bool = True,
) -> Transcript:
    """Transcribe mono 16 kHz float English speech, piece by piece (``segmented=False``: in one go).

    Examples
    --------
    >>> transcribe(load_speech("hello.wav")).text  # doctest: +SKIP
    'hello world'
    """
    pieces = speech_segments(audio, SPEECH_RATE) if segmented else [(0, len(audio))]
    segments = []
    with _lock:
        decoder = _get_decoder()
        for index, (start, stop) in enumerate(pieces):
            _decode(decoder, audio[start:stop])
            words = _words(decoder, start / SPEECH_RATE)
            if words:
                text = " ".join(w.text for w in words)
                kept = tuple(words) if word_timestamps else ()
                segments.append(Segment(start=words[0].start, end=words[-1].end, text=text, words=kept))
            if progress is not None:
                progress((index + 1) / len(pieces))
    return Transcript(
        segments=tuple(segments),
        language="en",
        language_probability=None,
        duration=len(audio) / SPEECH_RATE,
        engine="pocketsphinx",
        model=MODEL_NAME,
    )


def _ensure_in_dictionary(decoder: Any, words: Sequence[str]) -> list[str]:
    """Add a guessed pronunciation for each word the dictionary lacks; returns those words."""
    guessed = []
    for word in dict.fromkeys(words):
        if decoder.lookup_word(word) is None:
            decoder.add_word(word, guess_phones(word), True)
            guessed.append(word)
    return guessed


def align(audio: np.ndarray, words: Sequence[str]) -> list[Word]:
    """Start and end of each of ``words`` (lower-case spoken words) in mono 16 kHz ``audio``.

    Raises
    ------
    AlignmentFailed
        When no alignment reaches the end of the text.

    Examples
    --------
    >>> [w.text for w in align(load_speech("hello.wav"), ["hello", "world"])]  # doctest: +SKIP
    ['hello', 'world']
    """
    if not words:
        return []
    with _lock:
        decoder = _get_decoder("align")
        try:
            _ensure_in_dictionary(decoder, words)
            decoder.set_align_text(" ".join(words))
            _decode(decoder, audio)
            aligned = _words(decoder, 0.0) if decoder.hyp() is not None else []
        finally:
            decoder.activate_search(_DEFAULT_SEARCH)
    if [w.text for w in aligned] != list(words):
        raise AlignmentFailed(f"aligned {len(aligned)} of {len(words)} words")
    return tightened(aligned, audio, SPEECH_RATE)
