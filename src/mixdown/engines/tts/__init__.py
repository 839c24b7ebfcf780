"""Text to speech with the engines installed on this machine: Festival, Flite and eSpeak NG.

Modules: ``text`` (sentences, paragraphs and the pause after each), ``voices`` (asking each
engine what it has), ``catalogue`` (search and choice of a voice), ``festival`` (warm Festival
processes), ``synth`` (one chunk through one engine, speed mapping), ``prosody`` (trim, pitch,
time stretch, join), ``speech`` (the whole chain: :func:`speak`). The voices of this machine:
``catalogue.catalogue()``.
"""

from __future__ import annotations

from mixdown.engines.tts.catalogue import Catalogue
from mixdown.engines.tts.speech import Sentence, Speech, speak
from mixdown.engines.tts.text import Chunk, split_chunks
from mixdown.engines.tts.voices import EngineStatus, Voice

__all__ = [
    "Catalogue",
    "Chunk",
    "EngineStatus",
    "Sentence",
    "Speech",
    "Voice",
    "speak",
    "split_chunks",
]
