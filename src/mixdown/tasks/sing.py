"""The ``sing`` task (``POST /v1/sing``): lyrics sung over an instrumental.

The instrumental's tempo, bars, key, chords and sections are analysed; the lyric lines
(``[Verse]`` / ``[Chorus]`` tags) are placed on its sections; a melody with one note per syllable
(CMU dictionary) is composed on its chords; a Festival voice speaks each line and WORLD re-times
and re-pitches it onto the notes; the vocal is processed and mixed. Results: the song
(``kind="audio"``), the vocal stem (``kind="stem"``, ``stem="vocals"``) and the melody as MIDI;
word timings, the melody and the analysis are in the job's metadata. Method and measured
accuracy: docs/sing.md.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import replace
from typing import Any, Literal

import numpy as np
from pydantic import Field, field_validator

from mixdown.audio.codec import decode, encode
from mixdown.audio.formats import get_format
from mixdown.audio.pcm import DecodedAudio, as_frames, to_float32
from mixdown.engines.singing.lyrics import LyricSection, parse_lyrics
from mixdown.engines.singing.midi import melody_to_midi
from mixdown.engines.singing.pipeline import SungSong, sing
from mixdown.engines.singing.style import SingingStyle, read_style
from mixdown.engines.singing.voices import availability, choose_voice, singing_voices
from mixdown.engines.tts.voices import Voice
from mixdown.errors import ValidationFailed
from mixdown.jobs.cost import CostBasis, CostRule
from mixdown.jobs.states import TaskCategory
from mixdown.tasks.base import TaskContext, TaskInputs, TaskSpec, seeded_cacheable
from mixdown.tasks.convert import KeepFormatParams, conform_or_fail

MAX_LYRICS_CHARS = 5000
MIN_SECONDS, MAX_SECONDS = 4.0, 600.0
# Measured on 2 busy cores (bench/bench_sing.py): ~0.2-0.45 s per second of instrumental
# (analysis ~0.1, WORLD ~0.2 per sung second); this errs high.
_SECONDS_PER_AUDIO_SECOND = 0.5
_OVERHEAD_SECONDS = 2.0


class SingParams(KeepFormatParams):
    """Parameters of ``sing``."""

    lyrics: str = Field(
        min_length=1,
        max_length=MAX_LYRICS_CHARS,
        description="The words to sing, one lyric line per line; [Verse], [Chorus], [Bridge] ... tags "
        "start sections (choruses go on the louder parts); [Instrumental] leaves 4 bars free",
    )
    prompt: str = Field(
        default="",
        max_length=1000,
        description="How to sing, in words: high/low, ballad/slow (longer notes), fast, dry, reverb, "
        "vibrato/straight, loud/quiet vocals, male/female",
    )
    gender: Literal["female", "male"] | None = Field(default=None, description="female or male voice")
    voice_id: str | None = Field(
        default=None, max_length=100, description="A singing voice id (a Festival voice from GET /v1/voices)"
    )
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1, description="Melody seed; random when absent")
    vocal_level_db: float | None = Field(
        default=None,
        ge=-12,
        le=12,
        allow_inf_nan=False,
        description="Vocal loudness above the instrumental's in dB (default 3, or from the prompt)",
    )
    midi: bool = Field(default=True, description="Also deliver the sung melody as a MIDI file")

    @field_validator("lyrics")
    @classmethod
    def _has_words(cls, value: str) -> str:
        try:
            parse_lyrics(value)
        except ValidationFailed as exc:
            raise ValueError(exc.message.removeprefix("lyrics: ")) from None
        return value

    def check_inputs(self, inputs: TaskInputs) -> None:
        """Refuse a voice that cannot sing and an instrumental too short or too long (422)."""
        super().check_inputs(inputs)
        self.voice()
        seconds = inputs.main.duration
        if not MIN_SECONDS <= seconds <= MAX_SECONDS:
            raise ValidationFailed(
                f"input_audio: the instrumental lasts {seconds:.1f} s; singing needs "
                f"{MIN_SECONDS:g} to {MAX_SECONDS:g} s",
                field="input_audio",
            )

    def style(self) -> SingingStyle:
        """The prompt's style, with ``vocal_level_db`` when given."""
        style = read_style(self.prompt)
        return style if self.vocal_level_db is None else replace(style, vocal_lift_db=self.vocal_level_db)

    def voice(self) -> Voice:
        """The voice: ``voice_id``, else the best singing voice of ``gender`` (or the prompt's)."""
        return choose_voice(voice_id=self.voice_id, gender=self.gender or self.style().gender)

    def sections(self) -> list[LyricSection]:
        """The parsed lyrics."""
        return parse_lyrics(self.lyrics)


