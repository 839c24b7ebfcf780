"""Speech fixtures: the joined Whisper base model, shared with the integration tests."""

from tests.speech_gen import speech_env, speech_models_dir

__all__ = ["speech_env", "speech_models_dir"]
