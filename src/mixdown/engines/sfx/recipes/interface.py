"""Interface and transition sounds: clicks, notifications, errors, whooshes, risers."""

from __future__ import annotations

import numpy as np

from mixdown.engines.sfx.dsp import (
    Signal,
    decay,
    fm,
    frames_for,
    glide,
    lfo,
    oscillator,
    overlay,
    pan,
    stereo_noise,
)
from mixdown.engines.sfx.effects import highpass, lowpass, moving_band, moving_lowpass, reverb
from mixdown.engines.sfx.recipes.base import Recipe, Traits, burst, event_length, recipe


@recipe(
    "click",
    family="interface",
    description="A user interface click: a tiny crisp tick of a button, mouse or switch being pressed.",
    keywords=("click", "ui click", "button", "mouse click", "tap", "switch", "toggle", "select", "menu"),
    related=("ui", "interface", "app", "press", "tick", "keypad"),
)
def click(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    out = np.zeros(n)
    freq = rng.uniform(1800.0, 4000.0) * traits.pitch_factor
    seconds = rng.uniform(0.008, 0.02) * traits.decay_factor
    frames = frames_for(seconds, sr)
    blip = oscillator(freq, sr, frames=frames) * decay(frames, sr, seconds=seconds, attack=0.0003)
    tick = burst(rng, sr, seconds=rng.uniform(0.001, 0.003), low=2000.0, high=10000.0 * traits.tone)
    release = rng.random() < 0.5
    gap = rng.uniform(0.06, 0.12)
    for k in range(traits.count(1)):
        at = 0.003 + k * rng.uniform(0.2, 0.35) / traits.rate_factor
        overlay(out, 0.6 * blip, at=round(at * sr))
        overlay(out, tick, at=round(at * sr))
        if release:
            overlay(out, 0.35 * tick, at=round((at + gap) * sr))
    return out


@recipe(
    "chime",
    family="interface",
    description="A pleasant notification chime: two or three soft bell-like ascending tones, a message ding.",
    keywords=(
        "chime",
        "wind chime",
        "notification",
        "ding",
        "ping",
        "message",
        "alert tone",
        "doorbell",
        "success",
    ),
    related=("ui", "app", "phone", "inbox", "confirm", "complete", "bell"),
)
def chime(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    out = np.zeros((n, 2))
    base = rng.uniform(600.0, 1200.0) * traits.pitch_factor
    steps = ((0, 4), (0, 7), (0, 4, 7), (0, 5, 9), (0, 7, 12))[int(rng.integers(5))]
    spacing = rng.uniform(0.09, 0.16) / traits.rate_factor
    seconds = rng.uniform(0.6, 1.2) * traits.decay_factor
    ratio = rng.choice([2.0, 3.5, 4.0])
    for k, step in enumerate(steps):
        frames = frames_for(event_length(duration, seconds), sr)
        freq = base * 2 ** (step / 12)
        env = decay(frames, sr, seconds=seconds, attack=0.003)
        tone = fm(freq, sr, frames=frames, ratio=ratio, index=1.5 * env**2) * env
        overlay(out, pan(tone * 0.5, (k - 1) * 0.2), at=round((0.003 + k * spacing) * sr))
    return reverb(out, sr, rng, seconds=1.0, mix=0.15)


@recipe(
    "error",
    family="interface",
    description="An error buzzer: a low, harsh double buzz saying wrong answer, access denied.",
    keywords=("error", "buzzer", "wrong", "denied", "fail", "invalid", "incorrect", "wrong answer"),
    related=("ui", "warning", "reject", "game show", "negative"),
)
def error(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    out = np.zeros(n)
    base = rng.uniform(110.0, 190.0) * traits.pitch_factor
    length = rng.uniform(0.12, 0.22) * traits.decay_factor
    gap = rng.uniform(0.06, 0.1)
    frames = frames_for(length, sr)
    env = np.minimum(1.0, np.minimum(np.arange(frames), np.arange(frames)[::-1]) / (0.005 * sr))
    buzz = oscillator(base, sr, frames=frames, shape="saw") + oscillator(
        base * 1.012, sr, frames=frames, shape="square"
    )
    buzz = lowpass(buzz * env, sr, cutoff=2500.0 * traits.tone) * 0.4
    for k in range(traits.count(2)):
        overlay(out, buzz * (1.0 if k == 0 else 0.9), at=round((0.005 + k * (length + gap)) * sr))
    return out


@recipe(
    "whoosh",
    family="interface",
    description="A whoosh or swoosh: air rushing past quickly, swelling and fading, a fast swing or fly-by.",
    keywords=("whoosh", "swoosh", "swish", "woosh", "swoop", "fly by", "flyby", "swipe", "transition"),
    related=("swing", "fast", "pass by", "rush", "air", "arrow", "sword swing", "sword", "blade", "slash"),
)
def whoosh(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    length = event_length(duration, rng.uniform(0.6, 1.3) * traits.decay_factor / traits.rate_factor)
    frames = frames_for(length, sr)
    peak = rng.uniform(0.4, 0.65)
    x = np.linspace(0.0, 1.0, frames)
    env = np.where(x < peak, (x / peak) ** 2.0, ((1.0 - x) / (1.0 - peak)) ** 1.5)
    low, high = rng.uniform(200.0, 400.0), rng.uniform(2000.0, 5000.0) * traits.tone
    centre = low * (high / low) ** env
    air = moving_band(stereo_noise(rng, frames, sr, colour="pink", width=0.4), sr, centre=centre, octaves=0.7)
    direction = 1.0 if rng.random() < 0.5 else -1.0
    moving = (
        air * env[:, None] * pan(np.ones(frames), direction * np.linspace(-0.7, 0.7, frames)) * np.sqrt(2.0)
    )
    out = np.zeros((n, 2))
    overlay(out, moving, at=0)
    return out


@recipe(
    "riser",
    family="interface",
    description="A tension riser: a build-up sweeping up in pitch and brightness, louder to a climax.",
    keywords=(
        "riser",
        "rise",
        "rising",
        "build up",
        "buildup",
        "uplifter",
        "tension",
        "crescendo",
        "sweep up",
    ),
    related=("cinematic", "trailer", "build", "anticipation", "edm", "drop", "suspense"),
)
def riser(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    curve = rng.uniform(1.2, 2.2)
    start, end = (
        rng.uniform(80.0, 160.0) * traits.pitch_factor,
        rng.uniform(800.0, 1600.0) * traits.pitch_factor,
    )
    freq = glide(n, start=start, end=end, power=curve)
    tone = np.mean([oscillator(freq * d, sr, frames=n, shape="saw") for d in (1.0, 1.006, 0.994)], axis=0)
    cutoff = glide(n, start=300.0, end=9000.0 * traits.tone, power=curve)
    tone = moving_lowpass(tone, sr, cutoff=cutoff)
    air = highpass(stereo_noise(rng, n, sr, colour="white", width=0.8), sr, cutoff=500.0)
    air = moving_band(
        air, sr, centre=glide(n, start=400.0, end=10000.0 * traits.tone, power=curve), octaves=0.8
    )
    tremolo = 1.0 - 0.3 * (0.5 + 0.5 * lfo(n, sr, rate=glide(n, start=2.0, end=16.0) * traits.rate_factor))
    level = glide(n, start=0.05, end=1.0, curve="linear", power=rng.uniform(1.5, 2.5))
    return (pan(0.6 * tone, 0.0) + 0.5 * air) * (level * tremolo)[:, None]


RECIPES: tuple[Recipe, ...] = (click, chime, error, whoosh, riser)
