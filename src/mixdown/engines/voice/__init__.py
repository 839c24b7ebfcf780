"""The voice changer: WORLD vocoder pitch and formant changes, presets, and their effects.

Modules: ``world`` (pyworld analysis and synthesis, F0 trackers), ``transform`` (what a change
does to F0, envelope and aperiodicity), ``segments`` (long inputs in quiet-cut segments),
``presets`` (the ``voice_id`` presets), ``effects`` (the presets' pedalboard chains), ``loudness``
(levelling to the input), ``background`` (the separation engine, looked up at run time),
``change`` (the whole chain). Other tasks (cover, singing) call :func:`change_voice`::

    out = change_voice(samples, rate, pitch_semitones=-3.0, formant_semitones=-1.0)
    out = change_voice(samples, rate, preset="robot")
"""

from mixdown.engines.voice.change import (
    MAX_FORMANT_SEMITONES,
    MAX_PITCH_SEMITONES,
    Recipe,
    VoiceChanged,
    change,
    change_voice,
    recipe,
)
from mixdown.engines.voice.presets import PRESET_NAMES, PRESETS, PresetName, VoicePreset
from mixdown.engines.voice.world import QUALITIES, Quality

__all__ = [
    "MAX_FORMANT_SEMITONES",
    "MAX_PITCH_SEMITONES",
    "PRESETS",
    "PRESET_NAMES",
    "QUALITIES",
    "PresetName",
    "Quality",
    "Recipe",
    "VoiceChanged",
    "VoicePreset",
    "change",
    "change_voice",
    "recipe",
]
