"""What a sing request's ``prompt`` can steer: register, note lengths, vibrato, reverb, vocal level.

The prompt is read for plain words (``high``, ``low``, ``ballad``, ``fast``, ``dry``, ``vibrato``,
``male`` ...); every word that changed something is reported back, so a client sees what was
understood. Anything else in the prompt is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

# Registers (MIDI) the melody keeps to: comfortable ranges of the two voice kinds (A3-D5, A2-D4).
REGISTERS = {"female": (57, 74), "male": (45, 62)}
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class SingingStyle:
    """How to sing: shifts and amounts that the composer, the synthesis and the mix use."""

    register_shift: int = 0  # semitones
    long_notes: bool = False  # prefer quarter notes to eighths where the line has room
    vibrato_cents: float = 20.0
    reverb: float = 0.12  # wet level 0..1
    vocal_lift_db: float = 3.0  # vocal loudness over the instrumental's
    gender: str | None = None  # from the prompt, when the request did not set one
    understood: tuple[str, ...] = field(default_factory=tuple)

    def register(self, gender: str) -> tuple[int, int]:
        """The lowest and highest MIDI note for a voice of ``gender`` (female when unknown)."""
        low, high = REGISTERS.get(gender, REGISTERS["female"])
        return low + self.register_shift, high + self.register_shift

    def as_dict(self) -> dict[str, Any]:
        """JSON form for the job metadata."""
        return {
            "register_shift": self.register_shift,
            "long_notes": self.long_notes,
            "vibrato_cents": self.vibrato_cents,
            "reverb": self.reverb,
            "vocal_lift_db": self.vocal_lift_db,
            "understood": list(self.understood),
        }


_RULES: tuple[tuple[frozenset[str], dict[str, Any]], ...] = (
    (frozenset({"high", "soprano", "bright"}), {"register_shift": 3}),
    (frozenset({"low", "deep", "bass", "baritone", "alto"}), {"register_shift": -3}),
    (frozenset({"ballad", "slow", "calm", "gentle", "soft", "dreamy", "lullaby"}), {"long_notes": True}),
    (frozenset({"fast", "upbeat", "energetic", "punchy", "rap"}), {"long_notes": False}),
    (frozenset({"dry", "intimate", "close"}), {"reverb": 0.04}),
    (frozenset({"reverb", "hall", "ambient", "spacious", "church", "ethereal"}), {"reverb": 0.25}),
    (frozenset({"vibrato", "opera", "operatic", "soulful"}), {"vibrato_cents": 35.0}),
    (frozenset({"straight", "robotic", "autotune"}), {"vibrato_cents": 0.0}),
    (frozenset({"loud", "upfront", "forward"}), {"vocal_lift_db": 5.0}),
    (frozenset({"quiet", "background", "subtle"}), {"vocal_lift_db": 0.0}),
    (frozenset({"male", "man", "boy", "tenor"}), {"gender": "male"}),
    (frozenset({"female", "woman", "girl", "diva"}), {"gender": "female"}),
)


def read_style(prompt: str | None) -> SingingStyle:
    """The singing style a prompt asks for.

    Examples
    --------
    >>> style = read_style("A slow, dreamy ballad with a deep male voice and lots of reverb")
    >>> style.long_notes, style.register_shift, style.gender, style.reverb
    (True, -3, 'male', 0.25)
    >>> style.understood
    ('slow', 'dreamy', 'ballad', 'deep', 'male', 'reverb')
    """
    style, understood = SingingStyle(), []
    for word in _WORD.findall((prompt or "").lower()):
        for words, change in _RULES:
            if word in words:
                style = replace(style, **change)
                understood.append(word)
    return replace(style, understood=tuple(dict.fromkeys(understood)))
