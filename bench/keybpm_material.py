"""Ground truth for the key & BPM bench: MIDI we write ourselves and Bach chorales, rendered by FluidSynth.

Two sets of clips, each with what is known about it by construction (never by analysis):

* **grooves** -- drums + bass + chords in eleven styles (rock, house, hip-hop, funk, drum and bass,
  ballad, waltz, pop, reggae one-drop, bossa nova, solo piano without drums) at tempi spread over
  each style's range (70-176 bpm) and keys drawn over all
  24; the tempo, key and meter are the ones the MIDI was written with;
* **chorales** -- Bach chorales from the music21 corpus. The key is read from the score's declared
  key signature and its final bass note: the bass ends on the major tonic (major) or the relative
  minor's tonic (minor); chorales ending anywhere else (modal, half cadences) are left out.
  ``music21``'s own key analysis is never used.

Everything is deterministic (seeded) and rendered with the GM soundfont (FluidR3_GM) at 44.1 kHz.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pretty_midi

from mixdown.engines.music.produce.soundfont import find_soundfont

RATE = 44100
NOTES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
KICK, SNARE, CLAP, STICK, HAT, OPEN_HAT, RIDE, CRASH = 36, 38, 39, 37, 42, 46, 51, 49


@dataclass(frozen=True)
class Clip:
    """A rendered clip and what it is known to be."""

    name: str
    audio: np.ndarray  # (frames,) float32 mono at RATE
    bpm: float | None  # None: no steady tempo to measure (chorales)
    key: str  # "A minor"
    beats_per_bar: int | None
    style: str

    @property
    def seconds(self) -> float:
        return self.audio.shape[0] / RATE


# -- grooves ------------------------------------------------------------------------------------------

# Drum patterns on a 16th grid per bar: instrument -> steps (0..15 for 4/4, 0..11 for 3/4).
_PATTERNS: dict[str, dict[int, tuple[int, ...]]] = {
    "rock": {KICK: (0, 8, 10), SNARE: (4, 12), HAT: (0, 2, 4, 6, 8, 10, 12, 14)},
    "house": {KICK: (0, 4, 8, 12), CLAP: (4, 12), OPEN_HAT: (2, 6, 10, 14), HAT: (1, 3, 5, 7, 9, 11, 13, 15)},
    "hiphop": {KICK: (0, 7, 10), SNARE: (4, 12), HAT: (0, 2, 4, 6, 8, 10, 12, 14)},
    "funk": {KICK: (0, 3, 10), SNARE: (4, 7, 12, 15), HAT: tuple(range(16))},
    "dnb": {KICK: (0, 10), SNARE: (4, 12), RIDE: (0, 2, 4, 6, 8, 10, 12, 14)},
    "ballad": {KICK: (0, 8), STICK: (4, 12), HAT: (0, 2, 4, 6, 8, 10, 12, 14)},
    "waltz": {KICK: (0,), SNARE: (4, 8), HAT: (0, 2, 4, 6, 8, 10)},
    "pop": {KICK: (0, 6, 8), CLAP: (4, 12), HAT: (2, 6, 10, 14)},
    "reggae": {KICK: (8,), STICK: (8,), HAT: (0, 2, 4, 6, 8, 10, 12, 14)},
    "bossa": {KICK: (0, 3, 4, 8, 11, 12), STICK: (0, 3, 6, 10, 12), HAT: (0, 2, 4, 6, 8, 10, 12, 14)},
    "piano": {},
}
# Chord rhythm per style: (steps where the chord is struck, length in 16ths); "arp" plays 8th arpeggios.
_CHORD_STEPS: dict[str, tuple[tuple[int, ...], float]] = {
    "house": ((0,), 16), "ballad": ((0,), 16), "reggae": ((2, 6, 10, 14), 1.2),
    "bossa": ((0, 3, 6, 10, 12), 1.8), "waltz": ((4, 8), 3.5),
}  # fmt: skip
# Tempo range, chord instrument (GM program), bass program, swing (fraction of a 16th), meter.
_STYLES: dict[str, tuple[tuple[float, float], int, int, float, int]] = {
    "rock": ((100, 150), 29, 33, 0.0, 4),
    "house": ((118, 130), 89, 38, 0.0, 4),
    "hiphop": ((80, 98), 4, 33, 0.3, 4),
    "funk": ((92, 116), 16, 36, 0.0, 4),
    "dnb": ((160, 176), 90, 38, 0.0, 4),
    "ballad": ((70, 84), 0, 32, 0.0, 4),
    "waltz": ((96, 176), 48, 32, 0.0, 3),
    "pop": ((96, 132), 0, 33, 0.0, 4),
    "reggae": ((70, 84), 27, 33, 0.0, 4),
    "bossa": ((120, 144), 25, 32, 0.0, 4),
    "piano": ((84, 140), 0, 32, 0.0, 4),
}
# Progressions as scale degrees (0-based) of the key's scale; minor ones use the harmonic V sometimes.
_MAJOR_PROGRESSIONS = ((0, 4, 5, 3), (0, 3, 4, 0), (0, 5, 3, 4), (0, 3, 0, 4))
_MINOR_PROGRESSIONS = ((0, 5, 2, 6), (0, 3, 4, 0), (0, 6, 5, 4), (0, 3, 6, 2))
_MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
_MINOR_SCALE = (0, 2, 3, 5, 7, 8, 10)


def _triad(tonic: int, mode: str, degree: int) -> list[int]:
    """Pitch classes (root first) of the diatonic triad on ``degree``; minor's V is major (harmonic)."""
    scale = _MAJOR_SCALE if mode == "major" else _MINOR_SCALE
    pcs = [(tonic + scale[(degree + step) % 7]) % 12 for step in (0, 2, 4)]
    if mode == "minor" and degree == 4:
        pcs[1] = (pcs[1] + 1) % 12  # leading tone
    return pcs


