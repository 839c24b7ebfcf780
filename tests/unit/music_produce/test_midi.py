"""MIDI export round-trips through mido and pretty_midi."""

from __future__ import annotations

from pathlib import Path

import mido
import pretty_midi
import pytest

from mixdown.engines.music.midi import channels_for, key_signature, score_to_midi
from mixdown.engines.music.score import ControlPoint, Note, Part, Score, Stem
from tests.unit.music_produce.scores import make_score


@pytest.fixture
def score() -> Score:
    piece = make_score(duration=4.0, bpm=96.0)
    piece.meter = (3, 4)
    piece.part("keys").controls = [ControlPoint(0.0, 64, 127), ControlPoint(2.0, 64, 0)]
    return piece


def test_mido_reads_tempo_meter_key_and_tracks(score: Score, tmp_path: Path) -> None:
    midi = mido.MidiFile(score_to_midi(score, tmp_path / "song.mid"))
    assert midi.type == 1
    assert len(midi.tracks) == 1 + len(score.parts)
    meta = {m.type: m for m in midi.tracks[0] if m.is_meta}
    assert mido.tempo2bpm(meta["set_tempo"].tempo) == pytest.approx(96.0)
    assert (meta["time_signature"].numerator, meta["time_signature"].denominator) == (3, 4)
    assert meta["key_signature"].key == "Am"
    assert [m.text for m in midi.tracks[0] if m.type == "marker"] == ["verse", "chorus"]
    names = [next(m.name for m in track if m.type == "track_name") for track in midi.tracks[1:]]
    assert names == [p.name for p in score.parts]
    keys = midi.tracks[1 + [p.name for p in score.parts].index("keys")]
    sustain = [m.value for m in keys if m.type == "control_change" and m.control == 64]
    assert sustain == [127, 0]


def test_pretty_midi_sees_the_notes_programs_and_drums(score: Score, tmp_path: Path) -> None:
    midi = pretty_midi.PrettyMIDI(str(score_to_midi(score, tmp_path / "song.mid")))
    assert midi.get_tempo_changes()[1][0] == pytest.approx(96.0)
    by_name = {inst.name: inst for inst in midi.instruments}
    for part in score.parts:
        instrument = by_name[part.name]
        assert len(instrument.notes) == len(part.notes)
        assert instrument.is_drum == part.is_drum
        if not part.is_drum:
            assert instrument.program == part.program
    first = sorted(by_name["bass"].notes, key=lambda n: n.start)[0]
    original = sorted(score.part("bass").notes, key=lambda n: n.start)[0]
    assert first.start == pytest.approx(original.start, abs=1e-3)
    assert first.end == pytest.approx(original.end, abs=2e-3)
    assert (first.pitch, first.velocity) == (original.pitch, original.velocity)


def test_drums_go_to_channel_ten_and_others_avoid_it() -> None:
    parts = [Part(name=f"p{i}", stem=Stem.CHORDS, program=i) for i in range(10)]
    parts.insert(3, Part(name="kit", stem=Stem.DRUMS, program=0, is_drum=True))
    channels = channels_for(parts)
    assert channels[3] == 9
    assert 9 not in channels[:3] + channels[4:]
    assert len(set(channels)) == len(channels)


def test_restruck_note_is_not_cut_by_the_earlier_one(tmp_path: Path) -> None:
    # Two overlapping notes of one pitch: the first ends where the second starts.
    part = Part(
        name="lead", stem=Stem.MELODY, program=80, notes=[Note(0.0, 1.0, 60, 90), Note(0.5, 1.0, 60, 90)]
    )
    piece = make_score(duration=2.0, parts=[part])
    midi = pretty_midi.PrettyMIDI(str(score_to_midi(piece, tmp_path / "x.mid")))
    notes = sorted(midi.instruments[0].notes, key=lambda n: n.start)
    assert [(round(n.start, 3), round(n.end, 3)) for n in notes] == [(0.0, 0.5), (0.5, 1.5)]


@pytest.mark.parametrize(
    ("tonic", "mode", "expected"),
    [(0, "major", "C"), (9, "minor", "Am"), (2, "dorian", "Am"), (4, "phrygian", "Am"), (5, "lydian", "C"),
     (7, "mixolydian", "C"), (6, "major", "F#"), (0, "minor", "Cm"), (10, "harmonic minor", "Bbm")],
)  # fmt: skip
def test_key_signature_names(tonic: int, mode: str, expected: str) -> None:
    assert key_signature(tonic, mode) == expected
