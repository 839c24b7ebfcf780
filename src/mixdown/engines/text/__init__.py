"""Text tools shared by the engines that deal in words (lyrics writing, singing).

``cmu``: the CMU Pronouncing Dictionary with its stress marks (pronunciations, syllable counts,
stress, rhymes) and a spelling-based guess for the words it lacks.
"""

from mixdown.engines.text.cmu import Pronouncer, pronouncer

__all__ = ["Pronouncer", "pronouncer"]
