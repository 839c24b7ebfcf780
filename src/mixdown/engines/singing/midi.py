"""The sung melody as a MIDI file: one voice track with a lyric event on each word's first note."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import mido

from mixdown.engines.singing.melody import SungNote
from mixdown.engines.singing.placement import PlacedLine

TICKS_PER_BEAT = 480
VOICE_PROGRAM = 53  # General MIDI "Voice Oohs"
VELOCITY = 96


def _ticks(seconds: float, bpm: float) -> int:
    return max(0, round(seconds * bpm / 60.0 * TICKS_PER_BEAT))


def _events(
    notes: Sequence[SungNote], lines: Sequence[PlacedLine], bpm: float
) -> list[tuple[int, int, mido.Message | mido.MetaMessage]]:
    words = {(p.number, i): w.text for p in lines for i, w in enumerate(p.line.words)}
    events: list[tuple[int, int, mido.Message | mido.MetaMessage]] = []
    seen: set[tuple[int, int]] = set()
    for note in notes:
        start, end = _ticks(note.start, bpm), _ticks(note.end, bpm)
        key = (note.line, note.word)
        if key not in seen:
            seen.add(key)
            events.append((start, 1, mido.MetaMessage("lyrics", text=words.get(key, ""))))
        events.append((start, 2, mido.Message("note_on", note=note.midi, velocity=VELOCITY)))
        events.append((max(end, start + 1), 0, mido.Message("note_off", note=note.midi, velocity=0)))
    return sorted(events, key=lambda e: (e[0], e[1]))


def melody_to_midi(
    notes: Sequence[SungNote], lines: Sequence[PlacedLine], bpm: float, beats_per_bar: int, path: Path
) -> Path:
    """Write the melody (tempo ``bpm``, ``beats_per_bar``/4) to ``path``; returns ``path``.

    Examples
    --------
    >>> import tempfile
    >>> from mixdown.engines.singing.syllables import syllabify
    >>> note = SungNote(0.5, 1.0, 64, 0, 0, syllabify("la")[0], True)
    >>> out = melody_to_midi([note], [], 120.0, 4, Path(tempfile.mkdtemp()) / "m.mid")
    >>> [m.type for m in mido.MidiFile(out).tracks[0] if not m.is_meta or m.type == "lyrics"]
    ['program_change', 'lyrics', 'note_on', 'note_off']
    """
    track = mido.MidiTrack()
    track.append(mido.MetaMessage("track_name", name="vocals"))
    track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm)))
    track.append(mido.MetaMessage("time_signature", numerator=beats_per_bar, denominator=4))
    track.append(mido.Message("program_change", program=VOICE_PROGRAM))
    now = 0
    for tick, _, message in _events(notes, lines, bpm):
        track.append(message.copy(time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=0))
    song = mido.MidiFile(ticks_per_beat=TICKS_PER_BEAT)
    song.tracks.append(track)
    song.save(str(path))
    return path
