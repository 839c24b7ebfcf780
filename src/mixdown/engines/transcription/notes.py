"""A transcribed note, and the clean-ups every output gets (no overlaps of one pitch, no empty notes)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
MIN_SECONDS = 0.005  # shorter notes are dropped: a DAW shows them as slivers, most synths skip them


@dataclass(frozen=True)
class Note:
    """One note: seconds on the audio's timeline, MIDI pitch, loudness and pitch bends.

    ``amplitude`` is the network's mean frame activation over the note (0..1); ``bends`` are
    semitone offsets from ``pitch`` sampled evenly from ``start`` to ``end`` (empty: none).
    """

    start: float
    end: float
    pitch: int
    amplitude: float
    bends: tuple[float, ...] = ()

    @property
    def duration(self) -> float:
        """Seconds."""
        return self.end - self.start

    @property
    def velocity(self) -> int:
        """MIDI velocity, ``round(127 * amplitude)`` as basic-pitch writes it, kept within 1..127."""
        return min(127, max(1, round(127 * self.amplitude)))


def pitch_name(pitch: int) -> str:
    """Scientific pitch name of a MIDI note number.

    Examples
    --------
    >>> pitch_name(60), pitch_name(21), pitch_name(70)
    ('C4', 'A0', 'A#4')
    """
    return f"{NOTE_NAMES[pitch % 12]}{pitch // 12 - 1}"


def _merge_same_onset(notes: list[Note]) -> list[Note]:
    """One note per (pitch, start): the longer, with the louder amplitude."""
    kept: dict[tuple[int, float], Note] = {}
    for note in notes:
        key = (note.pitch, note.start)
        other = kept.get(key)
        if other is None:
            kept[key] = note
            continue
        longer = note if note.end > other.end else other
        kept[key] = replace(longer, amplitude=max(note.amplitude, other.amplitude))
    return list(kept.values())


def cut_at(note: Note, end: float) -> Note:
    """``note`` ending at ``end`` (earlier than its own end), its bends cut to match."""
    kept = (end - note.start) / note.duration if note.duration > 0 else 0.0
    bends = note.bends[: max(1, round(len(note.bends) * kept))] if note.bends else ()
    return replace(note, end=end, bends=bends)


def tidy(notes: Iterable[Note], *, min_seconds: float = MIN_SECONDS) -> list[Note]:
    """Sorted notes where no note overlaps a later one of the same pitch, none shorter than ``min_seconds``.

    A note still sounding when the same key is struck again ends at the new onset: MIDI cannot
    hold one key down twice, and DAWs show such pairs as a single stuck note.

    Examples
    --------
    >>> a, b = Note(0.0, 1.0, 60, 0.5), Note(0.5, 1.5, 60, 0.5)
    >>> [(n.start, n.end) for n in tidy([b, a])]
    [(0.0, 0.5), (0.5, 1.5)]
    """
    ordered = sorted(_merge_same_onset(list(notes)), key=lambda n: (n.start, n.pitch, n.end))
    last: dict[int, int] = {}
    out: list[Note] = []
    for note in ordered:
        previous = last.get(note.pitch)
        if previous is not None and out[previous].end > note.start:
            out[previous] = cut_at(out[previous], note.start)
        last[note.pitch] = len(out)
        out.append(note)
    return [n for n in out if n.duration >= min_seconds]
