"""Small hand-built Scores for the producer tests."""

from __future__ import annotations

from mixdown.engines.music.score import MixSettings, Note, Part, PartMix, Score, Section, Stem


def make_score(
    *,
    duration: float = 4.0,
    bpm: float = 120.0,
    parts: list[Part] | None = None,
    sidechain: float = 0.0,
) -> Score:
    """A short piece: four-on-the-floor drums, bass, keys, lead and pad (or the given parts)."""
    beat = 60.0 / bpm
    beats = int((duration - 0.5) / beat)
    if parts is None:
        parts = [
            Part(name="drums", stem=Stem.DRUMS, program=0, bank=128, is_drum=True,
                 notes=[Note(i * beat, 0.1, 36 if i % 2 == 0 else 38, 110) for i in range(beats)]
                 + [Note(i * beat + beat / 2, 0.05, 42, 80) for i in range(beats)]),
            Part(name="bass", stem=Stem.BASS, program=33,
                 notes=[Note(i * beat, beat * 0.9, 33 + (i // 4) % 2 * 5, 100) for i in range(beats)]),
            Part(name="keys", stem=Stem.CHORDS, program=0, mix=PartMix(pan=-0.3, reverb_send=0.3),
                 notes=[Note(b * 4 * beat, 3.5 * beat, p, 80)
                        for b in range(beats // 4) for p in (57, 60, 64)]),
            Part(name="lead", stem=Stem.MELODY, program=80, mix=PartMix(delay_send=0.3, gain_db=-3.0),
                 notes=[Note(i * beat, beat * 0.8, (69, 72, 76, 74)[i % 4], 90) for i in range(beats)]),
            Part(name="pad", stem=Stem.PADS, program=89, mix=PartMix(width=0.9, sidechain=sidechain),
                 notes=[Note(0.0, duration - 0.8, p, 70) for p in (45, 52, 57)]),
        ]  # fmt: skip
    half = duration / 2
    sections = [
        Section(name="verse", start_bar=0, bars=1, start=0.0, end=half, energy=0.5),
        Section(name="chorus", start_bar=1, bars=1, start=half, end=duration, energy=0.8),
    ]
    return Score(bpm=bpm, meter=(4, 4), key_tonic=9, mode="minor", duration=duration, sections=sections,
                 chords=[], parts=parts, mix=MixSettings())  # fmt: skip


def one_part(program: int, pitches: tuple[int, ...] = (60, 64, 67), *, duration: float = 2.0) -> Score:
    """A single melodic part playing a chord for most of ``duration``."""
    part = Part(name="solo", stem=Stem.CHORDS, program=program, mix=PartMix(reverb_send=0.0),
                notes=[Note(0.0, duration - 0.5, p, 100) for p in pitches])  # fmt: skip
    return make_score(duration=duration, parts=[part])
