"""Impacts: explosions, hits, gunshots, struck metal and bells."""

from __future__ import annotations

import numpy as np

from mixdown.engines.sfx.dsp import Signal, decay, frames_for, modes, noise, overlay, pan, stereo_noise
from mixdown.engines.sfx.effects import highpass, lowpass, moving_lowpass, reverb, saturate
from mixdown.engines.sfx.recipes.base import Recipe, Traits, burst, recipe, thump

# Partials of a free metal bar (Euler-Bernoulli beam): clearly inharmonic, hence "clang".
_BAR_RATIOS = (1.0, 2.756, 5.404, 8.933, 13.344, 18.64)
# Partials of a tuned church bell: hum, prime, minor third, fifth, nominal and above.
_BELL_RATIOS = (0.5, 1.0, 1.183, 1.506, 2.0, 2.514, 2.662, 3.011, 4.166)


@recipe(
    "explosion",
    family="impacts",
    description="A huge explosion: a blast and a deep boom, with debris and a long rumbling tail.",
    keywords=("explosion", "explode", "blast", "bomb", "detonation", "boom", "grenade", "kaboom"),
    related=("dynamite", "artillery", "cannon", "blow up", "nuke", "fireball"),
)
def explosion(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    start = rng.uniform(0.005, 0.03)
    seconds = rng.uniform(1.8, 3.2) * traits.decay_factor
    boom = np.zeros(n)
    overlay(boom, thump(sr, start=rng.uniform(90, 130) * traits.pitch_factor, end=28 * traits.pitch_factor,
                        seconds=seconds * 0.6, attack=0.004), at=round(start * sr))  # fmt: skip
    blast_env = decay(n, sr, seconds=seconds, attack=0.006, start=start)
    cutoff = 250.0 + rng.uniform(3000.0, 7000.0) * traits.tone * decay(
        n, sr, seconds=seconds * 0.4, start=start
    )
    blast = moving_lowpass(stereo_noise(rng, n, sr, colour="pink", width=0.7), sr, cutoff=cutoff)
    rumble = lowpass(stereo_noise(rng, n, sr, colour="brown", width=0.5), sr, cutoff=200.0)
    debris = np.zeros((n, 2))
    for time in start + 0.05 + rng.exponential(0.4 * traits.decay_factor, int(rng.integers(15, 40))):
        chunk = burst(rng, sr, seconds=rng.uniform(0.005, 0.04), low=400, high=6000)
        overlay(debris, pan(chunk * rng.uniform(0.05, 0.3), rng.uniform(-0.9, 0.9)), at=round(time * sr))
    body = (blast + 0.8 * rumble) * blast_env[:, None] + pan(1.2 * boom, 0.0) + debris
    return saturate(body / max(float(np.abs(body).max()), 1e-9), drive=1.5 + 2.0 * traits.intensity)


@recipe(
    "impact",
    family="impacts",
    description="A heavy cinematic impact: a punchy hit, thud or punch with a low body.",
    keywords=("impact", "hit", "thud", "punch", "slam", "bang", "thump", "collision", "smack"),
    related=("strike", "crash", "drop", "fall", "hammer", "cinematic"),
)
def impact(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    out = np.zeros(n)
    start = rng.uniform(0.005, 0.02)
    seconds = rng.uniform(0.25, 0.45) * traits.decay_factor
    body = rng.uniform(50.0, 85.0) * traits.pitch_factor
    overlay(out, thump(sr, start=body * 2.5, end=body, seconds=seconds, attack=0.001), at=round(start * sr))
    smack = burst(
        rng, sr, seconds=rng.uniform(0.02, 0.05), low=200.0, high=rng.uniform(3000.0, 7000.0) * traits.tone
    )
    overlay(out, 0.7 * smack, at=round(start * sr))
    ratios = np.array([1.0, 1.7, 2.9]) * rng.uniform(0.9, 1.1, 3)
    frames = frames_for(seconds, sr)
    ring = modes(body * 3.0 * ratios, seconds / 2.0 / ratios, [0.3, 0.2, 0.1], frames=frames, sample_rate=sr)
    overlay(out, ring, at=round(start * sr))
    hit = saturate(out / max(float(np.abs(out).max()), 1e-9), drive=2.0 + traits.intensity)
    room = rng.uniform(0.8, 1.6) * (1.0 + 0.5 * traits.size) * min(traits.decay_factor, 1.0)
    return reverb(hit, sr, rng, seconds=room, mix=0.15)


@recipe(
    "gunshot",
    family="impacts",
    description="A gunshot: a sharp, loud crack and bang echoing outdoors.",
    keywords=("gunshot", "gun", "shot", "pistol", "rifle", "firearm", "gunfire", "shotgun", "bullet"),
    related=("fire", "shoot", "shooting", "weapon", "revolver", "machine gun"),
)
def gunshot(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    out = np.zeros(n)
    gap = rng.uniform(0.09, 0.16) / traits.rate_factor
    body = rng.uniform(90.0, 140.0) * traits.pitch_factor
    for shot in range(traits.count(1)):
        at = round((rng.uniform(0.005, 0.02) + shot * gap) * sr)
        seconds = rng.uniform(0.2, 0.35) * traits.decay_factor
        frames = frames_for(seconds, sr)
        crack = highpass(noise(rng, frames, sr), sr, cutoff=rng.uniform(600, 1200)) * decay(
            frames, sr, seconds=0.05
        )
        blast = lowpass(noise(rng, frames, sr, colour="pink"), sr, cutoff=2500 * traits.tone) * decay(
            frames, sr, seconds=seconds
        )
        kick = thump(sr, start=body * 2, end=body * 0.6, seconds=0.12)
        overlay(out, crack + 0.8 * blast, at=at)
        overlay(out, 0.9 * kick, at=at)
    shot_sound = saturate(out / max(float(np.abs(out).max()), 1e-9), drive=3.0)
    return reverb(shot_sound, sr, rng, seconds=rng.uniform(1.0, 2.0), mix=0.3, damping=0.6, predelay=0.03)


@recipe(
    "metal",
    family="impacts",
    description="Struck metal: a clang on an anvil, pipe or sheet of steel that rings on.",
    keywords=("metal", "clang", "anvil", "pipe", "steel", "clank", "metallic hit", "sword clang"),
    related=("iron", "pan", "hammer", "forge", "ring", "tin", "blacksmith"),
)
def metal(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    out = np.zeros((n, 2))
    base = rng.uniform(250.0, 700.0) * traits.pitch_factor
    seconds = rng.uniform(0.8, 2.5) * traits.decay_factor
    ratios = np.array(_BAR_RATIOS) * rng.uniform(0.97, 1.03, len(_BAR_RATIOS))
    at = rng.uniform(0.005, 0.03)
    for _ in range(traits.count(1)):
        frames = frames_for(seconds, sr)
        ring = modes(base * ratios, seconds / ratios**0.4, 1.0 / ratios**0.6, frames=frames, sample_rate=sr)
        strike = burst(rng, sr, seconds=0.004, low=1000, high=9000)
        overlay(ring, 0.8 * strike, at=0)
        overlay(out, pan(ring * rng.uniform(0.8, 1.0), rng.uniform(-0.3, 0.3)), at=round(at * sr))
        at += rng.uniform(0.3, 0.6) / traits.rate_factor
    return out


@recipe(
    "bell",
    family="impacts",
    description="A church bell tolling: a deep bronze bong with a long shimmering decay.",
    keywords=("bell", "church bell", "toll", "tolling", "gong", "bong", "carillon", "bells"),
    related=("cathedral", "tower", "temple", "ding dong", "chime"),
)
def bell(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    out = np.zeros((n, 2))
    base = rng.uniform(180.0, 450.0) * traits.pitch_factor
    seconds = rng.uniform(3.0, 6.0) * traits.decay_factor
    ratios = np.array(_BELL_RATIOS) * rng.uniform(0.99, 1.01, len(_BELL_RATIOS))
    gains = np.array([0.5, 0.8, 0.6, 0.3, 1.0, 0.4, 0.3, 0.25, 0.2]) * rng.uniform(
        0.7, 1.0, len(_BELL_RATIOS)
    )
    period = rng.uniform(2.0, 3.0) / traits.rate_factor
    tolls = np.arange(rng.uniform(0.005, 0.03), duration, period)[: traits.repeats or None]
    frames = frames_for(min(seconds * 1.2, duration), sr)
    strike = modes(base * ratios, seconds / ratios**0.7, gains, frames=frames, sample_rate=sr)
    overlay(strike, 0.2 * burst(rng, sr, seconds=0.005, low=800, high=6000), at=0)
    for time in tolls:
        overlay(out, pan(strike * rng.uniform(0.8, 1.0), rng.uniform(-0.2, 0.2)), at=round(time * sr))
    return reverb(out, sr, rng, seconds=2.5, mix=0.2)


RECIPES: tuple[Recipe, ...] = (explosion, impact, gunshot, metal, bell)
