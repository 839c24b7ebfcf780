"""Key: essentia's HPCP chroma and ``Key`` with the Sha'ath profile, plus names and Camelot codes.

The frames are the ones essentia's ``KeyExtractor`` computes (4096-sample Hann frames at 44.1 kHz,
spectral peaks 25-3500 Hz, whitening, 12-bin HPCP); their mean, scaled to a maximum of 1 with bins
under 0.2 zeroed, goes to ``Key``. This gives the same key as ``KeyExtractor`` on every clip of the
bench, and also the second-best margin and per-frame chroma that ``KeyExtractor`` hides. The
profile was chosen by measurement among essentia's fourteen (docs/key-bpm.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mixdown.engines.keybpm.backend import CHROMA_HOP, KEY_FRAME, Algorithms

PCP_THRESHOLD = 0.2  # KeyExtractor's default: bins under this share of the maximum are dropped
# Conventional spellings: the one of each pair with fewer accidentals in its key signature.
MAJOR_NAMES = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
MINOR_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B")
_PITCH_CLASS = {
    "C": 0, "B#": 0, "C#": 1, "Db": 1, "D": 2, "D#": 3, "Eb": 3, "E": 4, "Fb": 4, "F": 5, "E#": 5, "F#": 6,
    "Gb": 6, "G": 7, "G#": 8, "Ab": 8, "A": 9, "A#": 10, "Bb": 10, "B": 11, "Cb": 11,
}  # fmt: skip


def pitch_class(name: str) -> int:
    """0-11 for a note name with at most one sharp or flat (``"Bb"`` -> 10)."""
    try:
        return _PITCH_CLASS[name]
    except KeyError:
        raise ValueError(f"not a note name: {name!r}") from None


def camelot(tonic: int, scale: str) -> str:
    """The Camelot wheel code of a key: ``8A`` is A minor, ``8B`` C major; fifths are neighbours.

    Examples
    --------
    >>> camelot(9, "minor"), camelot(0, "major"), camelot(11, "major"), camelot(8, "minor")
    ('8A', '8B', '1B', '1A')
    """
    major_tonic = tonic if scale == "major" else (tonic + 3) % 12
    return f"{(7 * major_tonic + 7) % 12 + 1}{'B' if scale == 'major' else 'A'}"


@dataclass(frozen=True)
class KeyEstimate:
    """A key, how well the chroma fits its profile, and by how much it beat the runner-up."""

    tonic: int  # pitch class 0-11
    scale: str  # "major" | "minor"
    strength: float  # correlation with the key's profile, 0..1
    margin: float  # essentia's firstToSecondRelativeStrength

    @property
    def key(self) -> str:
        """The tonic's conventional spelling in this scale, e.g. ``"F#"``, ``"Bb"``."""
        return (MAJOR_NAMES if self.scale == "major" else MINOR_NAMES)[self.tonic]

    @property
    def name(self) -> str:
        """E.g. ``"A minor"``."""
        return f"{self.key} {self.scale}"

    @property
    def camelot(self) -> str:
        """E.g. ``"8A"``."""
        return camelot(self.tonic, self.scale)


def hpcp_frames(algorithms: Algorithms, mono: np.ndarray) -> np.ndarray:
    """``(frames, 12)`` HPCP of 44.1 kHz mono audio, one frame every ``CHROMA_HOP`` samples."""
    a = algorithms
    rows = []
    for frame in a.frames(
        np.ascontiguousarray(mono, dtype=np.float32), frameSize=KEY_FRAME, hopSize=CHROMA_HOP
    ):
        spectrum = a.spectrum(a.window(frame))
        freqs, mags = a.peaks(spectrum)
        rows.append(a.hpcp(freqs, a.whitening(spectrum, freqs, mags)))
    return np.asarray(rows, dtype=np.float32).reshape(-1, 12)


def key_profile_input(frames: np.ndarray) -> np.ndarray | None:
    """The averaged chroma ``Key`` reads: KeyExtractor's frames, max-scaled, small bins zeroed."""
    step = KEY_FRAME // CHROMA_HOP
    mean = frames[::step].mean(axis=0) if frames.shape[0] else np.zeros(12, dtype=np.float32)
    top = float(mean.max())
    if not np.isfinite(top) or top <= 0.0:
        return None
    scaled = (mean / top).astype(np.float32)
    scaled[scaled < PCP_THRESHOLD] = 0.0
    return scaled


def estimate_key(frames: np.ndarray, key_algorithm: Any) -> KeyEstimate | None:
    """The key of the chroma ``frames`` by a configured essentia ``Key``; None without pitch content."""
    profile = key_profile_input(frames)
    if profile is None:
        return None
    name, scale, strength, margin = key_algorithm(profile)
    return KeyEstimate(pitch_class(name), scale, float(strength), float(margin))
