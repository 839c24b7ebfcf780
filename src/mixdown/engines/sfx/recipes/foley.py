"""Foley: footsteps, doors, knocks, creaks, breaking glass, typing, splashes."""

from __future__ import annotations

import numpy as np

from mixdown.engines.sfx.dsp import (
    Signal,
    decay,
    frames_for,
    modes,
    noise,
    overlay,
    pan,
    regular_times,
    smooth_random,
)
from mixdown.engines.sfx.effects import bandpass, lowpass, moving_lowpass, reverb
from mixdown.engines.sfx.recipes.base import Recipe, Traits, burst, recipe, thump


@recipe(
    "footsteps",
    family="foley",
    description="Footsteps: a person walking, each step a heel thud and a scuff of the sole on the floor.",
    keywords=("footstep", "step", "walking", "walk", "running", "stomp", "stride", "pace"),
    related=("boot", "shoe", "heel", "stair", "corridor", "sneak", "gravel"),
)
def footsteps(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    out = np.zeros((n, 2))
    period = rng.uniform(0.48, 0.62) / traits.rate_factor
    heel = rng.uniform(70.0, 110.0) * traits.pitch_factor
    scuff_top = rng.uniform(2500.0, 5000.0) * traits.tone
    side = 1.0
    for time in regular_times(rng, duration, period=period, jitter=0.04, start=rng.uniform(0.02, 0.15)):
        seconds = rng.uniform(0.07, 0.12) * traits.decay_factor
        step = thump(sr, start=heel * 1.6, end=heel, seconds=seconds) * (1.0 + 0.6 * traits.weight)
        scuff = burst(rng, sr, seconds=rng.uniform(0.03, 0.07), low=600, high=scuff_top) * rng.uniform(
            0.3, 0.6
        )
        overlay(step, 0.5 * scuff, at=frames_for(rng.uniform(0.0, 0.02), sr))
        overlay(out, pan(step * rng.uniform(0.7, 1.0), 0.15 * side), at=round(time * sr))
        side = -side
    return out


@recipe(
    "door",
    family="foley",
    description="A wooden door: the handle, a short creak as it swings, then it slams shut.",
    keywords=("door", "slam", "door slam", "door close", "door open", "doorway", "gate"),
    related=("shut", "latch", "handle", "closing", "opening", "cupboard"),
)
def door(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    out = np.zeros(n)
    latch = burst(rng, sr, seconds=0.012, low=1500, high=6000) * 0.4
    overlay(out, latch, at=frames_for(0.01, sr))
    at = 0.05
    if rng.random() < 0.6 and duration > 1.0:
        swing = rng.uniform(0.3, 0.7)
        overlay(out, 0.25 * _creak_sound(rng, sr, seconds=swing, traits=traits), at=frames_for(at, sr))
        at += swing
    body = rng.uniform(70.0, 110.0) * traits.pitch_factor
    ratios = np.array([1.0, 1.9, 2.7, 4.1, 5.6]) * rng.uniform(0.95, 1.05, 5)
    slam_seconds = rng.uniform(0.2, 0.4) * traits.decay_factor
    slam_frames = frames_for(slam_seconds * 1.5, sr)
    slam = modes(
        body * ratios, slam_seconds / np.sqrt(ratios), 1.0 / ratios, frames=slam_frames, sample_rate=sr
    )
    hit = lowpass(noise(rng, slam_frames, sr), sr, cutoff=1800 * traits.tone) * decay(
        slam_frames, sr, seconds=0.12
    )
    overlay(out, slam + 0.6 * hit, at=frames_for(at, sr))
    overlay(out, latch * 0.7, at=frames_for(at + 0.01, sr))
    return reverb(out, sr, rng, seconds=rng.uniform(0.5, 1.0) * min(traits.decay_factor, 1.0), mix=0.2)


@recipe(
    "knock",
    family="foley",
    description="Knocking on a wooden door: a few sharp knuckle raps.",
    keywords=("knock", "knocking", "rap", "knuckle", "knock knock"),
    related=("door", "wood", "tap", "rapping"),
)
def knock(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    out = np.zeros(n)
    count = traits.count(int(rng.integers(2, 5)))
    spacing = rng.uniform(0.16, 0.26) / traits.rate_factor
    base = rng.uniform(170.0, 260.0) * traits.pitch_factor
    ratios = np.array([1.0, 1.58, 2.41, 3.9]) * rng.uniform(0.96, 1.04, 4)
    at = rng.uniform(0.02, 0.08)
    for _ in range(count):
        seconds = rng.uniform(0.06, 0.11) * traits.decay_factor
        frames = frames_for(seconds * 1.5, sr)
        body = modes(
            base * ratios, seconds / ratios**0.5, [1.0, 0.6, 0.4, 0.25], frames=frames, sample_rate=sr
        )
        gain = rng.uniform(0.75, 1.0)
        overlay(out, body * gain, at=round(at * sr))
        overlay(out, 0.5 * gain * burst(rng, sr, seconds=0.006, low=900, high=4500), at=round(at * sr))
        at += spacing * rng.uniform(0.9, 1.1)
    return reverb(out, sr, rng, seconds=0.6, mix=0.15)


@recipe(
    "creak",
    family="foley",
    description="A creaking old wooden door or floorboard: a slow, groaning, squeaky stick-slip.",
    keywords=("creak", "creaky", "creaking", "squeak", "squeaky", "groan", "floorboard", "hinge"),
    related=("old", "haunted", "rusty", "wooden", "ship"),
)
def creak(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    out = np.zeros(n)
    at = min(rng.uniform(0.02, 0.2), 0.1 * duration)
    while True:  # at least one creak, however short the sound
        seconds = min(rng.uniform(0.6, 1.6) * traits.decay_factor, duration - at)
        overlay(out, _creak_sound(rng, sr, seconds=seconds, traits=traits), at=round(at * sr))
        at += seconds + rng.uniform(0.3, 1.5)
        if at >= duration - 0.2:
            return reverb(out, sr, rng, seconds=0.8, mix=0.15)


def _creak_sound(rng: np.random.Generator, sr: int, *, seconds: float, traits: Traits) -> Signal:
    """Stick-slip friction: a wandering train of pulses through the wood's resonances."""
    frames = frames_for(seconds, sr)
    rate = (
        smooth_random(rng, frames, sr, rate=rng.uniform(2.0, 6.0), low=25.0, high=140.0) * traits.pitch_factor
    )
    rate *= 1.0 + 0.15 * rng.standard_normal(frames).cumsum() / np.sqrt(np.arange(1, frames + 1))
    cycles = np.cumsum(np.maximum(rate, 5.0)) / sr
    pulses = np.diff(np.floor(cycles), prepend=0.0) * rng.uniform(0.5, 1.0, frames)
    body = np.zeros(frames)
    for freq in rng.uniform(400.0, 2600.0, 3):
        body += bandpass(pulses, sr, low=freq * 0.85, high=freq * 1.15)
    envelope = np.sin(np.linspace(0.0, np.pi, frames)) ** 0.5
    return body * envelope


@recipe(
    "glass",
    family="foley",
    description="Glass breaking: a window or bottle shatters into many tinkling shards.",
    keywords=("glass", "shatter", "shattering", "smash", "window break", "bottle break", "breaking glass"),
    related=("break", "breaking", "crash", "shard", "window", "bottle"),
)
def glass(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    out = np.zeros((n, 2))
    start = rng.uniform(0.01, 0.05)
    crash = bandpass(noise(rng, n, sr), sr, low=1500, high=12000) * decay(
        n, sr, seconds=0.25 * traits.decay_factor, start=start
    )
    out += pan(crash, rng.uniform(-0.2, 0.2)) * 0.8
    shards = int((30 + 60 * traits.intensity) * rng.uniform(0.7, 1.3) * (1.0 + 0.5 * traits.size))
    top = 0.45 * sr
    for delay in rng.exponential(0.25 * traits.decay_factor, shards):
        freqs = rng.uniform(2500.0, 9000.0, 3) * traits.pitch_factor
        seconds = rng.uniform(0.04, 0.25)
        frames = frames_for(seconds * 1.2, sr)
        tinkle = modes(np.minimum(freqs, top), [seconds] * 3, [1.0, 0.6, 0.4], frames=frames, sample_rate=sr)
        overlay(
            out, pan(tinkle * rng.uniform(0.1, 0.5), rng.uniform(-0.8, 0.8)), at=round((start + delay) * sr)
        )
    return out


@recipe(
    "typing",
    family="foley",
    description="Typing on a computer keyboard: a quick irregular patter of key clicks in an office.",
    keywords=("typing", "keyboard", "typewriter", "keystroke", "key press", "office typing"),
    related=("computer", "office", "keys", "type"),
)
def typing(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    out = np.zeros((n, 2))
    at = rng.uniform(0.02, 0.1)
    rate = rng.uniform(5.0, 9.0) * traits.rate_factor
    body = rng.uniform(180.0, 350.0) * traits.pitch_factor
    while at < duration:
        space = rng.random() < 0.15
        click = burst(rng, sr, seconds=rng.uniform(0.004, 0.01), low=1500, high=7000 * traits.tone)
        knock = thump(sr, start=body * (0.7 if space else 1.0) * 1.3, end=body, seconds=0.03)
        key = np.pad(click, (0, max(0, len(knock) - len(click)))) + 0.4 * np.pad(
            knock, (0, max(0, len(click) - len(knock)))
        )
        overlay(out, pan(key * rng.uniform(0.5, 1.0), rng.uniform(-0.3, 0.3)), at=round(at * sr))
        at += rng.gamma(3.0, 1.0 / (3.0 * rate)) + (rng.uniform(0.3, 1.0) if rng.random() < 0.05 else 0.0)
    return out


@recipe(
    "splash",
    family="foley",
    description="A splash: something dropped into water, then bubbles and drops falling back.",
    keywords=("splash", "splashing", "plop", "dive", "diving", "jump in water", "cannonball"),
    related=("water", "pool", "lake", "dropped", "swim"),
)
def splash(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    start = rng.uniform(0.01, 0.05)
    seconds = rng.uniform(0.4, 0.8) * traits.decay_factor
    cutoff = 600.0 + 7000.0 * decay(n, sr, seconds=seconds * 0.6, start=start) * traits.tone
    body = moving_lowpass(noise(rng, n, sr, colour="pink"), sr, cutoff=cutoff)
    out = pan(body * decay(n, sr, seconds=seconds, attack=0.01, start=start), rng.uniform(-0.2, 0.2))
    plunge = thump(sr, start=160.0 * traits.pitch_factor, end=60.0 * traits.pitch_factor, seconds=0.2)
    overlay(out, pan(0.8 * plunge, 0.0), at=round(start * sr))
    for time in start + 0.1 + rng.exponential(0.35 * traits.decay_factor, int(rng.integers(8, 25))):
        freq = rng.uniform(600.0, 2500.0) * traits.pitch_factor
        seconds_drop = rng.uniform(0.02, 0.06)
        drop = modes(
            [freq, freq * 1.5],
            [seconds_drop] * 2,
            [1.0, 0.3],
            frames=frames_for(seconds_drop, sr),
            sample_rate=sr,
        )
        overlay(out, pan(drop * rng.uniform(0.1, 0.3), rng.uniform(-0.7, 0.7)), at=round(time * sr))
    return out


RECIPES: tuple[Recipe, ...] = (footsteps, door, knock, creak, glass, typing, splash)
