"""Per-part effects: pedalboard chains from a ``PartMix``, stereo placement, and sidechain ducking.

Signals here are float32 ``(2, frames)`` (channels first, what pedalboard expects). Every processor
keeps its state between calls, so a piece processed chunk by chunk gives the same samples as long
as the chunks are the same; ``render_chunks`` guarantees that.
"""

from __future__ import annotations

import math

import numpy as np
from pedalboard import (
    Chain,
    Compressor,
    Delay,
    HighpassFilter,
    HighShelfFilter,
    LowpassFilter,
    LowShelfFilter,
    Plugin,
    Reverb,
)

from mixdown.engines.music.score import MixSettings, Part, PartMix, Stem

# High-pass corner per stem: keeps the low end for kick and bass, clears mud from the rest.
HIGHPASS_HZ = {
    Stem.DRUMS: 25.0,
    Stem.BASS: 28.0,
    Stem.CHORDS: 90.0,
    Stem.MELODY: 120.0,
    Stem.PADS: 110.0,
    Stem.VOCALS: 90.0,
    Stem.FX: 80.0,
}
# How strongly each stem follows the style's sidechain when the part sets none of its own.
SIDECHAIN_SHARE = {
    Stem.DRUMS: 0.0,
    Stem.BASS: 0.8,
    Stem.CHORDS: 0.6,
    Stem.MELODY: 0.25,
    Stem.PADS: 1.0,
    Stem.VOCALS: 0.0,
    Stem.FX: 0.5,
}
SIDECHAIN_MAX_DB = 18.0  # ducking depth at sidechain = 1
MIN_TILT = 0.15  # below this the shelves move less than 0.4/0.75 dB: not worth 14 ms per 30 s
MIN_SEND = 0.08  # a stem whose sends are all below this (-22 dB) gets no return of its own
REVERB_RETURN_DB = -4.0  # reverb return at reverb_amount = 0.5, relative to the send
DELAY_RETURN_DB = -6.0


def part_chain(part: Part) -> Chain:
    """The insert chain of one part: high-pass, tilt EQ (``brightness``), compressor.

    Plugins that would do nothing (flat tilt, no compression) are left out; the fader and pan
    are applied by ``Stereo``.

    Examples
    --------
    >>> from mixdown.engines.music.score import Part, PartMix, Stem
    >>> board = part_chain(Part(name="pad", stem=Stem.PADS, program=89, mix=PartMix(brightness=0.8)))
    >>> [type(p).__name__ for p in board]
    ['HighpassFilter', 'LowShelfFilter', 'HighShelfFilter', 'Compressor']
    """
    mix = part.mix
    tilt = (min(1.0, max(0.0, mix.brightness)) - 0.5) * 2.0  # -1 dark .. +1 bright
    plugins: list[Plugin] = [HighpassFilter(HIGHPASS_HZ.get(part.stem, 40.0))]
    if abs(tilt) >= MIN_TILT:
        plugins += [LowShelfFilter(220.0, -2.5 * tilt, 0.7071), HighShelfFilter(4500.0, 5.0 * tilt, 0.7071)]
    if mix.compression > 0:
        plugins.append(_compressor(mix, drums=part.is_drum))
    return Chain(plugins)


def _compressor(mix: PartMix, *, drums: bool) -> Compressor:
    amount = min(1.0, max(0.0, mix.compression))
    # Thresholds are set for FluidSynth at synth.gain 0.4, where a part peaks near -8 dBFS.
    return Compressor(
        threshold_db=-8.0 - 16.0 * amount,
        ratio=1.0 + 4.0 * amount,
        attack_ms=12.0 if drums else 6.0,  # drums keep their transient
        release_ms=120.0,
    )


def sidechain_depth(part: Part, mix: MixSettings) -> float:
    """How deep (0..1) the part ducks under the kick: its own setting, else a share of the style's."""
    if part.is_drum:
        return 0.0
    own = min(1.0, max(0.0, part.mix.sidechain))
    return own if own > 0 else min(1.0, max(0.0, mix.sidechain)) * SIDECHAIN_SHARE.get(part.stem, 0.0)


def duck_envelope(
    start: int, frames: int, kicks: np.ndarray, *, depth: float, sample_rate: int, release: float
) -> np.ndarray:
    """The sidechain gain for frames ``[start, start + frames)``: a dip after every kick onset.

    The gain falls to ``10 ** (-depth * 18 / 20)`` within 3 ms of each onset and recovers along a
    raised-cosine over ``release`` seconds, like a compressor keyed by the kick. A kick restarts
    the dip even if the previous one has not recovered.

    Examples
    --------
    >>> env = duck_envelope(0, 4410, np.array([0]), depth=1.0, sample_rate=44100, release=0.2)
    >>> round(float(env.min()), 3), float(env[0])
    (0.126, 1.0)
    """
    gain = np.ones(frames, dtype=np.float32)
    if depth <= 0 or kicks.size == 0:
        return gain
    shape = _duck_shape(depth, sample_rate, release)
    end = start + frames
    first = max(0, int(np.searchsorted(kicks, start - shape.size, side="right")))
    last = int(np.searchsorted(kicks, end, side="left"))
    for kick in kicks[first:last].tolist():
        a, b = max(kick, start), min(kick + shape.size, end)
        gain[a - start : b - start] = shape[a - kick : b - kick]
    return gain


