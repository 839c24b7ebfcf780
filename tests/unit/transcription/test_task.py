"""The audio-to-midi task and pipeline on rendered piano: notes, tempo, key, quantizing, files, params."""

from __future__ import annotations

import json
from pathlib import Path

import mido
import numpy as np
import pretty_midi
import pytest
import soundfile as sf
from pydantic import ValidationError

from mixdown.engines.transcription import TranscribeOptions, transcribe
from mixdown.engines.transcription.note_creation import DecodeOptions
from mixdown.errors import JobCancelled
from mixdown.tasks.audio_to_midi import TASK, AudioToMidiParams
from mixdown.tasks.registry import load_builtin_registry
from mixdown.tasks.testing import MemoryTaskContext, inputs_from_file
from tests.piano_audio import RATE, passage

pytestmark = pytest.mark.usefixtures("network")


def matched_share(reference: tuple, estimate: list, *, window: float = 0.05) -> float:
    """Share of reference notes with an estimate of the same pitch starting within ``window``."""
    hits = sum(
        any(e.pitch == r.pitch and abs(e.start - r.start) < window for e in estimate) for r in reference
    )
    return hits / len(reference)


def test_rendered_piano_is_transcribed_with_tempo_meter_and_key() -> None:
    piece = passage(120.0)
    result = transcribe(piece.audio, RATE)
    assert matched_share(piece.notes, result.notes) >= 0.85  # recall
    assert len(result.notes) <= 1.4 * len(piece.notes)  # and not buried in spurious notes
    assert result.grid.bpm == pytest.approx(120.0, rel=0.01)
    assert result.grid.beats_per_bar == 4 and abs(result.grid.origin) < 0.03
    assert result.key is not None and result.key.name == "C major"
    summary = result.summary()
    assert summary["note_count"] == len(result.notes) and summary["key"] == "C major"
    assert summary["tempo"] == pytest.approx(120.0, rel=0.01) and summary["max_polyphony"] >= 4


def test_default_thresholds_beat_basic_pitchs_own_on_short_notes() -> None:
    piece = passage(132.0)  # eighth notes of 205 ms, sounding 185 ms
    tuned = transcribe(piece.audio, RATE)
    stock = transcribe(piece.audio, RATE, TranscribeOptions(decode=DecodeOptions()))
    assert matched_share(piece.notes, tuned.notes) > matched_share(piece.notes, stock.notes)


@pytest.mark.parametrize(("bpm", "lead"), [(100.0, 0.4), (132.0, 0.0)])
def test_quantized_notes_sit_on_the_bars_and_beats_they_were_played_on(bpm: float, lead: float) -> None:
    piece = passage(bpm, lead=lead)
    result = transcribe(piece.audio, RATE, TranscribeOptions(quantize=True))
    grid = result.grid
    assert grid.bpm == pytest.approx(bpm, rel=0.01) and grid.beats_per_bar == 4
    bar = 4 * 60.0 / bpm
    truth_origin = lead - bar * np.ceil(lead / bar - 0.05)  # bar 1 at or before 0 s
    step = grid.period / 4
    right = 0
    for ref in piece.notes:
        true_beat = (ref.start - truth_origin) / (60.0 / bpm)
        found = [e for e in result.notes if e.pitch == ref.pitch and abs(e.start - ref.start) < 0.075]
        right += any(abs(grid.beat_at(e.start) - true_beat) < 1e-6 for e in found)
    assert right / len(piece.notes) >= 0.8
    for note in result.notes:
        assert (note.end - note.start) >= step - 1e-9
        assert grid.beat_at(note.start) * 4 == pytest.approx(round(grid.beat_at(note.start) * 4), abs=1e-6)


def make_inputs(tmp_path: Path, *, rate: int = RATE, stereo: bool = False) -> object:
    audio = passage(120.0).audio
    if stereo:
        audio = np.stack([audio, 0.8 * audio], axis=1)
    path = tmp_path / "piano.wav"
    sf.write(path, audio, rate, subtype="PCM_16")
    return inputs_from_file(path)


