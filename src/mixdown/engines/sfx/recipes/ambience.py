"""Ambiences and bodies: crowds, applause, traffic, drones, heartbeats."""

from __future__ import annotations

import numpy as np

from mixdown.engines.sfx.dsp import (
    Signal,
    frames_for,
    lfo,
    noise,
    oscillator,
    overlay,
    pan,
    poisson_times,
    regular_times,
    resample,
    scatter,
    smooth_random,
    stereo_noise,
)
from mixdown.engines.sfx.effects import bandpass, lowpass, moving_band, moving_lowpass, reverb
from mixdown.engines.sfx.recipes.base import Recipe, Traits, burst, recipe, thump

_VOICE_RATE = 16000


@recipe(
    "crowd",
    family="ambience",
    description="A crowd murmur: many people talking at once in a busy restaurant, indistinct chatter.",
    keywords=("crowd", "murmur", "chatter", "people talking", "babble", "walla", "restaurant", "cafe", "bar"),
    related=("people", "voices", "party", "audience", "market", "busy", "lobby", "pub", "mob"),
)
def crowd(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    voices = resample(_voices(rng, duration, traits), _VOICE_RATE, sr, frames=n)
    formant = smooth_random(rng, n, sr, rate=6.0, low=400.0, high=2200.0)
    speech = 0.6 * moving_band(voices, sr, centre=formant, octaves=0.8) + 0.4 * bandpass(
        voices, sr, low=200.0, high=3500.0
    )
    room = bandpass(stereo_noise(rng, n, sr, colour="pink"), sr, low=150.0, high=3000.0) * 0.15
    return reverb(speech / max(float(np.abs(speech).max()), 1e-9) + room, sr, rng, seconds=1.2, mix=0.35)


def _voices(rng: np.random.Generator, duration: float, traits: Traits) -> Signal:
    """Buzzing glottal sources talking in syllables and pauses, at ``_VOICE_RATE`` (enough for speech)."""
    sr = _VOICE_RATE
    n = frames_for(duration, sr)
    voices = np.zeros((n, 2))
    for _ in range(int((8 + 16 * traits.intensity) * rng.uniform(0.8, 1.2))):
        f0 = (
            rng.uniform(95.0, 240.0)
            * traits.pitch_factor
            * (1.0 + 0.08 * smooth_random(rng, n, sr, rate=4.0, low=-1, high=1))
        )
        syllables = np.maximum(
            smooth_random(rng, n, sr, rate=rng.uniform(7.0, 10.0), low=-0.6, high=1.0), 0.0
        )
        talking = smooth_random(rng, n, sr, rate=0.3, low=0.0, high=1.0) > 0.35
        voice = oscillator(f0, sr, frames=n, shape="saw") * syllables * talking
        voices += pan(voice * rng.uniform(0.3, 1.0), rng.uniform(-0.9, 0.9))
    return voices


@recipe(
    "applause",
    family="ambience",
    description="An audience applauding: many hands clapping at once, then it dies down.",
    keywords=("applause", "clapping", "clap", "ovation", "cheer", "cheering", "audience clapping"),
    related=("audience", "concert", "theatre", "crowd", "bravo", "stadium"),
)
def applause(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    out = np.zeros((n, 2))
    clappers = int((12 + 40 * traits.intensity) * rng.uniform(0.8, 1.2))
    groups = 6
    for group in range(groups):
        clap = burst(
            rng,
            sr,
            seconds=rng.uniform(0.01, 0.03),
            low=rng.uniform(500.0, 1200.0),
            high=rng.uniform(2500.0, 6000.0),
        )
        members = clappers // groups + (group < clappers % groups)
        times = np.concatenate([_clapper(rng, duration, traits) for _ in range(members)])
        side = (group / (groups - 1)) * 1.6 - 0.8
        out += pan(
            scatter(times, clap, frames=n, sample_rate=sr, gains=rng.uniform(0.3, 1.0, times.size)), side
        )
    fade = min(1.5, duration / 3)
    swell = np.clip(np.arange(n) / (0.4 * sr), 0.0, 1.0) * np.clip((n - np.arange(n)) / (fade * sr), 0.0, 1.0)
    return reverb(out * swell[:, None], sr, rng, seconds=1.5, mix=0.25)


def _clapper(rng: np.random.Generator, duration: float, traits: Traits) -> Signal:
    """One person's claps: steady at their own rate, a little loose."""
    period = 1.0 / (rng.uniform(3.0, 6.0) * traits.rate_factor)
    return regular_times(rng, duration, period=period, jitter=0.1, start=rng.uniform(0.0, 0.3))


@recipe(
    "traffic",
    family="ambience",
    description="City street traffic: a distant roar of the city with cars passing by and the odd horn.",
    keywords=(
        "traffic",
        "city",
        "street",
        "highway",
        "urban",
        "cars passing",
        "road",
        "rush hour",
        "downtown",
    ),
    related=("car", "town", "sidewalk", "intersection", "horn", "bus"),
)
def traffic(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    roar = lowpass(stereo_noise(rng, n, sr, colour="brown", width=0.8), sr, cutoff=400.0) * 0.5
    roar += lowpass(stereo_noise(rng, n, sr, colour="pink", width=0.9), sr, cutoff=2000.0 * traits.tone) * 0.1
    for at in poisson_times(
        rng, duration, rate=(0.2 + 0.5 * traits.intensity) * traits.rate_factor, start=-2.0
    ):
        seconds = rng.uniform(2.5, 5.0)
        overlay(roar, _car_pass(rng, sr, seconds=seconds), at=round(at * sr))
    for at in poisson_times(rng, duration, rate=0.05):
        frames = frames_for(rng.uniform(0.2, 0.5), sr)
        pitch = rng.uniform(350.0, 450.0)
        horn = oscillator(pitch, sr, frames=frames, shape="square") + oscillator(
            pitch * 1.25, sr, frames=frames, shape="square"
        )
        overlay(roar, pan(lowpass(horn, sr, cutoff=2500.0) * 0.08, rng.uniform(-0.8, 0.8)), at=round(at * sr))
    return roar


def _car_pass(rng: np.random.Generator, sr: int, *, seconds: float) -> Signal:
    """One car driving past in ``seconds``: louder and brighter at its closest point, panning across."""
    n = frames_for(seconds, sr)
    t = np.arange(n) / sr - seconds / 2
    closeness = np.exp(-0.5 * (t / (seconds / 5)) ** 2)
    tyre = moving_lowpass(noise(rng, n, sr, colour="pink"), sr, cutoff=400.0 + 3000.0 * closeness)
    direction = 1.0 if rng.random() < 0.5 else -1.0
    return pan(tyre * closeness * rng.uniform(0.3, 0.8), direction * np.tanh(t / (seconds / 4)))


@recipe(
    "drone",
    family="ambience",
    description="A dark ambient drone: a low, slowly evolving atmospheric room tone or space ambience.",
    keywords=(
        "drone",
        "ambient",
        "ambience",
        "atmosphere",
        "room tone",
        "pad",
        "soundscape",
        "space ambience",
    ),
    related=("dark", "eerie", "spaceship", "background", "tension", "horror", "cinematic", "void"),
)
def drone(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    root = rng.uniform(40.0, 80.0) * traits.pitch_factor
    out = np.zeros((n, 2))
    for ratio in (1.0, 1.5, 2.0, rng.choice([2.4, 3.0, 2.67])):
        for side in (-0.6, 0.6):
            detune = 1.0 + rng.uniform(-0.004, 0.004)
            voice = oscillator(root * ratio * detune, sr, frames=n, shape="saw", phase=rng.random())
            out += pan(
                voice * (0.7 + 0.3 * lfo(n, sr, rate=rng.uniform(0.05, 0.2), phase=rng.random())) / ratio,
                side,
            )
    cutoff = smooth_random(rng, n, sr, rate=0.1, low=150.0, high=900.0) * traits.tone
    air = bandpass(stereo_noise(rng, n, sr, colour="pink"), sr, low=200.0, high=4000.0) * 0.05
    return reverb(moving_lowpass(out, sr, cutoff=cutoff) + air, sr, rng, seconds=3.0, mix=0.3)


@recipe(
    "heartbeat",
    family="ambience",
    description="A heartbeat: the low lub-dub pulse of a beating heart, about once a second.",
    keywords=("heartbeat", "heart", "heart beat", "pulse", "lub dub", "heartbeating"),
    related=("body", "hospital", "nervous", "fear", "tension", "stethoscope"),
)
def heartbeat(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    out = np.zeros(n)
    period = 60.0 / (rng.uniform(62.0, 82.0) * traits.rate_factor)
    split = rng.uniform(0.26, 0.34) * min(1.0, period)
    low = rng.uniform(45.0, 60.0) * traits.pitch_factor
    for time in regular_times(rng, duration, period=period, jitter=0.01, start=rng.uniform(0.02, 0.2)):
        lub = thump(sr, start=low * 1.4, end=low, seconds=0.15 * traits.decay_factor, attack=0.01)
        dub = thump(sr, start=low * 1.8, end=low * 1.25, seconds=0.12 * traits.decay_factor, attack=0.008)
        overlay(out, lub, at=round(time * sr))
        overlay(out, dub * rng.uniform(0.55, 0.75), at=round((time + split) * sr))
    thud = lowpass(noise(rng, n, sr, colour="brown"), sr, cutoff=150.0) * np.abs(out) * 0.5
    return pan(lowpass(out + thud, sr, cutoff=250.0), 0.0)


RECIPES: tuple[Recipe, ...] = (crowd, applause, traffic, drone, heartbeat)
