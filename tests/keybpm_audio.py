"""Grooves with a known tempo, meter and key, rendered by FluidSynth with the GM soundfont.

Drums (kick, backbeat, hi-hat eighths), a bass on every beat and block chords on a diatonic
progression: what the key-bpm analysis must read back. One synth is loaded per process.
"""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Any

import numpy as np
import soundfile as sf

RATE = 44100
KICK, SNARE, STICK, HAT = 36, 38, 37, 42
_MAJOR = (0, 2, 4, 5, 7, 9, 11)
_MINOR = (0, 2, 3, 5, 7, 8, 10)
# Degrees (0-based) per bar: I-IV-V-I (major), i-iv-V-i with the harmonic minor's major V (minor).
_PROGRESSION = (0, 3, 4, 0)


@lru_cache(maxsize=1)
def _synth() -> tuple[Any, int]:
    import fluidsynth

    from mixdown.engines.music.produce.soundfont import find_soundfont

    synth = fluidsynth.Synth(samplerate=float(RATE), **{"synth.polyphony": 512})
    font = synth.sfload(str(find_soundfont("fluidr3")))
    synth.program_select(9, font, 128, 0)  # drums
    synth.program_select(0, font, 0, 33)  # finger bass
    synth.program_select(1, font, 0, 0)  # piano
    return synth, font


def _triad(tonic: int, scale: str, degree: int) -> list[int]:
    steps = _MAJOR if scale == "major" else _MINOR
    pcs = [(tonic + steps[(degree + k) % 7]) % 12 for k in (0, 2, 4)]
    if scale == "minor" and degree == 4:
        pcs[1] = (pcs[1] + 1) % 12  # the leading tone
    return pcs


def groove_events(
    bpm: float, *, tonic: int, scale: str, meter: int = 4, seconds: float = 12.0, backbeat: int = SNARE
) -> list[tuple[float, int, int, int]]:
    """``(time, channel, pitch, velocity)`` note-ons (velocity 0 = note-off) of the groove."""
    beat = 60.0 / bpm
    events: list[tuple[float, int, int, int]] = []
    bar_count = int(seconds / (beat * meter)) + 1
    for bar in range(bar_count):
        root, *upper = _triad(tonic, scale, _PROGRESSION[bar % 4])
        for b in range(meter):
            t = (bar * meter + b) * beat
            drum = KICK if b == 0 or (meter == 4 and b == 2) else backbeat
            events += [(t, 9, drum, 110), (t, 9, HAT, 80), (t + beat / 2, 9, HAT, 60)]
            events += [(t, 0, 36 + root, 100), (t + 0.8 * beat, 0, 36 + root, 0)]
            for pc in (root, *upper):
                events += [(t, 1, 60 + pc, 70), (t + 0.9 * beat, 1, 60 + pc, 0)]
    return sorted(e for e in events if e[0] < seconds)


def render_groove(
    bpm: float, *, tonic: int, scale: str, meter: int = 4, seconds: float = 12.0, **kw: Any
) -> np.ndarray:
    """``(frames, 2)`` float32 at ``RATE``, peak at -3 dBFS."""
    synth, _ = _synth()
    pieces, done = [], 0
    for time, channel, pitch, velocity in groove_events(
        bpm, tonic=tonic, scale=scale, meter=meter, seconds=seconds, **kw
    ):
        frame = int(time * RATE)
        if frame > done:
            pieces.append(synth.get_samples(frame - done))
            done = frame
        synth.noteon(channel, pitch, velocity) if velocity else synth.noteoff(channel, pitch)
    pieces.append(synth.get_samples(int(seconds * RATE) - done))
    for channel in (0, 1, 9):
        synth.all_sounds_off(channel)
    synth.get_samples(RATE)  # let the tails die before the next render
    audio = np.concatenate(pieces).astype(np.float32).reshape(-1, 2)
    return np.asarray(audio * (0.7 / max(1e-9, float(np.abs(audio).max()))), dtype=np.float32)


def wav_bytes(audio: np.ndarray, rate: int = RATE) -> bytes:
    """``audio`` as a 16-bit WAV file."""
    buffer = io.BytesIO()
    sf.write(buffer, audio, rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()
