"""What a recipe is: a synthesis function with the words that name it, and the traits it reads.

A recipe is ``(rng, duration, sample_rate, traits) -> (frames, 2) float32``. It
draws every choice it makes (pitch, timing, timbre) from ``rng``, so one seed
always gives the same sound and the next seed an audibly different take.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from mixdown.engines.sfx.dsp import Signal, as_stereo, decay, frames_for, noise
from mixdown.engines.sfx.effects import bandpass

SynthFn = Callable[[np.random.Generator, float, int, "Traits"], Signal]


@dataclass(frozen=True, kw_only=True)
class Traits:
    """How the prompt asks the sound to be; 0 is "as the recipe designs it" for the bipolar ones.

    Bipolar (-1 .. 1): ``weight`` light..heavy, ``size`` small..big, ``length``
    short..long, ``speed`` slow..fast, ``pitch`` low..high, ``brightness``
    dark..bright, ``wet`` dry..reverberant, ``loudness`` quiet..loud.
    Unipolar (0 .. 1): ``distance`` (default 0.2), ``intensity`` (default 0.5),
    ``metallic``, ``lofi``. ``repeats`` is a count the prompt gave ("three knocks").
    """

    weight: float = 0.0
    size: float = 0.0
    distance: float = 0.2
    length: float = 0.0
    speed: float = 0.0
    pitch: float = 0.0
    brightness: float = 0.0
    intensity: float = 0.5
    wet: float = 0.0
    metallic: float = 0.0
    lofi: float = 0.0
    loudness: float = 0.0
    repeats: int | None = None
    words: tuple[str, ...] = field(default=(), compare=False)

    @property
    def pitch_factor(self) -> float:
        """Multiplier for the recipe's pitches: heavy and big sound lower."""
        return float(2.0 ** (0.7 * self.pitch - 0.45 * self.weight - 0.35 * self.size))

    @property
    def decay_factor(self) -> float:
        """Multiplier for decay and event lengths: "short" about halves them, "long" doubles them."""
        return float(2.0 ** (1.1 * self.length + 0.25 * self.weight + 0.35 * self.size))

    @property
    def rate_factor(self) -> float:
        """Multiplier for event rates (steps, beats, ticks, sweeps)."""
        return float(2.0 ** (0.8 * self.speed))

    @property
    def tone(self) -> float:
        """Multiplier for filter cutoffs: bright opens them, dark and heavy close them."""
        return float(2.0 ** (1.0 * self.brightness - 0.3 * self.weight))

    def count(self, default: int) -> int:
        """How many events a one-shot recipe plays: the prompt's count, else ``default``."""
        return max(1, min(self.repeats or default, 64))

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly values, floats rounded, for result metadata."""
        values = asdict(self)
        values["words"] = list(self.words)
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in values.items()}


@dataclass(frozen=True, kw_only=True)
class Recipe:
    """A named way to synthesise one kind of sound, with the words a prompt may use for it."""

    name: str
    family: str
    description: str
    keywords: tuple[str, ...]
    related: tuple[str, ...] = ()
    synth: SynthFn

    def __call__(
        self, rng: np.random.Generator, duration: float, sample_rate: int, traits: Traits
    ) -> npt.NDArray[np.float32]:
        """Render ``duration`` seconds: ``(round(duration * sample_rate), 2)`` finite float32."""
        frames = frames_for(duration, sample_rate)
        raw = as_stereo(np.asarray(self.synth(rng, duration, sample_rate, traits), dtype=np.float64))
        out = np.zeros((frames, 2))
        out[: min(frames, len(raw))] = raw[:frames]
        return out.astype(np.float32)


def recipe(
    name: str, *, family: str, description: str, keywords: tuple[str, ...], related: tuple[str, ...] = ()
) -> Callable[[SynthFn], Recipe]:
    """Decorator turning a synthesis function into a :class:`Recipe`."""

    def wrap(synth: SynthFn) -> Recipe:
        return Recipe(
            name=name, family=family, description=description, keywords=keywords, related=related, synth=synth
        )

    return wrap


def burst(
    rng: np.random.Generator,
    sample_rate: int,
    *,
    seconds: float,
    low: float,
    high: float,
    attack: float = 0.0005,
) -> Signal:
    """A band-passed noise grain that decays by 60 dB over ``seconds``: clicks, taps, crackles, claps."""
    frames = frames_for(seconds + attack, sample_rate)
    grain = noise(rng, frames, sample_rate) * decay(frames, sample_rate, seconds=seconds, attack=attack)
    return bandpass(grain, sample_rate, low=low, high=high)


def thump(sample_rate: int, *, start: float, end: float, seconds: float, attack: float = 0.002) -> Signal:
    """A sine falling from ``start`` to ``end`` Hz while it decays: kicks, heartbeats, body hits."""
    frames = frames_for(seconds, sample_rate)
    t = np.arange(frames) / sample_rate
    freq = end + (start - end) * np.exp(-t / max(seconds / 6.0, 1e-3))
    phase = 2.0 * np.pi * np.cumsum(freq) / sample_rate
    return np.sin(phase) * decay(frames, sample_rate, seconds=seconds, attack=attack)


def event_length(duration: float, seconds: float) -> float:
    """``seconds`` if it fits in ``duration``, else all of ``duration``."""
    return min(seconds, duration)
