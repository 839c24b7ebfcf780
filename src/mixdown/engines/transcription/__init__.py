"""Audio to MIDI: basic-pitch's network (ONNX, inside its wheel), its note creation, a beat grid and a key.

::

    result = transcribe(samples, sample_rate, TranscribeOptions(quantize=True))
    write_midi(result.notes, path, grid=result.midi_grid, key=result.key)

Modules: ``model`` (the ONNX session, windowing), ``note_creation`` (activations -> notes),
``notes`` (the note type, clean-ups), ``grid`` (tempo, bar lines, quantizing), ``key``,
``midi_file``, and ``pipeline`` (all of it in order).
"""

from mixdown.engines.transcription.grid import Grid, quantize
from mixdown.engines.transcription.key import Key, estimate_key
from mixdown.engines.transcription.midi_file import write_midi
from mixdown.engines.transcription.model import availability
from mixdown.engines.transcription.note_creation import DecodeOptions, decode
from mixdown.engines.transcription.notes import Note
from mixdown.engines.transcription.pipeline import (
    TUNED,
    TranscribeOptions,
    Transcription,
    transcribe,
    warm_up,
)

__all__ = [
    "TUNED",
    "DecodeOptions",
    "Grid",
    "Key",
    "Note",
    "TranscribeOptions",
    "Transcription",
    "availability",
    "decode",
    "estimate_key",
    "quantize",
    "transcribe",
    "warm_up",
    "write_midi",
]
