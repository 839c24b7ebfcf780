"""Sing lyrics over an instrumental: analyse, place, compose, sing, mix (:func:`sing`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mixdown.audio.resample import resample
from mixdown.engines.singing.instrumental import Instrumental, analyse_instrumental
from mixdown.engines.singing.lyrics import LyricSection
from mixdown.engines.singing.melody import SungNote, compose_melody
from mixdown.engines.singing.mix import Mixed, mix_vocal, stereo, vocal_chain
from mixdown.engines.singing.placement import PlacedLine, place_lines
from mixdown.engines.singing.style import SingingStyle
from mixdown.engines.singing.vocal import VocalTrack, render_vocal
from mixdown.engines.tts.voices import Voice
from mixdown.errors import TaskError

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class WordTiming:
    """When a written word is sung and on which notes."""

    word: str
    start: float
    end: float
    notes: tuple[str, ...]
    line: int

    def as_dict(self) -> dict[str, Any]:
        """JSON form: ``note`` is the first syllable's note, ``notes`` all of them."""
        return {
            "word": self.word,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "note": self.notes[0],
            "notes": list(self.notes),
            "line": self.line,
        }


@dataclass(frozen=True)
class SungSong:
    """The result: song and vocal stem (``(frames, 2)`` float32) and what was sung when."""

    mixed: Mixed
    sample_rate: int
    instrumental: Instrumental
    lines: tuple[PlacedLine, ...]
    notes: tuple[SungNote, ...]
    words: tuple[WordTiming, ...]
    warnings: tuple[str, ...]


def word_timings(
    lines: Sequence[PlacedLine], notes: Sequence[SungNote], track: VocalTrack
) -> list[WordTiming]:
    """Each written word's sung span (its first note's onset consonants to its last note's end)."""
    out = []
    for placed in lines:
        for index, word in enumerate(placed.line.words):
            mine = [i for i, n in enumerate(notes) if n.line == placed.number and n.word == index]
            if not mine:
                continue
            start, end = track.spans[mine[0]][0], track.spans[mine[-1]][1]
            out.append(
                WordTiming(word.text, max(0.0, start), end, tuple(notes[i].name for i in mine), placed.number)
            )
    return sorted(out, key=lambda w: w.start)


def _at_rate(track: VocalTrack, sample_rate: int, frames: int) -> np.ndarray:
    audio = track.samples.astype(np.float32)
    if track.sample_rate != sample_rate and audio.size:
        audio = resample(audio[:, None], from_rate=track.sample_rate, to_rate=sample_rate)[:, 0]
    out = np.zeros(frames, dtype=np.float32)
    out[: min(frames, audio.size)] = audio[:frames]
    return out


def sing(
    samples: np.ndarray,
    sample_rate: int,
    lyrics: Sequence[LyricSection],
    voice: Voice,
    *,
    style: SingingStyle,
    seed: int,
    work_dir: Path,
    progress: Progress | None = None,
) -> SungSong:
    """Sing ``lyrics`` with ``voice`` over the instrumental ``samples``, analysed first.

    Parameters
    ----------
    samples
        ``(frames, channels)`` float instrumental.
    sample_rate
        Its rate; the song and the stem come out at this rate, in stereo.
    lyrics
        Parsed sections (:func:`mixdown.engines.singing.lyrics.parse_lyrics`).
    voice
        A singing voice (:func:`mixdown.engines.singing.voices.choose_voice`).
    style
        What the prompt asked for (:func:`mixdown.engines.singing.style.read_style`).
    seed
        Melody seed: the same inputs and seed give the same song.
    work_dir
        Scratch folder for Festival's files.
    progress
        ``progress(fraction, message)``.

    Returns
    -------
    SungSong
    """
    report = progress or (lambda _f, _m: None)
    song = analyse_instrumental(samples, sample_rate, progress=lambda f, m: report(0.3 * f, m))
    return sing_over(
        song,
        samples,
        sample_rate,
        lyrics,
        voice,
        style=style,
        seed=seed,
        work_dir=work_dir,
        progress=lambda f, m: report(0.3 + 0.7 * f, m),
    )


@dataclass(frozen=True)
class SungVocal:
    """The processed vocal alone (``(frames, 2)`` float32, before any level) and what it sings."""

    vocal: np.ndarray
    sample_rate: int
    lines: tuple[PlacedLine, ...]
    notes: tuple[SungNote, ...]
    words: tuple[WordTiming, ...]
    warnings: tuple[str, ...]


def sing_vocal(
    song: Instrumental,
    sample_rate: int,
    frames: int,
    lyrics: Sequence[LyricSection],
    voice: Voice,
    *,
    style: SingingStyle,
    seed: int,
    work_dir: Path,
    progress: Progress | None = None,
) -> SungVocal:
    """Place, compose and sing ``lyrics`` on ``song``'s bars and chords: the vocal track alone.

    The vocal comes out through the vocal chain (EQ, compression, reverb) at ``sample_rate``,
    ``frames`` long, at the level WORLD sang it: :func:`sing_over` mixes it over an instrumental,
    text-to-music adds it to the piece's stems before mastering.
    """
    report = progress or (lambda _f, _m: None)
    lines, warnings = place_lines(lyrics, song)
    if not lines:
        raise TaskError(
            f"the instrumental ({song.duration:.1f} s, {len(song.bars)} bars) is too short for a line"
        )
    report(0.05, f"composing the melody of {len(lines)} lines")
    notes = compose_melody(lines, song, style, voice.gender, seed)
    track = render_vocal(
        lines,
        notes,
        voice,
        duration=song.duration,
        vibrato_cents=style.vibrato_cents,
        folder=work_dir,
        progress=lambda f, m: report(0.1 + 0.8 * f, m),
    )
    vocal = vocal_chain(_at_rate(track, sample_rate, frames), sample_rate, reverb=style.reverb)
    words = tuple(word_timings(lines, notes, track))
    return SungVocal(vocal, sample_rate, tuple(lines), tuple(notes), words, tuple(warnings))


def sing_over(
    song: Instrumental,
    samples: np.ndarray,
    sample_rate: int,
    lyrics: Sequence[LyricSection],
    voice: Voice,
    *,
    style: SingingStyle,
    seed: int,
    work_dir: Path,
    progress: Progress | None = None,
) -> SungSong:
    """Sing over ``samples`` whose beats, chords and sections ``song`` already describes.

    :func:`sing` analyses the audio first; a piece the music engine composed is described by its
    score (:func:`mixdown.engines.singing.scored.instrumental_from_score`).
    """
    report = progress or (lambda _f, _m: None)
    bed = stereo(samples)
    sung = sing_vocal(
        song,
        sample_rate,
        bed.shape[0],
        lyrics,
        voice,
        style=style,
        seed=seed,
        work_dir=work_dir,
        progress=report,
    )
    report(0.92, "mixing")
    mixed = mix_vocal(bed, sung.vocal, sample_rate, lift_db=style.vocal_lift_db)
    return SungSong(
        mixed, sample_rate, song, sung.lines, sung.notes, sung.words, (*song.warnings, *sung.warnings)
    )
