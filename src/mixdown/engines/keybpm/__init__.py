"""Key & BPM analysis: essentia's beat tracker and key estimation with our metrical-level choice.

See :func:`analyse_key_bpm` and docs/key-bpm.md.
"""

from mixdown.engines.keybpm.analyse import KeyBpmAnalysis, analyse_key_bpm
from mixdown.engines.keybpm.backend import KEY_PROFILE, availability, warm_up
from mixdown.engines.keybpm.tonality import KeyEstimate, camelot

__all__ = [
    "KEY_PROFILE",
    "KeyBpmAnalysis",
    "KeyEstimate",
    "analyse_key_bpm",
    "availability",
    "camelot",
    "warm_up",
]
