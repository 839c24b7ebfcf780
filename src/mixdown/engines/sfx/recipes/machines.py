"""Machines and alarms: alarms, sirens, engines, rotors, hum, phones, clocks, electric sparks."""

from __future__ import annotations

import numpy as np

from mixdown.engines.sfx.dsp import (
    Signal,
    frames_for,
    lfo,
    modes,
    noise,
    oscillator,
    overlay,
    pan,
    points,
    poisson_times,
    regular_times,
    scatter,
    smooth_random,
)
from mixdown.engines.sfx.effects import bandpass, highpass, lowpass, reverb, saturate
from mixdown.engines.sfx.recipes.base import Recipe, Traits, burst, recipe


@recipe(
    "alarm",
    family="machines",
    description="An alarm beeping: a loud repeating high electronic beep, an alarm clock or smoke detector.",
    keywords=("alarm", "alarm clock", "beep", "beeping", "smoke alarm", "smoke detector", "wake up"),
    related=("warning", "alert", "emergency", "timer", "truck reversing", "fire alarm"),
)
def alarm(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    freq = min(rng.uniform(1800.0, 3200.0) * traits.pitch_factor, 0.42 * sr)
    beep = rng.uniform(0.06, 0.14)
    period = beep * rng.uniform(1.6, 2.4) / traits.rate_factor
    group = int(rng.integers(3, 6)) if rng.random() < 0.6 else 0
    times = regular_times(rng, duration, period=period, start=0.005)
    if group:
        times = times[(np.arange(times.size) % (group + 2)) < group]
    gate = scatter(times, np.ones(frames_for(beep, sr)), frames=n, sample_rate=sr)
    gate = lowpass(np.minimum(gate, 1.0), sr, cutoff=300.0)
    tone = oscillator(freq, sr, frames=n, shape="square") * 0.5 + oscillator(freq, sr, frames=n) * 0.5
    return lowpass(tone * gate, sr, cutoff=8000.0 * traits.tone) * 0.5


@recipe(
    "siren",
    family="machines",
    description="A police car or ambulance siren wailing: a loud tone sweeping up and down in pitch.",
    keywords=(
        "siren",
        "police",
        "ambulance",
        "fire truck",
        "fire engine",
        "wail",
        "emergency vehicle",
        "air raid",
        "police car",
        "cop car",
    ),
    related=("emergency", "cop", "patrol", "nee naw", "yelp", "chase"),
)
def siren(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    yelp = rng.random() < 0.3 or traits.speed > 0.4
    rate = (rng.uniform(2.5, 4.0) if yelp else rng.uniform(0.18, 0.35)) * traits.rate_factor
    low = rng.uniform(550.0, 750.0) * traits.pitch_factor
    high = low * rng.uniform(1.8, 2.3)
    sweep = 0.5 - 0.5 * lfo(n, sr, rate=rate, phase=0.25)
    freq = low * (high / low) ** sweep
    tone = 0.6 * oscillator(freq, sr, frames=n, shape="saw") + 0.4 * oscillator(
        freq, sr, frames=n, shape="square"
    )
    tone = lowpass(tone, sr, cutoff=4000.0 * traits.tone, order=4)
    drift = smooth_random(rng, n, sr, rate=0.2, low=-0.4, high=0.4)
    return pan(tone * 0.4, drift)


@recipe(
    "engine",
    family="machines",
    description="A car engine idling and revving: a low throbbing motor rumble of firing cylinders.",
    keywords=(
        "engine",
        "car",
        "motor",
        "motorcycle",
        "truck",
        "idle",
        "rev",
        "revving",
        "vehicle",
        "motorbike",
    ),
    related=("drive", "driving", "race", "garage", "tractor", "lawnmower", "exhaust"),
)
def engine(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    idle = rng.uniform(700.0, 1000.0) * traits.pitch_factor
    rpm = np.full(n, idle)
    for at in poisson_times(rng, duration, rate=rng.uniform(0.1, 0.35) * traits.rate_factor, start=0.5):
        peak = idle * rng.uniform(2.0, 4.0) * (1.0 + 0.5 * traits.intensity)
        rise = rng.uniform(0.3, 0.8)
        rpm += points(n, sr, [(at, 0.0), (at + rise, peak - idle), (at + rise + rng.uniform(0.8, 2.0), 0.0)])
    cylinders = float(rng.choice([4.0, 6.0, 8.0]))
    firing = rpm / 60.0 * cylinders / 2.0
    wobble = smooth_random(rng, n, sr, rate=35.0, low=0.75, high=1.0)
    pulses = oscillator(firing, sr, frames=n, shape="saw") * wobble
    body = lowpass(saturate(pulses, drive=2.0), sr, cutoff=rng.uniform(500.0, 900.0) * traits.tone, order=4)
    intake = bandpass(noise(rng, n, sr), sr, low=400.0, high=2500.0) * (
        0.5 + 0.5 * np.sin(np.cumsum(2 * np.pi * firing / sr))
    )
    sub = oscillator(firing / 2.0, sr, frames=n) * 0.3
    return pan(body + 0.08 * intake + sub, 0.0) * 0.5


@recipe(
    "helicopter",
    family="machines",
    description="A helicopter: the rhythmic chop of rotor blades thumping with a whining turbine.",
    keywords=("helicopter", "chopper", "rotor", "heli", "drone flying"),
    related=("aircraft", "rescue", "blades", "military", "airfield"),
)
def helicopter(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    rate = rng.uniform(4.5, 7.0) * traits.rate_factor
    slap = burst(rng, sr, seconds=rng.uniform(0.03, 0.06), low=80.0, high=1200.0 * traits.tone)
    chops = regular_times(rng, duration, period=1.0 / rate, jitter=0.02)
    blades = scatter(chops, slap, frames=n, sample_rate=sr, gains=rng.uniform(0.8, 1.0, chops.size))
    rumble = lowpass(noise(rng, n, sr, colour="brown"), sr, cutoff=200.0) * (
        0.6 + 0.4 * lfo(n, sr, rate=rate)
    )
    whine = min(rng.uniform(1200.0, 2500.0) * traits.pitch_factor, 0.4 * sr)
    turbine = oscillator(whine, sr, frames=n) + 0.3 * oscillator(min(whine * 2.0, 0.44 * sr), sr, frames=n)
    return pan(
        blades + 0.3 * rumble + 0.04 * turbine, smooth_random(rng, n, sr, rate=0.1, low=-0.5, high=0.5)
    )


@recipe(
    "hum",
    family="machines",
    description="An electrical hum: a steady mains buzz of a transformer, fluorescent light or amplifier.",
    keywords=("hum", "humming", "electrical hum", "mains", "transformer", "fluorescent", "buzz", "buzzing"),
    related=("electric", "power line", "amplifier", "refrigerator", "fridge", "server room", "neon"),
)
def hum(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    mains = float(rng.choice([50.0, 60.0]))
    t = np.arange(n) / sr
    tone = np.zeros(n)
    for harmonic in range(1, 13):
        weight = rng.uniform(0.3, 1.0) / harmonic ** rng.uniform(0.8, 1.4)
        tone += weight * np.sin(2 * np.pi * mains * harmonic * t + rng.uniform(0, 2 * np.pi))
    buzz = saturate(tone, drive=1.0 + 4.0 * traits.intensity * rng.uniform(0.5, 1.0))
    wobble = smooth_random(rng, n, sr, rate=0.5, low=0.9, high=1.0)
    hiss = highpass(noise(rng, n, sr), sr, cutoff=3000.0) * 0.01
    return pan(lowpass(buzz, sr, cutoff=3000.0 * traits.tone) * wobble * 0.5 + hiss, 0.0)


@recipe(
    "phone",
    family="machines",
    description="A telephone ringing: an old phone's bell trill or a ringback tone, on and off in a cadence.",
    keywords=("phone", "telephone", "ringing", "ringtone", "ring", "landline", "cell phone", "ringback"),
    related=("call", "office", "receiver", "dial"),
)
def phone(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    on, off = rng.uniform(1.2, 2.0), rng.uniform(1.5, 3.0)
    gate = np.zeros(n)
    for start in np.arange(0.005, duration, (on + off) / traits.rate_factor).tolist():
        gate += points(
            n, sr, [(start, 0.0), (start + 0.01, 1.0), (start + on, 1.0), (start + on + 0.01, 0.0)]
        )
    if rng.random() < 0.5:  # electromechanical bell: two gongs struck ~20 times a second
        base = rng.uniform(900.0, 1400.0) * traits.pitch_factor
        strike = modes(
            [base, base * 2.4, base * 3.9],
            [0.05, 0.03, 0.02],
            [1.0, 0.5, 0.3],
            frames=frames_for(0.06, sr),
            sample_rate=sr,
        )
        ring = scatter(
            np.arange(0.0, duration, 1.0 / rng.uniform(18.0, 24.0)), strike, frames=n, sample_rate=sr
        )
    else:  # a ringback tone pair, as exchanges send it
        low = rng.uniform(400.0, 480.0) * traits.pitch_factor
        ring = oscillator(low, sr, frames=n) + oscillator(low * rng.uniform(1.08, 1.2), sr, frames=n)
    return pan(ring * gate * 0.4, rng.uniform(-0.2, 0.2))


@recipe(
    "clock",
    family="machines",
    description="A ticking clock: a steady mechanical tick-tock, once a second, a wall or grandfather clock.",
    keywords=("clock", "tick", "tock", "tick-tock", "ticking", "tick tock", "stopwatch", "metronome"),
    related=("time", "watch", "grandfather", "countdown", "pendulum"),
)
def clock(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    out = np.zeros(n)
    period = float(rng.choice([1.0, 1.0, 0.5])) * rng.uniform(0.97, 1.03) / traits.rate_factor
    base = rng.uniform(2500.0, 4200.0) * traits.pitch_factor
    seconds = rng.uniform(0.01, 0.025) * traits.decay_factor
    for k, time in enumerate(np.arange(rng.uniform(0.01, 0.1), duration, period)):
        freq = base * (1.0 if k % 2 == 0 else rng.uniform(0.75, 0.85))
        frames = frames_for(seconds * 2, sr)
        tick = modes(
            [freq, freq * 1.7, freq * 0.45],
            [seconds, seconds * 0.6, seconds * 1.5],
            [1.0, 0.5, 0.4],
            frames=frames,
            sample_rate=sr,
        )
        overlay(out, tick * (1.0 if k % 2 == 0 else 0.8), at=round(time * sr))
    return reverb(out, sr, rng, seconds=0.5, mix=0.1)


@recipe(
    "zap",
    family="machines",
    description="An electric zap: crackling sparks and a buzzing arc of high voltage electricity, a taser.",
    keywords=(
        "electric",
        "electricity",
        "spark",
        "sparks",
        "taser",
        "tesla",
        "short circuit",
        "arc",
        "shock",
    ),
    related=("zap", "voltage", "power", "lightning", "electrocute", "sci-fi"),
)
def zap(rng: np.random.Generator, duration: float, sr: int, traits: Traits) -> Signal:
    n = frames_for(duration, sr)
    out = np.zeros((n, 2))
    at = rng.uniform(0.005, 0.05)
    while at < duration - 0.05:
        length = min(rng.uniform(0.2, 1.2) * traits.decay_factor, duration - at)
        frames = frames_for(length, sr)
        buzz = saturate(
            oscillator(
                rng.uniform(90.0, 130.0) * (1 + 0.05 * noise(rng, frames, sr)), sr, frames=frames, shape="saw"
            ),
            drive=3.0,
        )
        sparks = scatter(
            poisson_times(rng, length, rate=rng.uniform(80.0, 300.0)),
            np.hanning(8) * rng.choice([-1, 1]),
            frames=frames,
            sample_rate=sr,
        )
        crackle = highpass(sparks * rng.lognormal(0, 0.8, frames), sr, cutoff=1500.0)
        env = np.minimum(1.0, np.minimum(np.arange(frames), np.arange(frames)[::-1]) / (0.004 * sr))
        overlay(out, pan((0.3 * buzz + crackle) * env, rng.uniform(-0.5, 0.5)), at=round(at * sr))
        at += length + rng.uniform(0.1, 1.0)
    return out


RECIPES: tuple[Recipe, ...] = (alarm, siren, engine, helicopter, hum, phone, clock, zap)