def _note(inst: pretty_midi.Instrument, pitch: int, start: float, length: float, velocity: int) -> None:
    inst.notes.append(pretty_midi.Note(velocity=velocity, pitch=pitch, start=start, end=start + length))


def groove_midi(
    style: str, bpm: float, tonic: int, mode: str, *, bars: int, seed: int
) -> pretty_midi.PrettyMIDI:
    """Drums, bass and chords of one style at ``bpm`` in ``tonic``/``mode``, ``bars`` bars long."""
    rng = np.random.default_rng(seed)
    _, chord_program, bass_program, swing, meter = _STYLES[style]
    sixteenth = 15.0 / bpm
    midi = pretty_midi.PrettyMIDI(initial_tempo=bpm)
    drums = pretty_midi.Instrument(program=0, is_drum=True)
    bass = pretty_midi.Instrument(program=bass_program)
    chords = pretty_midi.Instrument(program=chord_program)
    progressions = _MAJOR_PROGRESSIONS if mode == "major" else _MINOR_PROGRESSIONS
    progression = progressions[int(rng.integers(len(progressions)))]
    steps = 4 * meter

    def at(bar: int, step: float) -> float:
        offbeat = int(step) % 2 == 1
        jitter = float(rng.normal(0.0, 0.004))
        return max(0.0, (bar * steps + step + (swing if offbeat else 0.0)) * sixteenth + jitter)

    for bar in range(bars):
        if bar % 8 == 0 and _PATTERNS[style]:
            _note(drums, CRASH, at(bar, 0), 0.3, 100)
        for drum, hits in _PATTERNS[style].items():
            for step in hits:
                _note(drums, drum, at(bar, step), 0.08, int(rng.integers(80, 120)))
        root, *upper = _triad(tonic, mode, progression[bar % len(progression)])
        bass_root = 36 + root
        for beat in range(meter):
            pitch = bass_root if beat % 2 == 0 or style == "waltz" else bass_root + 12
            _note(bass, pitch, at(bar, 4 * beat), sixteenth * 3.2, int(rng.integers(85, 110)))
        voicing = [60 + (pc - 60) % 12 for pc in [root, *upper]]  # close position from middle C up
        if style == "piano":
            for step in range(0, steps, 2):
                pitch = [*voicing, voicing[0] + 12][(step // 2) % 4]
                _note(chords, pitch, at(bar, step), sixteenth * 2.5, int(rng.integers(60, 90)))
            continue
        hits, length = _CHORD_STEPS.get(style, (tuple(range(0, steps, 4)), 3.5))
        for step in hits:
            for pitch in voicing:
                _note(chords, pitch, at(bar, step), sixteenth * length, int(rng.integers(60, 80)))
    midi.instruments += [inst for inst in (drums, bass, chords) if inst.notes]
    return midi


@lru_cache(maxsize=1)
def _synth() -> tuple[Any, int]:
    """One FluidSynth with FluidR3_GM loaded once (loading costs ~0.3 s; a clip renders in ~0.1 s)."""
    import fluidsynth

    synth = fluidsynth.Synth(samplerate=float(RATE), **{"synth.polyphony": 1024})
    return synth, synth.sfload(str(find_soundfont("fluidr3")))


def render(midi: pretty_midi.PrettyMIDI, seconds: float | None = None) -> np.ndarray:
    """Mono float32 at ``RATE``, peak-normalised to -1 dBFS, cut to ``seconds`` if given."""
    synth, font = _synth()
    events: list[tuple[float, int, int, int, int]] = []  # (time, on?, channel, pitch, velocity)
    for index, inst in enumerate(midi.instruments):
        channel = 9 if inst.is_drum else [0, 1, 2, 3, 4, 5, 6, 7, 8, 10][index]
        synth.program_select(channel, font, 128 if inst.is_drum else 0, inst.program)
        events += [(n.start, 1, channel, n.pitch, n.velocity) for n in inst.notes]
        events += [(n.end, 0, channel, n.pitch, 0) for n in inst.notes]
    events.sort()
    end = seconds if seconds is not None else max(e[0] for e in events) + 1.0
    pieces, done = [], 0
    for time, on, channel, pitch, velocity in events:
        frame = min(int(time * RATE), int(end * RATE))
        if frame > done:
            pieces.append(synth.get_samples(frame - done))
            done = frame
        synth.noteon(channel, pitch, velocity) if on else synth.noteoff(channel, pitch)
    pieces.append(synth.get_samples(max(0, int(end * RATE) - done)))
    for channel in range(16):
        synth.all_sounds_off(channel)
    synth.get_samples(RATE)  # let reverb tails die before the next clip
    stereo = np.concatenate(pieces).astype(np.float32).reshape(-1, 2)
    audio = stereo.mean(axis=1)
    peak = float(np.max(np.abs(audio))) or 1.0
    return np.asarray(audio * (0.89 / peak), dtype=np.float32)


def grooves(per_style: int, *, seconds: float = 24.0, seed: int = 7) -> Iterator[Clip]:
    """``per_style`` clips of every style: tempi spread over its range, keys drawn over all 24."""
    rng = np.random.default_rng(seed)
    for s, (style, spec) in enumerate(_STYLES.items()):
        (low, high), meter = spec[0], spec[4]
        offset = float(rng.uniform(0.2, 0.8))  # where in each tempo slot: differs between seeds
        for i in range(per_style):
            bpm = round(float(low + (high - low) * (i + offset) / per_style), 1)
            tonic, mode = int(rng.integers(12)), ("major", "minor")[int(rng.integers(2))]
            bars = int(np.ceil(seconds * bpm / 60.0 / meter)) + 1
            midi = groove_midi(style, bpm, tonic, mode, bars=bars, seed=1000 * seed + 100 * s + i)
            name = f"{style}-{bpm:g}-{NOTES[tonic]}{'m' if mode == 'minor' else ''}"
            yield Clip(name, render(midi, seconds), bpm, f"{NOTES[tonic]} {mode}", meter, style)


# -- chorales -----------------------------------------------------------------------------------------


def declared_key(score: object) -> str | None:
    """ "X major"/"X minor" from the first key signature and the final bass note; None if they disagree."""
    from music21 import key as m21key

    signatures = list(score.recurse().getElementsByClass(m21key.KeySignature))  # type: ignore[attr-defined]
    if not signatures:
        return None
    major_tonic = (7 * signatures[0].sharps) % 12
    final_bass = score.parts[-1].flatten().notes[-1]  # type: ignore[attr-defined]
    pitch = min(final_bass.pitches, key=lambda p: p.midi) if final_bass.isChord else final_bass.pitch
    declared = getattr(signatures[0], "mode", None)
    for tonic, mode in ((major_tonic, "major"), ((major_tonic - 3) % 12, "minor")):
        if pitch.pitchClass == tonic and declared in (None, mode):
            return f"{NOTES[tonic]} {mode}"
    return None


def chorales(count: int, *, skip: int = 0, seconds: float = 24.0, bpm: float = 84.0) -> Iterator[Clip]:
    """``count`` Bach chorales with a declared key (after the first ``skip`` files), alternating organ,
    strings and piano."""
    from music21 import corpus

    programs = (19, 48, 0)
    made = 0
    for path in sorted(corpus.getComposer("bach"))[skip:]:
        if made >= count:
            return
        score = corpus.parse(path)
        truth = declared_key(score) if len(score.parts) == 4 else None
        if truth is None:
            continue
        midi = _chorale_midi(score, bpm, programs[made % len(programs)])
        if midi.get_end_time() < seconds / 2:
            continue
        # The end (final cadence) is kept: a listener hears the key from the whole piece.
        audio = render(midi)[-int(seconds * RATE) :]
        yield Clip(f"chorale-{Path(str(path)).stem}", audio, None, truth, None, "chorale")
        made += 1


def _chorale_midi(score: object, bpm: float, program: int) -> pretty_midi.PrettyMIDI:
    """The four voices of a music21 score as one instrument at ``bpm`` (fermatas ignored)."""
    midi = pretty_midi.PrettyMIDI(initial_tempo=bpm)
    inst = pretty_midi.Instrument(program=program)
    for part in score.parts:  # type: ignore[attr-defined]
        for note in part.flatten().notes:
            start = float(note.offset) * 60.0 / bpm
            length = max(0.05, float(note.quarterLength) * 60.0 / bpm * 0.95)
            for pitch in note.pitches:
                _note(inst, int(pitch.midi), start, length, 80)
    midi.instruments.append(inst)
    return midi
