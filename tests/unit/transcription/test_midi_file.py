"""The MIDI file: header events, exact ticks on the grid, pitch bends per channel, clean note pairs."""

from __future__ import annotations

from pathlib import Path

import mido
import pretty_midi
import pytest

from mixdown.engines.transcription import Grid, Key, Note, write_midi
from mixdown.engines.transcription.midi_file import TICKS_PER_BEAT, bend_value


def absolute(path: Path) -> list[tuple[int, mido.Message]]:
    midi = mido.MidiFile(path)
    assert midi.type == 0 and len(midi.tracks) == 1 and midi.ticks_per_beat == TICKS_PER_BEAT
    out, now = [], 0
    for message in midi.tracks[0]:
        now += message.time
        out.append((now, message))
    return out


def test_header_holds_tempo_meter_and_key(tmp_path: Path) -> None:
    path = write_midi(
        [Note(0.0, 0.5, 60, 0.5)],
        tmp_path / "a.mid",
        grid=Grid(bpm=97.5, origin=0.0, beats_per_bar=3),
        key=Key(3, "minor", 0.1),
    )
    metas = {m.type: m for _, m in absolute(path) if m.is_meta}
    assert mido.tempo2bpm(metas["set_tempo"].tempo) == pytest.approx(97.5, abs=1e-3)
    assert (metas["time_signature"].numerator, metas["time_signature"].denominator) == (3, 4)
    assert metas["key_signature"].key == "Ebm"
    loaded = pretty_midi.PrettyMIDI(str(path))
    assert loaded.get_tempo_changes()[1][0] == pytest.approx(97.5, abs=1e-3)
    assert loaded.key_signature_changes[0].key_number == pretty_midi.key_name_to_key_number("Eb minor")


def test_ticks_count_from_bar_one_and_land_exactly_on_the_grid(tmp_path: Path) -> None:
    grid = Grid(bpm=90.0, origin=-0.25)
    sixteenth = grid.period / 4
    notes = [Note(grid.time_of(k / 4), grid.time_of(k / 4) + sixteenth, 60 + k, 0.5) for k in (1, 2, 7)]
    ons = [
        (t, m.note)
        for t, m in absolute(write_midi(notes, tmp_path / "g.mid", grid=grid))
        if m.type == "note_on"
    ]
    assert ons == [(120, 61), (240, 62), (840, 67)]


def test_note_on_and_off_pair_up_even_when_a_key_is_struck_again(tmp_path: Path) -> None:
    grid = Grid(bpm=120.0, origin=0.0)
    notes = [Note(0.0, 0.5, 60, 0.5), Note(0.5, 1.0, 60, 0.9)]
    events = [
        (t, m.type, m.note)
        for t, m in absolute(write_midi(notes, tmp_path / "r.mid", grid=grid))
        if m.type.startswith("note")
    ]
    assert events == [(0, "note_on", 60), (480, "note_off", 60), (480, "note_on", 60), (960, "note_off", 60)]


def test_bends_only_on_notes_alone_unless_multiple_pitch_bends(tmp_path: Path) -> None:
    grid = Grid(bpm=120.0, origin=0.0)
    bent = (0.0, 1 / 3, 2 / 3, 1.0)
    notes = [Note(0.0, 1.0, 60, 0.5, bent), Note(0.5, 1.5, 67, 0.5, bent), Note(2.0, 3.0, 72, 0.5, bent)]
    single = absolute(write_midi(notes, tmp_path / "one.mid", grid=grid))
    wheels = [(t, m.channel, m.pitch) for t, m in single if m.type == "pitchwheel"]
    # only the last note (alone) keeps its bends, and the wheel returns to centre when it ends
    assert [w[0] for w in wheels] == [1920, 2160, 2400, 2640, 2880]
    assert wheels[-1][2] == 0 and wheels[-2][2] == bend_value(1.0)
    spread = absolute(write_midi(notes, tmp_path / "many.mid", grid=grid, multiple_pitch_bends=True))
    channels = {m.note: m.channel for _, m in spread if m.type == "note_on"}
    assert channels[60] != channels[67] and 9 not in channels.values()
    bent_channels = {m.channel for _, m in spread if m.type == "pitchwheel"}
    assert {channels[60], channels[67]} <= bent_channels
    programs = {m.channel for _, m in spread if m.type == "program_change"}
    assert set(channels.values()) <= programs


def test_bend_values_clip_to_the_wheel_range() -> None:
    assert (bend_value(2.0), bend_value(-2.0), bend_value(0.5)) == (8191, -8192, 2048)
