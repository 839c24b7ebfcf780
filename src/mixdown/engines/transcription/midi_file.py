"""Writing transcribed notes as a Standard MIDI File a DAW opens cleanly.

One track (format 0): name, tempo, time signature and key signature at tick 0, a program change,
then the notes and pitch bends in time order, every bent note's channel returned to centre when it
ends. Ticks count from bar 1 of the grid (``Grid.origin`` on the audio's timeline), 480 per beat,
which every quantize grid (1/4 to 1/32, triplets included) divides exactly.

Pitch bends in MIDI apply to a whole channel. Without ``multiple_pitch_bends`` everything plays on
channel 1 and, as basic-pitch does, a note keeps its bends only when no other note overlaps it.
With it, overlapping bent notes are spread over the 15 melodic channels (MPE-style, channel 10 is
left to drums) so each keeps its own bends; a note that finds no free channel loses its bends.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import mido

from mixdown.engines.transcription.grid import Grid
from mixdown.engines.transcription.key import Key
from mixdown.engines.transcription.notes import Note

TICKS_PER_BEAT = 480
BEND_RANGE_SEMITONES = 2.0  # the General MIDI default pitch-bend range
PIANO = 0
_CHANNELS = tuple(c for c in range(16) if c != 9)


@dataclass(frozen=True)
class _Placed:
    note: Note
    channel: int


def bend_value(semitones: float) -> int:
    """A pitch-wheel value (-8192..8191) for a bend in semitones (+-2 semitones full scale).

    Examples
    --------
    >>> bend_value(0.0), bend_value(1.0), bend_value(-3.0)
    (0, 4096, -8192)
    """
    return max(-8192, min(8191, round(semitones * 8192 / BEND_RANGE_SEMITONES)))


def _overlapping(notes: Sequence[Note]) -> set[int]:
    """Indexes (into ``notes``, sorted by start) of notes that overlap another note."""
    hit: set[int] = set()
    for i, note in enumerate(notes):
        for j in range(i + 1, len(notes)):
            if notes[j].start >= note.end:
                break
            hit.update((i, j))
    return hit


def _single_channel(notes: Sequence[Note]) -> list[_Placed]:
    """All notes on channel 1; bends only on notes nothing overlaps."""
    crowded = _overlapping(notes)
    return [_Placed(replace(n, bends=()) if i in crowded else n, 0) for i, n in enumerate(notes)]


def _spread_channels(notes: Sequence[Note]) -> list[_Placed]:
    """Bent notes on channels of their own while they sound; plain notes on channel 1."""
    busy_until = dict.fromkeys(_CHANNELS[1:], float("-inf"))
    placed = []
    for note in notes:
        if not any(note.bends):
            placed.append(_Placed(note, 0))
            continue
        free = next((c for c, until in busy_until.items() if until <= note.start), None)
        if free is None:
            placed.append(_Placed(replace(note, bends=()), 0))
            continue
        busy_until[free] = note.end
        placed.append(_Placed(note, free))
    return placed


def _note_events(item: _Placed, tick: Callable[[float], int]) -> list[tuple[int, int, mido.Message]]:
    """``(tick, order, message)`` of one note: on, bends, off, bend reset (offs sort before ons)."""
    note, channel = item.note, item.channel
    start, end = tick(note.start), max(tick(note.start) + 1, tick(note.end))
    events = [
        (start, 2, mido.Message("note_on", channel=channel, note=note.pitch, velocity=note.velocity)),
        (end, 0, mido.Message("note_off", channel=channel, note=note.pitch, velocity=0)),
    ]
    if any(note.bends):
        count = len(note.bends)
        for k, semitones in enumerate(note.bends):
            at = start + (end - start) * k // count
            events.append((at, 1, mido.Message("pitchwheel", channel=channel, pitch=bend_value(semitones))))
        events.append((end, 1, mido.Message("pitchwheel", channel=channel, pitch=0)))
    return events


def _header(grid: Grid, key: Key | None, name: str) -> list[mido.MetaMessage | mido.Message]:
    header: list[mido.MetaMessage | mido.Message] = [
        mido.MetaMessage("track_name", name=name, time=0),
        mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(grid.bpm), time=0),
        mido.MetaMessage("time_signature", numerator=grid.beats_per_bar, denominator=4, time=0),
    ]
    if key is not None:
        header.append(mido.MetaMessage("key_signature", key=key.midi_name, time=0))
    return header


def write_midi(
    notes: Sequence[Note],
    path: Path,
    *,
    grid: Grid,
    key: Key | None = None,
    multiple_pitch_bends: bool = False,
    name: str = "Transcription",
) -> Path:
    """Write ``notes`` to ``path`` as a one-track Standard MIDI File.

    Parameters
    ----------
    notes
        Notes on the audio's timeline (seconds), ideally :func:`~mixdown.engines.transcription.notes.tidy`.
    path
        Where to write (``.mid``).
    grid
        Tempo, meter and the audio time of tick 0 (``grid.origin``).
    key
        Written as a key-signature event when given.
    multiple_pitch_bends
        Give overlapping bent notes channels of their own instead of dropping their bends.
    name
        The track name.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "a.mid"
    >>> _ = write_midi([Note(0.5, 1.0, 60, 0.8)], out, grid=Grid(bpm=120.0, origin=0.0))
    >>> [(m.type, m.time) for m in mido.MidiFile(out).tracks[0] if m.type.startswith("note")]
    [('note_on', 480), ('note_off', 480)]
    """
    ordered = sorted(notes, key=lambda n: (n.start, n.pitch))
    placed = _spread_channels(ordered) if multiple_pitch_bends else _single_channel(ordered)

    def tick(seconds: float) -> int:
        return max(0, round(grid.beat_at(seconds) * TICKS_PER_BEAT))

    events: list[tuple[int, int, mido.Message]] = []
    for channel in sorted({p.channel for p in placed} | {0}):
        events.append((0, -1, mido.Message("program_change", channel=channel, program=PIANO)))
    for item in placed:
        events.extend(_note_events(item, tick))
    events.sort(key=lambda e: (e[0], e[1]))
    track = mido.MidiTrack(_header(grid, key, name))
    previous = 0
    for at, _order, message in events:
        track.append(message.copy(time=at - previous))
        previous = at
    track.append(mido.MetaMessage("end_of_track", time=0))
    midi = mido.MidiFile(type=0, ticks_per_beat=TICKS_PER_BEAT)
    midi.tracks.append(track)
    midi.save(str(path))
    return path
