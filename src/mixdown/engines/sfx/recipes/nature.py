"""Weather, water, fire and animals."""

from __future__ import annotations

import numpy as np

from mixdown.engines.sfx.dsp import (
    Signal,
    decay,
    frames_for,
    glide,
    noise,
    oscillator,
    overlay,
    pan,
    poisson_times,
    regular_times,
    scatter,
    smooth_random,
    stereo_noise,
)
from mixdown.engines.sfx.effects import bandpass, highpass, lowpass, moving_band, moving_lowpass, reverb
from mixdown.engines.sfx.recipes.base import Recipe, Traits, burst, recipe


@recipe(
    "rain",
    family="nature",
    description="Rain falling: a hiss of broadband noise with countless droplet ticks and splashes.",
    keywords=("rain", "rainfall", "raindrop", "drizzle", "downpour", "rainy", "shower"),
    related=("storm", "droplet", "drop", "roof", "umbrella", "patter", "wet weather"),
)
def rain(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    amount = traits.intensity
    tilt = rng.uniform(0.7, 1.4) * traits.tone
    bed = bandpass(stereo_noise(rng, n, sr, colour="pink", width=0.9), sr, low=400 * tilt, high=9000 * tilt)
    gusts = smooth_random(rng, n, sr, rate=rng.uniform(0.1, 0.4), low=0.6, high=1.0)
    rate = (
        (30.0 + 900.0 * amount**2) * rng.uniform(0.7, 1.3) * traits.rate_factor
    )  # a drizzle is drops, a downpour a roar
    drops = np.zeros((n, 2))
    for channel in range(2):
        for kind in range(3):
            grain = burst(rng, sr, seconds=rng.uniform(0.002, 0.008), low=1500 * tilt, high=11000)
            if kind == 2:  # a few heavier, lower splashes
                grain = burst(rng, sr, seconds=0.03, low=300 * tilt, high=3000 * tilt) * 0.6
            times = poisson_times(rng, duration, rate=rate / (3 if kind < 2 else 12))
            drops[:, channel] += scatter(
                times, grain, frames=n, sample_rate=sr, gains=rng.lognormal(0, 0.6, times.size)
            )
    return (0.04 + 0.35 * amount) * bed * gusts[:, None] + 0.5 * drops


@recipe(
    "thunder",
    family="nature",
    description="Thunder: a lightning crack followed by a deep rolling rumble that fades away.",
    keywords=("thunder", "thunderclap", "thunderstorm", "lightning", "thunderbolt"),
    related=("storm", "rumble", "rumbling", "tempest"),
)
def thunder(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    out = np.zeros((n, 2))
    strike = min(rng.uniform(0.02, 0.25), 0.2 * duration)
    while True:  # at least one strike, however short the sound
        seconds = rng.uniform(3.0, 6.0) * traits.decay_factor
        clap = _thunder_strike(rng, n, sr, traits, start=strike, seconds=seconds)
        out += clap * rng.uniform(0.6, 1.0)
        strike += rng.uniform(7.0, 14.0) / traits.rate_factor
        if strike >= duration - 0.5:
            return out


def _thunder_strike(
    rng: np.random.Generator, n: int, sr: int, traits: Traits, *, start: float, seconds: float
) -> Signal:
    """One strike: a crack and a tearing crackle (loud only nearby), then rumbles over ``seconds``."""
    near = 1.0 - traits.distance
    crack = highpass(noise(rng, n, sr), sr, cutoff=400) * decay(
        n, sr, seconds=0.35, attack=0.003, start=start
    )
    tear_env = decay(n, sr, seconds=rng.uniform(0.8, 1.6), attack=0.01, start=start)
    flutter = smooth_random(rng, n, sr, rate=rng.uniform(20.0, 40.0), low=0.0, high=1.0) ** 3
    tear = bandpass(noise(rng, n, sr), sr, low=300.0, high=5000.0 * traits.tone) * tear_env * flutter
    rumble_env = np.zeros(n)
    for _ in range(rng.integers(3, 7)):
        at = start + rng.exponential(0.12 * seconds)
        rumble_env += rng.uniform(0.4, 1.0) * decay(
            n, sr, seconds=seconds * rng.uniform(0.5, 1.0), attack=0.2, start=at
        )
    roll = smooth_random(rng, n, sr, rate=rng.uniform(5.0, 12.0), low=0.35, high=1.0)
    cutoff = rng.uniform(180.0, 320.0) * traits.tone * traits.pitch_factor
    body = lowpass(stereo_noise(rng, n, sr, colour="brown", width=0.6), sr, cutoff=cutoff, order=4)
    mid = lowpass(stereo_noise(rng, n, sr, colour="pink", width=0.8), sr, cutoff=1500 * traits.tone)
    rumble = (body + (0.05 + 0.2 * near) * mid) * (rumble_env * roll)[:, None]
    # Only a nearby strike cracks and tears: from afar thunder is all rumble.
    sharp = (0.35 * crack + 0.6 * tear) * (0.1 + 1.2 * near)
    return rumble + pan(sharp, rng.uniform(-0.4, 0.4))


@recipe(
    "wind",
    family="nature",
    description="Wind blowing and gusting: airy noise whose pitch and level rise and fall slowly, howling.",
    keywords=("wind", "windy", "gust", "gale", "breeze", "blizzard", "howling wind"),
    related=("air", "blowing", "draft", "storm", "howl"),
)
def wind(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    gust = smooth_random(rng, n, sr, rate=rng.uniform(0.15, 0.4) * traits.rate_factor, low=0.1, high=1.0)
    gust = (gust - gust.min()) / max(float(np.ptp(gust)), 1e-9)  # every take has its lulls and gusts
    base = rng.uniform(250.0, 500.0) * traits.pitch_factor * traits.tone
    centre = base * (1.0 + (2.0 + 3.0 * traits.intensity) * gust)
    air = moving_band(
        stereo_noise(rng, n, sr, colour="pink", width=0.9), sr, centre=centre, octaves=rng.uniform(0.5, 0.9)
    )
    rumble = lowpass(stereo_noise(rng, n, sr, colour="brown", width=0.7), sr, cutoff=150.0)
    level: Signal = (0.5 + gust) ** 2
    return (air + 0.25 * rumble) * level[:, None]


@recipe(
    "ocean",
    family="nature",
    description="Ocean waves on a beach: surf that swells, crashes and washes back every few seconds.",
    keywords=("ocean", "wave", "sea", "surf", "beach", "seashore", "shore", "tide"),
    related=("coast", "seaside", "water", "crashing"),
)
def ocean(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    period = rng.uniform(6.5, 10.0) / traits.rate_factor
    shape = frames_for(period * 1.4, sr)
    x = np.linspace(0.0, 1.4, shape)
    crest = rng.uniform(0.4, 0.55)
    wave = np.where(x < crest, (x / crest) ** 2.5, np.exp(-(x - crest) / (0.25 * traits.decay_factor)))
    # Waves are laid out from one wave-length before the start, so the sound opens mid-swell
    # at a random phase rather than always on a rising wave.
    lead = period * 1.4
    starts = regular_times(rng, duration + lead, period=period, jitter=0.12, start=rng.uniform(0.0, period))
    gains = rng.uniform(0.6, 1.0, starts.size)
    env = scatter(starts, wave, frames=n + frames_for(lead, sr), sample_rate=sr, gains=gains)[-n:]
    env = np.maximum(env, 0.0) / max(float(env.max()), 1e-9)  # FFT convolution leaves tiny negatives
    cutoff = (300.0 + rng.uniform(2000.0, 8000.0) * env**1.5 * traits.tone) * rng.uniform(0.5, 1.6)
    wash = moving_lowpass(stereo_noise(rng, n, sr, colour="pink", width=0.9), sr, cutoff=cutoff)
    bed = lowpass(stereo_noise(rng, n, sr, colour="brown", width=0.8), sr, cutoff=rng.uniform(150.0, 400.0))
    return wash * (0.05 + env)[:, None] + rng.uniform(0.08, 0.25) * bed


@recipe(
    "fire",
    family="nature",
    description="A fire burning: crackling, popping wood over a soft roaring flame.",
    keywords=("fire", "campfire", "fireplace", "bonfire", "flame", "crackling fire", "burning"),
    related=("crackle", "crackling", "wood", "ember", "blaze", "torch"),
)
def fire(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    flicker = smooth_random(rng, n, sr, rate=3.0, low=0.5, high=1.0)
    top = rng.uniform(600.0, 1200.0) * traits.tone
    roar = bandpass(stereo_noise(rng, n, sr, colour="pink", width=0.6), sr, low=80.0, high=top)
    crackles = np.zeros((n, 2))
    cluster_rate = (4.0 + 16.0 * traits.intensity) * rng.uniform(0.7, 1.3)
    for channel in range(2):
        starts = poisson_times(rng, duration, rate=cluster_rate)
        times = np.concatenate([starts + rng.exponential(0.008, starts.size) * k for k in range(4)])
        click = burst(rng, sr, seconds=rng.uniform(0.001, 0.003), low=1500, high=10000)
        gains = np.minimum(rng.pareto(2.5, times.size) + 0.2, 2.0)
        crackles[:, channel] = scatter(times, click, frames=n, sample_rate=sr, gains=gains)
        pops = poisson_times(rng, duration, rate=0.6)
        pop = burst(rng, sr, seconds=0.03, low=200, high=2500)
        crackles[:, channel] += scatter(
            pops, pop, frames=n, sample_rate=sr, gains=rng.uniform(0.5, 1.0, pops.size)
        )
    return 0.6 * roar * flicker[:, None] + 0.35 * crackles


@recipe(
    "birds",
    family="nature",
    description="Birds chirping and singing in the morning: high tweets and trills.",
    keywords=("bird", "birdsong", "chirp", "tweet", "songbird", "sparrow", "robin", "dawn chorus"),
    related=("forest", "morning", "park", "garden", "trill", "warble", "nature"),
)
def birds(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    out = highpass(stereo_noise(rng, n, sr, colour="pink"), sr, cutoff=2000) * 0.01
    top = 0.42 * sr
    for _ in range(rng.integers(2, 4)):
        base = min(rng.uniform(2500.0, 5000.0) * traits.pitch_factor, top / 1.6)
        position = rng.uniform(-0.8, 0.8)
        shape = rng.choice(["up", "down", "arch"])
        for phrase in poisson_times(rng, duration, rate=rng.uniform(0.3, 0.8) * traits.rate_factor):
            at = phrase
            for _ in range(rng.integers(3, 9)):
                chirp = _chirp(rng, sr, base=base * rng.uniform(0.9, 1.1), shape=str(shape), top=top)
                overlay(out, pan(chirp, position), at=round(at * sr))
                at += rng.uniform(0.06, 0.16) / traits.rate_factor
    return out


def _chirp(rng: np.random.Generator, sr: int, *, base: float, shape: str, top: float) -> Signal:
    """One tweet: a short sine sweep with a bell envelope."""
    frames = frames_for(rng.uniform(0.03, 0.11), sr)
    span = rng.uniform(1.2, 1.6)
    if shape == "up":
        freq = glide(frames, start=base, end=base * span)
    elif shape == "down":
        freq = glide(frames, start=base * span, end=base)
    else:
        freq = base * (1.0 + (span - 1.0) * np.sin(np.linspace(0, np.pi, frames)))
    tone = oscillator(np.minimum(freq, top), sr, frames=frames) + 0.15 * oscillator(
        np.minimum(2 * freq, top), sr, frames=frames
    )
    return tone * np.hanning(frames) * rng.uniform(0.5, 1.0)


@recipe(
    "stream",
    family="nature",
    description="A babbling brook: running water gurgling and bubbling over stones.",
    keywords=(
        "stream",
        "brook",
        "river",
        "creek",
        "babbling",
        "gurgle",
        "bubble",
        "running water",
        "fountain",
    ),
    related=("water", "flowing", "trickle", "waterfall"),
)
def stream(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    ripple = smooth_random(rng, n, sr, rate=rng.uniform(6.0, 12.0), low=0.5, high=1.0)
    bed = bandpass(
        stereo_noise(rng, n, sr, colour="pink"), sr, low=250, high=rng.uniform(3000, 6000) * traits.tone
    )
    bubbles = np.zeros((n, 2))
    for time in poisson_times(rng, duration, rate=(20.0 + 60.0 * traits.intensity) * traits.rate_factor):
        bubble = _bubble(rng, sr, freq=rng.uniform(300.0, 1400.0) * traits.pitch_factor)
        overlay(bubbles, pan(bubble, rng.uniform(-0.7, 0.7)), at=round(time * sr))
    return 0.3 * bed * ripple[:, None] + 0.35 * bubbles


def _bubble(rng: np.random.Generator, sr: int, *, freq: float) -> Signal:
    """A bubble: a sine whose pitch rises as it decays (Minnaert resonance of a shrinking cavity)."""
    seconds = rng.uniform(0.02, 0.06)
    frames = frames_for(seconds, sr)
    sweep = glide(frames, start=freq, end=freq * rng.uniform(1.4, 2.2))
    return (
        oscillator(sweep, sr, frames=frames)
        * decay(frames, sr, seconds=seconds, attack=0.001)
        * rng.uniform(0.3, 1.0)
    )


@recipe(
    "crickets",
    family="nature",
    description="Crickets chirping at night: rhythmic high insect trills in a summer field.",
    keywords=("cricket", "insect", "cicada", "katydid", "grasshopper", "night field"),
    related=("night", "summer", "bug", "chirping"),
)
def crickets(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    out = lowpass(stereo_noise(rng, n, sr, colour="pink"), sr, cutoff=800) * 0.01
    for _ in range(rng.integers(1, 4)):
        carrier = min(rng.uniform(3800.0, 5200.0) * traits.pitch_factor, 0.42 * sr)
        pulse = np.hanning(frames_for(rng.uniform(0.012, 0.02), sr))
        chirps = regular_times(rng, duration, period=rng.uniform(0.35, 0.6) / traits.rate_factor, jitter=0.05)
        pulses = np.concatenate([chirps + k * rng.uniform(0.025, 0.035) for k in range(rng.integers(3, 6))])
        env = scatter(np.sort(pulses), pulse, frames=n, sample_rate=sr)
        song = oscillator(carrier, sr, frames=n) * env + 0.2 * oscillator(2 * carrier, sr, frames=n) * env
        out += pan(song, rng.uniform(-0.8, 0.8)) * rng.uniform(0.4, 1.0)
    return out


@recipe(
    "drip",
    family="nature",
    description="Water dripping in a cave: single droplets plinking into a puddle, echoing.",
    keywords=("drip", "dripping", "droplet", "leak", "leaking", "faucet", "tap water", "plink"),
    related=("cave", "puddle", "sink", "water drop"),
)
def drip(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    out = np.zeros(n)
    period = rng.uniform(0.6, 1.3) / traits.rate_factor
    base = rng.uniform(700.0, 1500.0) * traits.pitch_factor
    start = min(rng.uniform(0.02, 0.2), 0.3 * duration)
    for time in regular_times(rng, duration, period=period, jitter=0.3, start=start):
        seconds = rng.uniform(0.04, 0.09) * traits.decay_factor
        frames = frames_for(seconds, sr)
        freq = base * rng.uniform(0.85, 1.15)
        plink = oscillator(glide(frames, start=freq, end=freq * 1.7), sr, frames=frames)
        overlay(out, plink * decay(frames, sr, seconds=seconds) * rng.uniform(0.6, 1.0), at=round(time * sr))
    return reverb(out, sr, rng, seconds=rng.uniform(1.2, 2.5), mix=0.3, damping=0.3)


RECIPES: tuple[Recipe, ...] = (rain, thunder, wind, ocean, fire, birds, stream, crickets, drip)
