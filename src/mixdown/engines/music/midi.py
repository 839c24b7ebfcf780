"""MIDI export of a Score: a type-1 file that any DAW opens with the same parts the audio has.

Track 0 carries the tempo, time signature, key signature and section markers; then one track per
sounding part, named after it, on its own channel with its program (drums on channel 10), its
volume and pan from the mix, and its controller automation. Times are converted at the score's
single tempo with 480 ticks per quarter note.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import mido

from mixdown.engines.music.score import Part, Score

TICKS_PER_BEAT = 480
DRUM_CHANNEL = 9  # "channel 10"
_MELODIC_CHANNELS = [c for c in range(16) if c != DRUM_CHANNEL]

# Mode -> semitones from the parent major scale's tonic up to the mode's tonic.
_MODE_DEGREE = {
    "major": 0, "ionian": 0, "dorian": 2, "phrygian": 4, "lydian": 5, "mixolydian": 7,
    "minor": 9, "aeolian": 9, "locrian": 11,
}  # fmt: skip
_MINOR_FAMILY = {"minor", "aeolian", "dorian", "phrygian", "locrian"}
_MAJOR_NAMES = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_MINOR_NAMES = ("Cm", "C#m", "Dm", "Ebm", "Em", "Fm", "F#m", "Gm", "G#m", "Am", "Bbm", "Bm")


def key_signature(tonic: int, mode: str) -> str:
    """The key-signature name (mido spelling) for a tonic pitch class and mode.

    Modes are written with their parent scale's signature, as a minor key for the minor-like modes:
    D dorian has no sharps or flats, so it reads ``Am``.

    Examples
    --------
    >>> key_signature(9, "minor"), key_signature(2, "dorian"), key_signature(7, "mixolydian")
    ('Am', 'Am', 'C')
    """
    name = mode.lower().replace("natural ", "").replace("harmonic ", "").replace("melodic ", "")
    degree = _MODE_DEGREE.get(name, 9 if "minor" in name else 0)
    parent = (tonic - degree) % 12
    if name in _MINOR_FAMILY or (name not in _MODE_DEGREE and "minor" in name):
        return _MINOR_NAMES[(parent + 9) % 12]
    return _MAJOR_NAMES[parent]


def channels_for(parts: list[Part]) -> list[int]:
    """A MIDI channel per part: drums on 10, the others on 1-9, 11-16 in order (reused past 15)."""
    melodic = iter(_MELODIC_CHANNELS * (1 + len(parts) // len(_MELODIC_CHANNELS)))
    return [DRUM_CHANNEL if part.is_drum else next(melodic) for part in parts]


def _ticks(seconds: float, bpm: float) -> int:
    return max(0, round(seconds * bpm / 60.0 * TICKS_PER_BEAT))


def _volume(gain_db: float) -> int:
    """CC7 for a fader gain, on the GM volume curve (40 log10(v / 127) dB), 0 dB at 100."""
    return max(0, min(127, round(100.0 * math.pow(10.0, gain_db / 40.0))))


def _pan(pan: float) -> int:
    return max(0, min(127, round(64 + 63.5 * max(-1.0, min(1.0, pan)))))


def _meta_track(score: Score) -> mido.MidiTrack:
    track = mido.MidiTrack()
    track.append(mido.MetaMessage("track_name", name="mixdown", time=0))
    track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(score.bpm), time=0))
    numerator, denominator = score.meter
    track.append(mido.MetaMessage("time_signature", numerator=numerator, denominator=denominator, time=0))
    track.append(mido.MetaMessage("key_signature", key=key_signature(score.key_tonic, score.mode), time=0))
    events = [(_ticks(s.start, score.bpm), mido.MetaMessage("marker", text=s.name)) for s in score.sections]
    return _with_deltas(track, events, end=_ticks(score.duration, score.bpm))


def _part_track(part: Part, channel: int, bpm: float, end: int) -> mido.MidiTrack:
    track = mido.MidiTrack()
    track.append(mido.MetaMessage("track_name", name=part.name, time=0))
    if part.instrument:
        track.append(mido.MetaMessage("instrument_name", name=part.instrument, time=0))
    if part.is_drum:
        program = part.program  # the kit, GS style (bank 128 is implied by channel 10)
    else:
        track.append(mido.Message("control_change", channel=channel, control=0, value=part.bank & 0x7F))
        program = part.program
    track.append(mido.Message("program_change", channel=channel, program=max(0, min(127, program))))
    track.append(mido.Message("control_change", channel=channel, control=7, value=_volume(part.mix.gain_db)))
    track.append(mido.Message("control_change", channel=channel, control=10, value=_pan(part.mix.pan)))
    # Sort key: time, then controllers, note-offs, note-ons (a re-struck note is not cut short).
    events: list[tuple[int, int, mido.Message]] = []
    for c in part.controls:
        value = max(0, min(127, c.value))
        message = mido.Message("control_change", channel=channel, control=c.controller, value=value)
        events.append((_ticks(c.time, bpm), 0, message))
    for start, stop, note in _note_spans(part, bpm):
        velocity = max(1, min(127, note[1]))
        events.append((start, 2, mido.Message("note_on", channel=channel, note=note[0], velocity=velocity)))
        events.append((stop, 1, mido.Message("note_off", channel=channel, note=note[0], velocity=0)))
    events.sort(key=lambda e: (e[0], e[1]))
    return _with_deltas(track, [(tick, message) for tick, _order, message in events], end=end)


def _note_spans(part: Part, bpm: float) -> list[tuple[int, int, tuple[int, int]]]:
    """(on tick, off tick, (pitch, velocity)); a note ends where the same pitch is struck again."""
    spans = []
    notes = sorted(part.notes, key=lambda n: (n.pitch, n.start))
    for note, following in zip(notes, [*notes[1:], None], strict=True):
        end = note.end
        if following is not None and following.pitch == note.pitch:
            end = min(end, following.start)
        start_tick = _ticks(note.start, bpm)
        spans.append((start_tick, max(start_tick + 1, _ticks(end, bpm)), (note.pitch, note.velocity)))
    return spans


def _with_deltas(
    track: mido.MidiTrack, events: list[tuple[int, mido.Message]], *, end: int
) -> mido.MidiTrack:
    now = 0
    for tick, message in sorted(events, key=lambda e: e[0]):
        track.append(message.copy(time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=max(0, end - now)))
    return track


def score_to_midi(score: Score, path: str | os.PathLike[str]) -> Path:
    """Write ``score`` as a type-1 Standard MIDI File at ``path``.

    Parameters
    ----------
    score
        The piece; parts without notes are left out.
    path
        Where to write (``.mid``).

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> from mixdown.engines.music.score import Note, Part, Score, Stem
    >>> drums = Part(name="drums", stem=Stem.DRUMS, program=0, bank=128, is_drum=True,
    ...              notes=[Note(0.0, 0.1, 36, 110)])
    >>> score = Score(bpm=128, meter=(4, 4), key_tonic=9, mode="minor", duration=1.0,
    ...               sections=[], chords=[], parts=[drums])
    >>> out = score_to_midi(score, Path(tempfile.mkdtemp()) / "song.mid")
    >>> midi = mido.MidiFile(out)
    >>> midi.type, len(midi.tracks), round(mido.tempo2bpm(midi.tracks[0][1].tempo))
    (1, 2, 128)
    """
    parts = [part for part in score.parts if part.notes]
    midi = mido.MidiFile(type=1, ticks_per_beat=TICKS_PER_BEAT)
    end = _ticks(score.duration, score.bpm)
    midi.tracks.append(_meta_track(score))
    for part, channel in zip(parts, channels_for(parts), strict=True):
        midi.tracks.append(_part_track(part, channel, score.bpm, end))
    out = Path(path)
    midi.save(out)
    return out
