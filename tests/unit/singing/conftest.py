from __future__ import annotations

from tests.speech_gen import speech_models_dir

__all__ = ["speech_models_dir"]