def _duck_shape(depth: float, sample_rate: int, release: float) -> np.ndarray:
    """The gain curve after one kick, frame by frame, until it is back at 1."""
    dt = np.arange(max(1, int(release * sample_rate))) / sample_rate
    attack = np.minimum(1.0, dt / 0.003)
    recovery = 0.5 + 0.5 * np.cos(np.pi * dt / release)
    floor = 1.0 - 10.0 ** (-depth * SIDECHAIN_MAX_DB / 20.0)
    shape: np.ndarray = (1.0 - floor * attack * recovery).astype(np.float32)
    return shape


def pan_gains(pan: float) -> tuple[float, float]:
    """Constant-power pan law, unity at the centre.

    Examples
    --------
    >>> pan_gains(0.0)
    (1.0, 1.0)
    >>> [round(g, 3) for g in pan_gains(1.0)]
    [0.0, 1.414]
    """
    theta = (min(1.0, max(-1.0, pan)) + 1.0) * math.pi / 4.0
    left, right = math.sqrt(2.0) * math.cos(theta), math.sqrt(2.0) * math.sin(theta)
    return (1.0, 1.0) if abs(pan) < 1e-9 else (round(left, 12), round(right, 12))


class Stereo:
    """Width (mid/side, with a mono-compatible pseudo-stereo above 0.5), fader and pan for one part.

    Some samples are recorded very wide (FluidR3's grand piano has as much side as mid energy),
    which sounds hollow and collapses in mono; the side of the source is held under a ceiling that
    grows with ``width`` (-7.5 dB below the mid at 0.5), from a running estimate over chunks, with
    the gain ramped across each chunk.
    """

    def __init__(self, mix: PartMix, sample_rate: int) -> None:
        width = min(1.0, max(0.0, mix.width))
        self.side = min(1.0, 2.0 * width)
        self.side_ceiling = 10.0 ** ((-15.0 + 15.0 * width) / 10.0)  # side/mid energy ratio
        self.energy: tuple[float, float] | None = None  # running (mid, side) energy
        self.side_gain = self.side
        self.spread = max(0.0, width - 0.5) * 0.7
        self.delay = int(0.013 * sample_rate)  # Haas-range delay for the pseudo-stereo side
        self.history = np.zeros(self.delay, dtype=np.float32)
        fader = 10.0 ** (mix.gain_db / 20.0)
        left, right = pan_gains(mix.pan)
        self.left, self.right = np.float32(left * fader), np.float32(right * fader)

    def process(self, audio: np.ndarray) -> np.ndarray:
        """``(2, n)`` in, ``(2, n)`` out."""
        mid = 0.5 * (audio[0] + audio[1])
        side = 0.5 * (audio[0] - audio[1])
        side *= self._side_ramp(mid, side)
        if self.spread > 0:
            # Mid delayed by 13 ms, added to one side and taken from the other: wide, yet it
            # cancels exactly in the mono sum.
            delayed = np.concatenate([self.history, mid])
            self.history = delayed[-self.delay :].copy()
            side = side + self.spread * delayed[: mid.shape[0]]
        return np.stack([(mid + side) * self.left, (mid - side) * self.right]).astype(np.float32, copy=False)

    def _side_ramp(self, mid: np.ndarray, side: np.ndarray) -> np.ndarray:
        """Side gain over the chunk: from the previous chunk's gain to this one's."""
        now = (float(np.dot(mid, mid)), float(np.dot(side, side)))
        old = self.energy or now
        self.energy = (0.7 * old[0] + 0.3 * now[0], 0.7 * old[1] + 0.3 * now[1])
        mid_energy, side_energy = self.energy
        target = self.side
        if side_energy * self.side**2 > mid_energy * self.side_ceiling:
            target = math.sqrt(mid_energy * self.side_ceiling / side_energy)
        ramp = np.linspace(self.side_gain, target, mid.shape[0], endpoint=False, dtype=np.float32)
        self.side_gain = target
        return ramp


def reverb_level(mix: MixSettings) -> float:
    """Linear send-to-return gain of the reverb (returns are linear, so it scales the send)."""
    return math.pow(10.0, REVERB_RETURN_DB / 20.0) * 2.0 * min(1.0, max(0.0, mix.reverb_amount))


DELAY_LEVEL = 10.0 ** (DELAY_RETURN_DB / 20.0)


def reverb_bus(mix: MixSettings) -> Chain:
    """The reverb of one stem's send: high-passed so the low end stays dry, wet only."""
    size = min(1.0, max(0.0, mix.reverb_size))
    return Chain(
        [
            HighpassFilter(180.0),
            Reverb(room_size=0.35 + 0.6 * size, damping=0.55 - 0.25 * size, wet_level=1.0, dry_level=0.0),
        ]
    )


def delay_bus(beat_seconds: float) -> Chain:
    """A dotted-eighth echo for one stem's send, darkened so repeats sit behind the source."""
    return Chain(
        [
            HighpassFilter(220.0),
            Delay(delay_seconds=min(2.0, 0.75 * beat_seconds), feedback=0.32, mix=1.0),
            LowpassFilter(4500.0),
        ]
    )
