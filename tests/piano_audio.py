"""Piano test audio with known notes: short passages rendered with FluidSynth (FluidR3 GM piano)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache

import mir_eval
import numpy as np
import pretty_midi
import soundfile as sf

from mixdown.engines.music.produce import find_soundfont
from mixdown.engines.transcription import Note

RATE = 44100
# C major: I - IV - V - I, one chord per bar (root position, around middle C).
CHORDS = ((48, 60, 64, 67), (53, 60, 65, 69), (55, 59, 62, 67), (48, 60, 64, 67))
MELODY = (72, 74, 76, 77, 79, 77, 76, 74)


@dataclass(frozen=True)
class Passage:
    """Notes (seconds), the tempo and where the music starts, and the rendered audio (mono float32)."""

    notes: tuple[Note, ...]
    bpm: float
    lead: float
    audio: np.ndarray

    def wav_bytes(self) -> bytes:
        """The audio as a 16-bit WAV file."""
        buffer = io.BytesIO()
        sf.write(buffer, self.audio, RATE, format="WAV", subtype="PCM_16")
        return buffer.getvalue()


def render(notes: tuple[Note, ...], seconds: float) -> np.ndarray:
    """FluidSynth with the FluidR3 acoustic grand piano, mono float32 at 44.1 kHz, peak -6 dBFS."""
    midi = pretty_midi.PrettyMIDI()
    piano = pretty_midi.Instrument(program=0)
    piano.notes = [pretty_midi.Note(n.velocity, n.pitch, n.start, n.end) for n in notes]
    midi.instruments.append(piano)
    audio = midi.fluidsynth(fs=RATE, synthesizer=str(find_soundfont("fluidr3")))[: round(seconds * RATE)]
    out = (0.5 * audio / max(1e-9, float(np.abs(audio).max()))).astype(np.float32)
    out.setflags(write=False)
    return out


@lru_cache(maxsize=8)
def passage(bpm: float = 120.0, *, bars: int = 4, lead: float = 0.0) -> Passage:
    """Chords on beats 1 and 3 and a melody in eighth notes, ``bars`` bars of 4/4 from ``lead`` s."""
    beat = 60.0 / bpm
    notes: list[Note] = []
    for bar in range(bars):
        start = lead + bar * 4 * beat
        chord = CHORDS[bar % len(CHORDS)]
        for offset in (0, 2):
            notes += [Note(start + offset * beat, start + (offset + 1.5) * beat, p, 0.6) for p in chord]
        for step, pitch in enumerate(MELODY):
            at = start + step * beat / 2
            notes.append(Note(at, at + beat / 2 * 0.9, pitch + (bar % 2) * 2, 0.7))
    ordered = tuple(sorted(notes, key=lambda n: (n.start, n.pitch)))
    return Passage(ordered, bpm, lead, render(ordered, lead + bars * 4 * beat + 1.0))


def onset_f_measure(reference: tuple[Note, ...] | list[Note], estimate: list[Note]) -> float:
    """mir_eval note F-measure: same pitch, onset within 50 ms, offsets ignored."""
    if not estimate:
        return 0.0

    def arrays(notes: tuple[Note, ...] | list[Note]) -> tuple[np.ndarray, np.ndarray]:
        intervals = np.array([[n.start + 1.0, max(n.end, n.start + 0.01) + 1.0] for n in notes])
        return intervals, np.array([440.0 * 2 ** ((n.pitch - 69) / 12) for n in notes])

    _, _, f, _ = mir_eval.transcription.precision_recall_f1_overlap(
        *arrays(reference), *arrays(estimate), offset_ratio=None
    )
    return float(f)
