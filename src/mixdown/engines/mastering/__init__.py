"""Mastering: loudness to a target under a true-peak ceiling, preset colours and reference matching.

::

    master(audio, sr, MasterSettings(...), reference=profile(ref, ref_sr))  -> Mastered
    measure(audio, sr)                                                   -> LoudnessReport

The meters and the look-ahead true-peak limiter are the music engine's
(:mod:`mixdown.engines.music.produce.loudness`, :mod:`mixdown.engines.music.produce.master`); this
package adds the loudness range (EBU Tech 3342), the gain search, presets and reference matching.
See ``docs/master.md``.
"""

from mixdown.engines.mastering.chain import Mastered, MasterSettings, Prepared, master, prepare
from mixdown.engines.mastering.meter import LoudnessReport, measure
from mixdown.engines.mastering.presets import PRESETS, Preset, PresetName
from mixdown.engines.mastering.reference import Match, Profile, profile

__all__ = [
    "PRESETS",
    "LoudnessReport",
    "MasterSettings",
    "Mastered",
    "Match",
    "Prepared",
    "Preset",
    "PresetName",
    "Profile",
    "master",
    "measure",
    "prepare",
    "profile",
]