def run(inputs: TaskInputs, params: SingParams, ctx: TaskContext) -> None:
    """Decode the instrumental, sing the lyrics over it, store song, vocal stem and MIDI."""
    started = time.perf_counter()
    ctx.progress(0.01, "decoding")
    source = decode(inputs.main.path)
    frames = to_float32(as_frames(source.samples))
    voice, style = params.voice(), params.style()
    seed = params.seed if params.seed is not None else secrets.randbelow(2**31)
    song = sing(
        frames,
        source.sample_rate,
        params.sections(),
        voice,
        style=style,
        seed=seed,
        work_dir=ctx.work_dir,
        progress=lambda fraction, message: ctx.progress(0.02 + 0.9 * fraction, message),
    )
    ctx.progress(0.93, "encoding")
    fmt = params.format_for(inputs.main)
    _store(ctx, song.mixed.song, song.sample_rate, fmt, name="song", kind="audio")
    _store(ctx, song.mixed.vocals, song.sample_rate, fmt, name="vocals", kind="stem", stem="vocals")
    if params.midi:
        path = melody_to_midi(
            song.notes,
            song.lines,
            song.instrumental.bpm,
            song.instrumental.beats_per_bar,
            ctx.work_dir / "melody.mid",
        )
        ctx.add_result(path, kind="midi", format="mid", notes=len(song.notes))
    elapsed = time.perf_counter() - started
    ctx.set_metadata(**_metadata(song, voice, style, seed), inference_time=round(elapsed, 3))
    ctx.progress(1.0, "done")


def _store(
    ctx: TaskContext, samples: np.ndarray, rate: int, fmt: Any, *, name: str, kind: str, **meta: Any
) -> None:
    """Encode ``(frames, 2)`` float audio in the output format and add it as a result."""
    spec = get_format(fmt)
    depth: Literal[24] | None = 24 if spec.lossless else None
    audio = conform_or_fail(
        DecodedAudio(samples=samples, sample_rate=rate), format=spec.name, bit_depth=depth
    )
    path = ctx.work_dir / f"{name}.{spec.extension}"
    encode(audio.samples, audio.sample_rate, path, format=spec.name, bit_depth=depth)
    extra: dict[str, Any] = {"bit_depth": 24} if spec.lossless else {"bitrate": spec.default_bitrate}
    ctx.add_result(
        path,
        kind=kind,
        format=spec.name,
        duration=round(audio.duration, 3),
        sample_rate=audio.sample_rate,
        channels=audio.channels,
        **extra,
        **meta,
    )


def _metadata(song: SungSong, voice: Voice, style: SingingStyle, seed: int) -> dict[str, Any]:
    found = song.instrumental
    bars = found.bars
    return {
        "engine": "festival+world",
        "voice_id": voice.id,
        "gender": voice.gender,
        "seed": seed,
        "bpm": round(found.bpm, 2),
        "key": found.key_name,
        "time_signature": f"{found.beats_per_bar}/4",
        "duration": round(found.duration, 3),
        "chords": [c.to_dict() for c in found.chords],
        "sections": [
            {
                "start": round(bars[s.start_bar].start, 3),
                "end": round(bars[s.end_bar - 1].end, 3),
                "bars": s.bar_count,
                "loudness_db": s.loudness_db,
            }
            for s in found.sections
        ],
        "lines": [
            {
                "text": p.line.text,
                "section": p.kind,
                "start": round(bars[p.start_bar].start, 3),
                "end": round(bars[p.start_bar + p.bar_count - 1].end, 3),
            }
            for p in song.lines
        ],
        "word_timings": [w.as_dict() for w in song.words],
        "melody": [
            {
                "start": round(n.start, 3),
                "end": round(n.end, 3),
                "midi": n.midi,
                "note": n.name,
                "line": n.line,
                "word": n.word,
            }
            for n in song.notes
        ],
        "style": style.as_dict(),
        "vocal_gain_db": round(song.mixed.vocal_gain_db, 2),
        "loudness_lufs": round(song.mixed.loudness_lufs, 2),
        "warnings": list(song.warnings),
    }


def estimate_seconds(_params: Any, inputs: TaskInputs) -> float:
    """Rough compute time: a fixed overhead plus a share of the instrumental's length."""
    return _OVERHEAD_SECONDS + _SECONDS_PER_AUDIO_SECOND * inputs.seconds()


def warm_up() -> None:
    """Load the CMU dictionary and essentia, and start Festival with the default singing voice."""
    from mixdown.engines.keybpm import warm_up as warm_keybpm
    from mixdown.engines.singing.render import pyworld
    from mixdown.engines.singing.syllables import dictionary
    from mixdown.engines.tts.festival import festival_pool

    dictionary()
    warm_keybpm()
    pyworld()
    voices = singing_voices()
    if voices:
        festival_pool().process(voices[0].engine_voice)


TASK = TaskSpec(
    name="sing",
    summary="Sing over an instrumental: lyrics with [Verse]/[Chorus] tags sung on a melody composed "
    "on the track's chords and sections; song, vocal stem, MIDI and word timings.",
    params_model=SingParams,
    run=run,
    cost_rule=CostRule(per_second=0.03, minimum=0.3, basis=CostBasis.INPUT),
    category=TaskCategory.GENERATION,
    takes_audio=True,
    queue="music",
    engine="festival+world",
    estimate_seconds=estimate_seconds,
    availability=availability,
    warm_up=warm_up,
    cacheable=seeded_cacheable,
)
