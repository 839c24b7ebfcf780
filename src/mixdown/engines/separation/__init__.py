"""Stem separation: named stems of a mix by the embedded DSP separator, Demucs, or (for the
server's own generations) the exact stems the music engine rendered.

Public entry points: :func:`separate` and :func:`plan` / :func:`separate_to_files` (any audio),
:func:`mixdown.engines.separation.exact.exact_stems` (a generation by hash), and
:func:`separate_voice` / :func:`availability`, what ``voice-change``'s ``remove_background`` calls.
"""

from mixdown.engines.separation.api import (
    Plan,
    SeparatedFiles,
    Separation,
    availability,
    plan,
    separate,
    separate_to_files,
    separate_voice,
)
from mixdown.engines.separation.names import STEM_NAMES, canonical, parse_stems

__all__ = [
    "STEM_NAMES",
    "Plan",
    "SeparatedFiles",
    "Separation",
    "availability",
    "canonical",
    "parse_stems",
    "plan",
    "separate",
    "separate_to_files",
    "separate_voice",
]
