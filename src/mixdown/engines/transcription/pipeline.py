"""Audio in, notes out: the network, note creation, beat grid, key and (optionally) quantization."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from mixdown.engines.transcription.grid import DEFAULT_BPM, SUBDIVISIONS, Grid, detect_grid, quantize
from mixdown.engines.transcription.key import Key, estimate_key
from mixdown.engines.transcription.model import SAMPLE_RATE, predict, to_model_rate
from mixdown.engines.transcription.note_creation import DecodeOptions, decode
from mixdown.engines.transcription.notes import Note, pitch_name, tidy

# Chosen on rendered piano passages (bench/bench_audio_to_midi.py --sweep, seeds kept apart from the
# scored ones): mean onset F 0.826 against 0.755 at basic-pitch's defaults (0.5 / 0.3 / 127.7 ms),
# which miss short notes and take in more spurious ones. An onset threshold of 0.7 scored 0.842;
# 0.6 keeps more of the quiet notes of real playing.
TUNED = DecodeOptions(onset_threshold=0.6, frame_threshold=0.4, min_note_ms=50.0)


@dataclass(frozen=True, kw_only=True)
class TranscribeOptions:
    """What to transcribe and how to write it."""

    decode: DecodeOptions = field(default_factory=lambda: TUNED)
    quantize: bool = False
    quantize_grid: str = "1/16"
    pitch_bends: bool = True


@dataclass(frozen=True)
class Transcription:
    """The notes and what was heard around them.

    ``midi_grid`` is the grid the MIDI file is written on: the detected grid when quantized (tick 0
    is bar 1), else the detected tempo and meter with tick 0 at the audio's start.
    """

    notes: list[Note]
    grid: Grid
    key: Key | None
    duration: float
    quantized: bool
    steps_per_beat: int
    tempo_detected: bool = True

    @property
    def midi_grid(self) -> Grid:
        """Tempo, meter and time of tick 0 for the MIDI file."""
        return self.grid if self.quantized else Grid(self.grid.bpm, 0.0, self.grid.beats_per_bar)

    def summary(self) -> dict[str, Any]:
        """Job metadata: counts, tempo, key, range, polyphony."""
        pitches = [n.pitch for n in self.notes]
        return {
            "note_count": len(self.notes),
            "duration": round(self.duration, 3),
            "tempo": round(self.grid.bpm, 2),
            "tempo_detected": self.tempo_detected,
            "time_signature": f"{self.grid.beats_per_bar}/4",
            "key": self.key.name if self.key else None,
            "key_confidence": self.key.confidence if self.key else None,
            "pitch_range": [pitch_name(min(pitches)), pitch_name(max(pitches))] if pitches else None,
            "max_polyphony": max_polyphony(self.notes),
            "notes_per_second": round(len(self.notes) / self.duration, 3) if self.duration > 0 else 0.0,
            "quantized": self.quantized,
            "midi_start": round(self.midi_grid.origin, 4),
        }

    def note_list(self) -> list[dict[str, Any]]:
        """The notes as JSON objects, in time order (beats from bar 1 when quantized)."""
        out = []
        for note in self.notes:
            item: dict[str, Any] = {
                "onset": round(note.start, 4),
                "offset": round(note.end, 4),
                "pitch": note.pitch,
                "name": pitch_name(note.pitch),
                "velocity": note.velocity,
                "pitch_bends": [round(b, 3) for b in note.bends] if any(note.bends) else [],
            }
            if self.quantized:
                item["beat"] = round(self.grid.beat_at(note.start), 4)
                item["beats"] = round(note.duration / self.grid.period, 4)
            out.append(item)
        return out


def max_polyphony(notes: list[Note]) -> int:
    """Most notes sounding at once.

    Examples
    --------
    >>> max_polyphony([Note(0, 1, 60, 0.5), Note(0.5, 1.5, 64, 0.5), Note(1.0, 2.0, 67, 0.5)])
    2
    """
    changes = sorted([(n.end, -1) for n in notes] + [(n.start, 1) for n in notes])
    level, most = 0, 0
    for _, delta in changes:
        level += delta
        most = max(most, level)
    return most


def transcribe(
    samples: np.ndarray,
    sample_rate: int,
    options: TranscribeOptions | None = None,
    *,
    on_progress: Callable[[float], None] | None = None,
) -> Transcription:
    """Transcribe polyphonic audio to notes with basic-pitch, and find its beat grid and key.

    Parameters
    ----------
    samples
        ``(frames,)`` or ``(frames, channels)`` float audio.
    sample_rate
        Its rate.
    options
        Note-creation thresholds, quantization; the tuned defaults when omitted.
    on_progress
        Called with the share of the network's work done (0..1).

    Returns
    -------
    Transcription
        Notes on the audio's timeline (snapped to the grid when ``options.quantize``).

    Examples
    --------
    >>> sr = 22050
    >>> t = np.arange(sr) / sr
    >>> tone = (0.3 * np.sin(2 * np.pi * 440.0 * t) * np.exp(-2 * t)).astype(np.float32)
    >>> [n.pitch for n in transcribe(tone, sr).notes]
    [69]
    """
    options = options or TranscribeOptions()
    signal = to_model_rate(samples, sample_rate)
    duration = signal.shape[0] / SAMPLE_RATE
    notes = tidy(decode(predict(signal, on_batch=on_progress), options.decode))
    if not options.pitch_bends:
        notes = [replace(n, bends=()) for n in notes]
    detected = detect_grid(signal, SAMPLE_RATE, notes)
    grid = detected or Grid(DEFAULT_BPM, 0.0, 4)
    steps = SUBDIVISIONS[options.quantize_grid]
    if options.quantize:
        notes = quantize(notes, grid, steps_per_beat=steps)
    return Transcription(
        notes=notes,
        grid=grid,
        key=estimate_key(notes),
        duration=duration,
        quantized=options.quantize,
        steps_per_beat=steps,
        tempo_detected=detected is not None,
    )


def warm_up() -> None:
    """Load the network and run the whole pipeline once (beat grid included) on a short arpeggio."""
    t = np.arange(SAMPLE_RATE // 3) / SAMPLE_RATE
    pluck = np.exp(-6 * t)
    tones = [0.3 * np.sin(2 * np.pi * 440.0 * 2 ** (k / 12) * t) * pluck for k in (0, 4, 7, 12) * 3]
    transcribe(np.concatenate(tones).astype(np.float32), SAMPLE_RATE, TranscribeOptions(quantize=True))
