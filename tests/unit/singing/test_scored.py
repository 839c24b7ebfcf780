"""Singing over a piece the music engine composed, from its Score (the text-to-music path)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from mixdown.engines.music.theory import Scale
from mixdown.engines.singing.lyrics import parse_lyrics
from mixdown.engines.singing.pipeline import sing_over
from mixdown.engines.singing.scored import instrumental_from_score
from mixdown.engines.singing.style import read_style
from mixdown.engines.singing.voices import choose_voice
from tests.singing_audio import backing, chord_quality, note_errors, share_within
from tests.speech_check import require


def test_the_score_gives_exact_bars_chords_sections_and_mode() -> None:
    score = backing("rock", 24.0, 3, 4).score
    song = instrumental_from_score(score)
    assert len(song.bars) == score.metadata["bars"] and song.beats_per_bar == 4
    assert np.allclose([b.start for b in song.bars], np.arange(len(song.bars)) * score.bar_seconds)
    assert [(c.root, c.quality) for c in song.chords] == [
        (c.root, chord_quality(c.pitches, c.root)) for c in score.chords
    ]
    assert [s.start_bar for s in song.sections] == [s.start_bar for s in score.sections]
    loudest = max(song.sections, key=lambda s: s.loudness_db)
    assert loudest.start_bar == max(score.sections, key=lambda s: s.energy).start_bar
    assert song.scale_classes() == Scale.of(score.key_tonic, score.mode).pcs
    dorian = instrumental_from_score(replace(score, mode="dorian", key_tonic=2))
    assert dorian.scale == "minor" and dorian.scale_classes() == frozenset({2, 4, 5, 7, 9, 11, 0})


def test_singing_over_a_composed_piece_keeps_to_its_chords(tmp_path: Path) -> None:
    require("festival")
    track = backing("pop", 12.0, 3, 9)
    song = instrumental_from_score(track.score)
    lyrics = parse_lyrics("[Verse]\nHold me close tonight\n[Chorus]\nNever let me go")
    voice = choose_voice(voice_id=None, gender="male")
    sung = sing_over(
        song, track.audio, track.rate, lyrics, voice, style=read_style(""), seed=4, work_dir=tmp_path
    )
    notes = [{"start": n.start, "end": n.end, "midi": n.midi} for n in sung.notes]
    for note in sung.notes:
        chord = song.chord_at(note.start + 0.01)
        assert note.midi % 12 in (set(chord) if note.strong else set(chord) | song.scale_classes())
    assert share_within(note_errors(sung.mixed.vocals, track.rate, notes)) >= 0.9
    assert sung.mixed.song.shape == track.audio.shape
