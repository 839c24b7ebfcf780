"""Text-to-music with lyrics: the composed piece, its wordless vocal line left out, sung, then mastered.

With ``lyrics`` (and ``instrumental`` false) the composer writes the piece as usual, a vocal
line included; that line is a melody for a choir or "voice" soundfont program, wordless, so it is
left out of the rendered backing. The singer (:mod:`mixdown.engines.singing`) reads the
piece's bars, chords, sections and mode from its score (:func:`~mixdown.engines.singing.scored.
instrumental_from_score`, no audio analysis), places the lyric lines on its sections, composes one
note per syllable on its chords and sings them with a Festival voice re-timed and re-pitched by
WORLD. The vocal joins the mix *before* mastering: every rendered stem gets the vocal pocket (a
-3 dB presence dip while the voice sings), the vocal is set ``vocal_lift_db`` above the backing's
loudness and becomes the ``vocals`` stem, and the premaster (the stems' exact sum) goes through
the engine's own master chain (bus, loudness to -14 LUFS, true-peak limiter), so the delivered
song meets the same quality report as an instrumental one. Stems, premaster and mix are tapes
(:mod:`.overdub`), so a long song stays in bounded memory; the vocal itself is held in memory, as
the sing task holds it.

The singing style is read from the music prompt without the words that there describe the band
rather than the voice ("deep house", "heavy bass", "bright synths").
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from mixdown.engines.music.overdub import master, overdub, reference_lufs, render_stems
from mixdown.engines.music.produce import ProductionFiles
from mixdown.engines.music.produce.render import total_frames
from mixdown.engines.music.score import Note, Part, Score, Stem
from mixdown.engines.singing.lyrics import LyricLine, LyricSection, parse_lyrics
from mixdown.engines.singing.melody import SungNote
from mixdown.engines.singing.mix import vocal_gain_db
from mixdown.engines.singing.pipeline import SungVocal, sing_vocal
from mixdown.engines.singing.scored import instrumental_from_score
from mixdown.engines.singing.style import SingingStyle, read_style
from mixdown.engines.singing.syllables import syllabify
from mixdown.engines.singing.voices import choose_voice
from mixdown.engines.tts.voices import Voice

MIN_SECONDS, MAX_SECONDS = 8.0, 600.0  # room for one line at any tempo (2 bars of 3.5 s); as sing
VOICE_PROGRAM = 53  # GM "Voice Oohs" for the sung melody in the MIDI file
# The vocal goes through the bus compressor with the band here (the sing task mixes it after
# mastering): 2 dB more than the sing task's level keeps it as clear. Female voice, 4 prompts x 2
# seeds, 24 s: Whisper's WER on the song 0.46 at +3 dB, 0.37 at +5 dB (better in 6 of 8).
PREMASTER_LIFT_DB = 2.0
# Words of a music prompt that describe the band, not the voice (see the module docstring).
_BAND_WORDS = re.compile(r"\b(?:bass|deep|bright)\b", re.IGNORECASE)
# Fitting a piece to its lyrics when no duration is given: bars at a nominal 96 bpm in 4/4.
NOMINAL_BAR_SECONDS = 2.5
_FRAME_BARS = 8  # an intro and an ending around the sung sections
_SECTION_SLACK_BARS = 2  # a lyric section starts where an audio section does: room to get there
_SYLLABLES_PER_UNIT = 15  # eighth notes in two bars, less a half-beat breath
Progress = Callable[[float], None]


@dataclass(frozen=True)
class VocalRequest:
    """What to sing and how: the lyrics, the voice (gender or id), the prompt and the vocal level."""

    lyrics: str
    gender: str | None = None
    voice_id: str | None = None
    prompt: str = ""
    vocal_level_db: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form (kept in the generation record, so ``from_hash`` sings it again)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VocalRequest:
        """Inverse of :meth:`to_dict`."""
        return cls(
            **{name: data.get(name) for name in ("gender", "voice_id", "vocal_level_db")},
            lyrics=str(data["lyrics"]),
            prompt=str(data.get("prompt") or ""),
        )

    def hashed_with(self, digest: str) -> str:
        """A generation hash covering the piece's ``digest`` and this request."""
        blob = json.dumps({"piece": digest, "vocal": self.to_dict()}, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()[:32]

    def style(self) -> SingingStyle:
        """The prompt's singing style; the vocal level ``vocal_level_db``, else the prompt's plus
        ``PREMASTER_LIFT_DB``."""
        style = read_style(_BAND_WORDS.sub(" ", self.prompt))
        lift = style.vocal_lift_db + PREMASTER_LIFT_DB if self.vocal_level_db is None else self.vocal_level_db
        return replace(style, vocal_lift_db=lift)

    def voice(self) -> Voice:
        """``voice_id``, else the best singing voice of ``gender`` (or the prompt's); 422 naming the field."""
        return choose_voice(voice_id=self.voice_id, gender=self.gender or self.style().gender)

    def sections(self) -> list[LyricSection]:
        """The parsed lyrics (422 naming ``lyrics`` when nothing is singable)."""
        return parse_lyrics(self.lyrics)


def fitted_seconds(sections: list[LyricSection]) -> float:
    """A length that holds every line at a nominal 96 bpm, for requests that give no ``duration``.

    Each line takes two bars (four when its syllables do not fit on eighth notes in two),
    instrumental tags four, each section two more to reach an audio section's start, plus an
    intro and an ending; clamped to ``MIN_SECONDS``..``MAX_SECONDS``.

    Examples
    --------
    >>> fitted_seconds(parse_lyrics("[Verse]\\nHold me close tonight\\n[Chorus]\\nNever let me go"))
    40.0
    """
    bars = _FRAME_BARS
    for section in sections:
        units = [2 if _syllables(line) <= _SYLLABLES_PER_UNIT else 4 for line in section.lines]
        bars += (sum(units) if section.lines else 4) + _SECTION_SLACK_BARS
    return float(min(MAX_SECONDS, max(MIN_SECONDS, bars * NOMINAL_BAR_SECONDS)))


def _syllables(line: LyricLine) -> int:
    return sum(len(syllabify(word)) for word in line.spoken)


@dataclass(frozen=True)
class SungPiece:
    """A produced sung piece: the score (sung melody added as a ``vocals`` part), files and facts."""

    score: Score
    files: ProductionFiles  # ``analysis`` holds the tempo and key read from the premaster
    vocal: SungVocal  # what was sung (its ``vocal`` audio dropped once in the stems)
    voice: Voice
    style: SingingStyle
    vocal_gain_db: float


def backing_score(score: Score) -> Score:
    """``score`` without its wordless vocal parts (the voice takes their place)."""
    return replace(score, parts=[p for p in score.parts if p.stem is not Stem.VOCALS])


def melody_part(notes: tuple[SungNote, ...], voice: Voice) -> Part:
    """The sung melody as a part (for the MIDI file and the instrument list; never rendered)."""
    return Part(
        name="sung vocal",
        stem=Stem.VOCALS,
        program=VOICE_PROGRAM,
        instrument=f"sung vocal ({voice.id})",
        notes=[Note(n.start, n.end - n.start, n.midi, 100) for n in notes],
    )


def sing_piece(
    score: Score,
    request: VocalRequest,
    *,
    sample_rate: int,
    soundfont: str | None,
    seed: int,
    folder: Path,
    progress: Progress,
) -> SungPiece:
    """Render ``score``'s backing, sing ``request`` over it, master the sum (see the module docstring)."""
    backing = backing_score(score)
    voice, style = request.voice(), request.style()
    stems, backing_lufs = render_stems(backing, sample_rate, soundfont, folder)
    progress(0.45)
    sung = sing_vocal(
        instrumental_from_score(backing),
        sample_rate,
        total_frames(backing, sample_rate),
        request.sections(),
        voice,
        style=style,
        seed=seed,
        work_dir=folder,
        progress=lambda fraction, _message: progress(0.45 + 0.3 * fraction),
    )
    gain_db = vocal_gain_db(
        reference_lufs(backing_lufs), sung.vocal, sample_rate, lift_db=style.vocal_lift_db
    )
    vocals = (sung.vocal * np.float32(10.0 ** (gain_db / 20.0))).astype(np.float32)
    stems, premaster = overdub(stems, vocals, sample_rate, folder)
    files = master(backing, stems, premaster, sample_rate, folder)
    progress(0.8)
    sung_score = replace(backing, parts=[*backing.parts, melody_part(sung.notes, voice)])
    sung = replace(sung, vocal=np.zeros((0, 2), dtype=np.float32))  # the audio lives in the stems now
    return SungPiece(sung_score, files, sung, voice, style, gain_db)


def vocal_metadata(piece: SungPiece, request: VocalRequest) -> dict[str, Any]:
    """What the job's metadata says about the singing: voice, lines, word timings, melody, style."""
    sung = piece.vocal
    return {
        "lyrics": request.lyrics,
        "voice_id": piece.voice.id,
        "gender": piece.voice.gender,
        "lines": [
            {
                "text": p.line.text,
                "section": p.kind,
                "start": round(_bar_start(piece, p.start_bar), 3),
                "end": round(_bar_start(piece, p.start_bar + p.bar_count), 3),
            }
            for p in sung.lines
        ],
        "word_timings": [w.as_dict() for w in sung.words],
        "melody": [
            {
                "start": round(n.start, 3),
                "end": round(n.end, 3),
                "midi": n.midi,
                "note": n.name,
                "line": n.line,
                "word": n.word,
            }
            for n in sung.notes
        ],
        "singing_style": piece.style.as_dict(),
        "vocal_gain_db": round(piece.vocal_gain_db, 2),
        "warnings": list(sung.warnings),
    }


def _bar_start(piece: SungPiece, bar: int) -> float:
    return min(bar * piece.score.bar_seconds, piece.score.duration)