def test_task_stores_a_midi_file_and_a_note_list(tmp_path: Path) -> None:
    ctx = MemoryTaskContext(work_dir=tmp_path)
    params = AudioToMidiParams(quantize=True)
    TASK.run(make_inputs(tmp_path, stereo=True), params, ctx)
    midi_result, notes_result = ctx.results
    assert (midi_result["kind"], midi_result["format"]) == ("midi", "mid")
    assert (notes_result["kind"], notes_result["format"]) == ("notes", "json")
    body = json.loads(notes_result["data"])
    notes = body["notes"]
    assert body["tempo"] == pytest.approx(120.0, rel=0.01) and body["key"] == "C major"
    assert body["quantized"] is True and body["quantize_grid"] == "1/16"
    assert set(notes[0]) == {"onset", "offset", "pitch", "name", "velocity", "pitch_bends", "beat", "beats"}
    assert all(n["offset"] > n["onset"] and 1 <= n["velocity"] <= 127 for n in notes)
    midi_path = tmp_path / "check.mid"
    midi_path.write_bytes(midi_result["data"])
    loaded = pretty_midi.PrettyMIDI(str(midi_path))
    assert len(loaded.instruments) == 1 and len(loaded.instruments[0].notes) == len(notes)
    types = [m.type for m in mido.MidiFile(midi_path).tracks[0]]
    assert {"set_tempo", "key_signature", "time_signature"} <= set(types)
    # the file's notes are the list's notes: same pitches at the same beats
    from_file = sorted(
        (round(n.start * loaded.get_tempo_changes()[1][0] / 60, 3), n.pitch)
        for n in loaded.instruments[0].notes
    )
    from_list = sorted((round(n["beat"], 3), n["pitch"]) for n in notes)
    assert from_file == from_list
    meta = ctx.metadata
    assert meta["engine"] == "basic-pitch" and meta["note_count"] == len(notes)
    assert meta["time_signature"] == "4/4" and meta["duration"] == pytest.approx(
        len(passage(120.0).audio) / RATE, abs=0.001
    )
    assert ctx.fractions == sorted(ctx.fractions) and ctx.progress_calls[-1] == (1.0, "done")


def test_band_limits_and_no_bends_reach_the_engine(tmp_path: Path) -> None:
    ctx = MemoryTaskContext(work_dir=tmp_path)
    params = AudioToMidiParams(min_freq=400.0, max_freq=2000.0, pitch_bends=False)
    TASK.run(make_inputs(tmp_path), params, ctx)
    notes = json.loads(ctx.results[1]["data"])["notes"]
    pitches = [n["pitch"] for n in notes]
    assert pitches and min(pitches) >= 67 and max(pitches) <= 96  # 400 Hz is G4 - a quarter tone
    assert all(n["pitch_bends"] == [] for n in notes)
    midi_path = tmp_path / "plain.mid"
    midi_path.write_bytes(ctx.results[0]["data"])
    assert not any(m.type == "pitchwheel" for m in mido.MidiFile(midi_path).tracks[0])


def test_a_cancelled_job_stops(tmp_path: Path) -> None:
    ctx = MemoryTaskContext(work_dir=tmp_path)
    ctx.cancel()
    with pytest.raises(JobCancelled):
        TASK.run(make_inputs(tmp_path), AudioToMidiParams(), ctx)
    assert ctx.results == []


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"onset_threshold": 1.5}, "onset_threshold"),
        ({"frame_threshold": 0.0}, "frame_threshold"),
        ({"min_note_ms": 5}, "min_note_ms"),
        ({"min_freq": 10}, "min_freq"),
        ({"min_freq": 500, "max_freq": 400}, "max_freq"),
        ({"quantize_grid": "1/5"}, "quantize_grid"),
        ({"quantise": True}, "quantise"),
    ],
)
def test_bad_params_name_their_field(raw: dict, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TASK.parse_params(raw)
    assert caught.value.errors()[0]["loc"][0] == field


def test_registered_available_and_priced() -> None:
    spec = load_builtin_registry().get("audio-to-midi")
    assert spec is TASK and spec.availability().available
    inputs = inputs_from_file_of_seconds(60.0)
    assert spec.credits(AudioToMidiParams(), inputs) == pytest.approx(0.6)
    assert spec.estimate_seconds(AudioToMidiParams(), inputs) < 10.0


def inputs_from_file_of_seconds(seconds: float) -> object:
    from mixdown.tasks.base import InputAudio, TaskInputs

    audio = InputAudio(
        path=Path("x.wav"),
        filename="x.wav",
        format="wav",
        duration=seconds,
        sample_rate=RATE,
        channels=1,
        size_bytes=1,
    )
    return TaskInputs(audio={"audio": audio})


@pytest.mark.parametrize("samples", [0, 300, 22050, 3 * 22050])
def test_silence_and_tiny_inputs_give_no_notes_and_a_default_grid(samples: int) -> None:
    result = transcribe(np.zeros(samples, dtype=np.float32), 22050, TranscribeOptions(quantize=True))
    assert result.notes == [] and result.key is None
    summary = result.summary()
    assert summary["tempo"] == 120.0 and summary["tempo_detected"] is False and summary["note_count"] == 0
