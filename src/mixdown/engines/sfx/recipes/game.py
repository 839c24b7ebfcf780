"""Game sounds: lasers, coins, jumps, power-ups, magic, glitches."""

from __future__ import annotations

import numpy as np

from mixdown.engines.sfx.dsp import (
    Shape,
    Signal,
    decay,
    fm,
    frames_for,
    glide,
    lfo,
    oscillator,
    overlay,
    pan,
    points,
)
from mixdown.engines.sfx.effects import bitcrush, lowpass, reverb
from mixdown.engines.sfx.recipes.base import Recipe, Traits, event_length, recipe

# Semitone ladders a power-up climbs: major and minor arpeggios, a whole-tone run.
_ARPEGGIOS = ((0, 4, 7, 12, 16, 19, 24), (0, 3, 7, 12, 15, 19, 24), (0, 2, 4, 6, 8, 10, 12, 14, 16))
_PENTATONIC = (0, 2, 4, 7, 9, 12, 14, 16, 19, 21)


@recipe(
    "laser",
    family="game",
    description="A sci-fi laser zap: a pew of bright tone sweeping rapidly down in pitch.",
    keywords=("laser", "pew", "blaster", "phaser", "ray gun", "zap gun", "laser gun"),
    related=("sci-fi", "scifi", "space", "spaceship", "shoot", "beam", "zap", "weapon"),
)
def laser(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    out = np.zeros((n, 2))
    length = event_length(duration, rng.uniform(0.18, 0.4) * traits.decay_factor)
    high = rng.uniform(1500.0, 3500.0) * traits.pitch_factor
    low = high * rng.uniform(0.08, 0.2)
    shape: Shape = "square" if rng.random() < 0.5 else "saw"
    bend = rng.uniform(0.35, 0.8)
    ratio = rng.uniform(0.5, 3.0)
    gap = rng.uniform(0.18, 0.3) / traits.rate_factor
    frames = frames_for(length, sr)
    for shot in range(traits.count(1)):
        freq = glide(frames, start=high, end=low, power=bend)
        env = decay(frames, sr, seconds=length * 1.5, attack=0.002)
        # A sine core keeps the falling fundamental the loudest partial; the edge and FM add bite.
        edge = oscillator(freq, sr, frames=frames, shape=shape)
        zap = (
            oscillator(freq, sr, frames=frames)
            + 0.3 * edge
            + 0.25 * fm(freq, sr, frames=frames, ratio=ratio, index=env)
        )
        zap = lowpass(zap * env, sr, cutoff=9000.0 * traits.tone)
        overlay(out, pan(zap, rng.uniform(-0.3, 0.3)), at=round((0.005 + shot * gap) * sr))
    return out


@recipe(
    "coin",
    family="game",
    description="A retro video game coin pickup: two quick bright square-wave notes, the second higher.",
    keywords=("coin", "pickup", "collect", "ring pickup", "money", "cash", "ka-ching", "reward"),
    related=("arcade", "8-bit", "retro", "gold", "bonus", "score", "point"),
)
def coin(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    out = np.zeros(n)
    first = rng.choice([880.0, 988.0, 1047.0, 1175.0]) * traits.pitch_factor * 2 ** (rng.integers(-2, 3) / 12)
    second = first * rng.choice([4 / 3, 3 / 2, 2 ** (4 / 12), 2.0])
    short = frames_for(rng.uniform(0.05, 0.09), sr)
    long = frames_for(rng.uniform(0.25, 0.5) * traits.decay_factor, sr)
    ring = decay(long, sr, seconds=long / sr, attack=0.001)
    note = np.concatenate(
        [
            oscillator(first, sr, frames=short, shape="square") * 0.8,
            oscillator(second, sr, frames=long, shape="square") * ring,
        ]
    )
    gap = (short + long) / sr * rng.uniform(0.6, 0.9) / traits.rate_factor
    for k in range(traits.count(1)):
        overlay(out, note, at=round((0.005 + k * gap) * sr))
    return lowpass(out, sr, cutoff=7000.0 * traits.tone) * 0.6


@recipe(
    "jump",
    family="game",
    description="A cartoon platformer jump: a short springy square-wave blip sweeping upward.",
    keywords=("jump", "jumping", "hop", "boing", "bounce", "spring"),
    related=("platformer", "mario", "arcade", "cartoon", "8-bit"),
)
def jump(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    out = np.zeros(n)
    length = event_length(duration, rng.uniform(0.15, 0.3) * traits.decay_factor)
    frames = frames_for(length, sr)
    start = rng.uniform(150.0, 260.0) * traits.pitch_factor
    freq = glide(frames, start=start, end=start * rng.uniform(2.5, 4.0), power=rng.uniform(0.5, 1.0))
    shape: Shape = "square" if rng.random() < 0.7 else "triangle"
    env = points(frames, sr, [(0.0, 0.0), (0.004, 1.0), (length * 0.6, 0.8), (length, 0.0)])
    blip = oscillator(freq, sr, frames=frames, shape=shape) * env
    for k in range(traits.count(1)):
        overlay(out, blip, at=round((0.005 + k * length * 1.3 / traits.rate_factor) * sr))
    return lowpass(out, sr, cutoff=6000.0 * traits.tone) * 0.6


@recipe(
    "power_up",
    family="game",
    description="A video game power-up: a fast arpeggio climbing up and up in pitch, level up.",
    keywords=("power-up", "power up", "powerup", "level up", "upgrade", "buff", "1-up", "extra life"),
    related=("achievement", "unlock", "bonus", "arcade", "8-bit", "success", "mushroom", "invincible"),
)
def power_up(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    length = event_length(duration, rng.uniform(0.7, 1.3) * traits.decay_factor / traits.rate_factor)
    frames = frames_for(length, sr)
    steps = _ARPEGGIOS[int(rng.integers(len(_ARPEGGIOS)))]
    base = rng.uniform(200.0, 400.0) * traits.pitch_factor
    index = np.minimum((np.arange(frames) / frames * len(steps)).astype(np.int64), len(steps) - 1)
    freq = base * 2.0 ** (np.asarray(steps)[index] / 12.0) * glide(frames, start=1.0, end=1.12)
    freq *= 1.0 + 0.01 * lfo(frames, sr, rate=rng.uniform(5.0, 8.0))
    shape: Shape = "square" if rng.random() < 0.6 else "saw"
    tone = 0.7 * oscillator(freq, sr, frames=frames, shape=shape) + 0.3 * oscillator(
        freq * 2, sr, frames=frames, shape="triangle"
    )
    env = points(frames, sr, [(0.0, 0.0), (0.005, 0.8), (length * 0.75, 1.0), (length, 0.0)])
    out = np.zeros(frames_for(duration, sr))
    overlay(out, lowpass(tone * env, sr, cutoff=7000.0 * traits.tone), at=0)
    return out * 0.6


@recipe(
    "magic",
    family="game",
    description="A magic spell sparkle: a shimmering cascade of twinkling high chimes, fairy dust.",
    keywords=("magic", "sparkle", "shimmer", "twinkle", "spell", "fairy", "enchant", "wand", "glitter"),
    related=("fantasy", "mystical", "wizard", "heal", "teleport", "pixie"),
)
def magic(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    out = np.zeros((n, 2))
    length = event_length(duration, rng.uniform(1.2, 2.5) * traits.decay_factor)
    base = rng.uniform(900.0, 1800.0) * traits.pitch_factor
    grains = int((40 + 60 * traits.intensity) * length)
    for time in rng.beta(2.0, 3.0, grains) * length:
        freq = min(base * 2 ** (rng.choice(_PENTATONIC) / 12.0), 0.42 * sr)
        seconds = rng.uniform(0.05, 0.3)
        frames = frames_for(seconds, sr)
        ping = oscillator(freq, sr, frames=frames) * decay(frames, sr, seconds=seconds, attack=0.002)
        overlay(out, pan(ping * rng.uniform(0.2, 0.6), rng.uniform(-0.9, 0.9)), at=round(time * sr))
    frames = frames_for(length, sr)
    swell = (
        oscillator(glide(frames, start=base / 3, end=base * 1.2), sr, frames=frames)
        * np.hanning(frames)
        * 0.15
    )
    overlay(out, pan(swell, 0.0), at=0)
    return reverb(out, sr, rng, seconds=rng.uniform(1.5, 3.0), mix=0.35, damping=0.2)


@recipe(
    "glitch",
    family="game",
    description="A digital glitch: stuttering, bit-crushed bursts of broken data and error noise.",
    keywords=("glitch", "glitchy", "stutter", "bitcrush", "corrupt", "malfunction", "data", "digital noise"),
    related=("computer", "error", "hack", "cyber", "robot", "static", "broken"),
)
def glitch(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    out = np.zeros((n, 2))
    at = 0
    while at < n:
        frames = frames_for(rng.uniform(0.02, 0.2) / traits.rate_factor, sr)
        piece = _glitch_piece(rng, sr, frames=frames, previous=out[max(0, at - frames) : at, 0])
        ramp = np.minimum(1.0, np.minimum(np.arange(frames), np.arange(frames)[::-1]) / max(1, sr // 2000))
        overlay(out, pan(piece * ramp * rng.uniform(0.3, 1.0), rng.uniform(-0.7, 0.7)), at=at)
        at += frames
    return out


def _glitch_piece(rng: np.random.Generator, sr: int, *, frames: int, previous: Signal) -> Signal:
    """One segment of a glitch: crushed noise, a bleep, a stutter of what came before, a buzz or a gap."""
    kind = int(rng.integers(6))
    if kind == 0:
        return bitcrush(
            rng.uniform(-1.0, 1.0, frames), bits=int(rng.integers(2, 5)), hold=int(rng.integers(4, 24))
        )
    if kind == 1:
        return oscillator(rng.uniform(200.0, 4000.0), sr, frames=frames, shape="square") * 0.6
    if kind == 2 and len(previous) > 64:
        grain = previous[-int(rng.integers(32, len(previous))) :]
        return np.resize(grain, frames)
    if kind == 3:
        return np.zeros(frames)
    if kind == 4:
        return bitcrush(oscillator(rng.uniform(40.0, 120.0), sr, frames=frames, shape="saw"), bits=3, hold=8)
    return (
        fm(
            rng.uniform(300.0, 2000.0),
            sr,
            frames=frames,
            ratio=rng.uniform(0.5, 7.0),
            index=rng.uniform(2.0, 10.0),
        )
        * 0.5
    )


RECIPES: tuple[Recipe, ...] = (laser, coin, jump, power_up, magic, glitch)
