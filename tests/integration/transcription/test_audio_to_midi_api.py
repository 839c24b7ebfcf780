"""POST /v1/audio-to-midi over real HTTP: upload rendered piano, poll, download MIDI and notes; refusals."""

from __future__ import annotations

import base64
import io

import mido
import pytest

from tests.harness import wait_for_job
from tests.integration.conftest import Stack
from tests.piano_audio import passage

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


def test_upload_quantized_gives_a_midi_file_and_notes_on_the_beat(stack: Stack) -> None:
    piece = passage(100.0, lead=0.4)
    response = stack.client.post(
        "/v1/audio-to-midi",
        data={"quantize": "true", "quantize_grid": "1/16"},
        files={"audio_file": ("piano.wav", piece.wav_bytes(), "audio/wav")},
    )
    assert response.status_code == 202, response.text
    job = wait_for_job(stack.client, response.json()["job_id"], timeout=120)
    assert job["status"] == "complete", job["error"]
    meta = job["metadata"]
    assert meta["tempo"] == pytest.approx(100.0, rel=0.01) and meta["key"] == "C major"
    assert meta["time_signature"] == "4/4" and meta["quantized"] is True
    by_kind = {r["kind"]: r for r in job["results"]}
    assert (by_kind["midi"]["format"], by_kind["notes"]["format"]) == ("mid", "json")

    midi_response = stack.client.get(by_kind["midi"]["url"])
    assert midi_response.headers["content-type"] == "audio/midi"
    midi = mido.MidiFile(file=io.BytesIO(midi_response.content))
    track = midi.tracks[0]
    tempo = next(m for m in track if m.type == "set_tempo")
    assert mido.tempo2bpm(tempo.tempo) == pytest.approx(meta["tempo"], abs=0.01)
    assert next(m for m in track if m.type == "key_signature").key == "C"
    ticks, on = 0, []
    for message in track:
        ticks += message.time
        if message.type == "note_on":
            on.append((ticks, message.note))
    sixteenth = midi.ticks_per_beat // 4
    assert on and all(t % sixteenth == 0 for t, _ in on)

    notes = stack.client.get(by_kind["notes"]["url"]).json()["notes"]
    assert len(notes) == len(on) == meta["note_count"]
    # bar 1 starts at -2.0 s (the music starts on a downbeat at 0.4 s, bars last 2.4 s at 100 bpm)
    played = {(round((n.start + 2.0) / 0.6, 3), n.pitch) for n in piece.notes}
    heard = {(round(n["beat"], 3), n["pitch"]) for n in notes}
    assert len(played & heard) >= 0.8 * len(played)


def test_base64_with_thresholds_and_plain_timing(stack: Stack) -> None:
    piece = passage(120.0)
    body = {
        "input_audio": base64.b64encode(piece.wav_bytes()).decode(),
        "onset_threshold": 0.5,
        "frame_threshold": 0.3,
        "min_note_ms": 60,
        "max_freq": 1000,
        "multiple_pitch_bends": True,
    }
    response = stack.client.post("/v1/audio-to-midi", json=body)
    assert response.status_code == 202, response.text
    job = wait_for_job(stack.client, response.json()["job_id"], timeout=120)
    assert job["status"] == "complete", job["error"]
    notes_result = next(r for r in job["results"] if r["kind"] == "notes")
    notes = stack.client.get(notes_result["url"]).json()["notes"]
    assert notes and max(n["pitch"] for n in notes) <= 84  # 1 kHz is just under C6
    assert "beat" not in notes[0]
    melody_onsets = [n.start for n in piece.notes if n.pitch >= 72]
    found = [n["onset"] for n in notes if n["pitch"] >= 72]
    assert sum(any(abs(f - m) < 0.05 for f in found) for m in melody_onsets) >= 0.85 * len(melody_onsets)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"onset_threshold": 2}, "onset_threshold"),
        ({"min_freq": 800, "max_freq": 400}, "max_freq"),
        ({"quantize_grid": "1/5"}, "quantize_grid"),
        ({"min_note_ms": -1}, "min_note_ms"),
    ],
)
def test_bad_params_are_422_naming_the_field(stack: Stack, fields: dict[str, object], field: str) -> None:
    audio = base64.b64encode(passage(120.0).wav_bytes()).decode()
    response = stack.client.post("/v1/audio-to-midi", json={"input_audio": audio, **fields})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


def test_garbage_audio_is_400_and_the_task_is_listed(stack: Stack) -> None:
    garbage = base64.b64encode(b"certainly not audio" * 50).decode()
    response = stack.client.post("/v1/audio-to-midi", json={"input_audio": garbage})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "audio_decode_error"
    listed = {t["name"]: t for t in stack.client.get("/v1/tasks").json()["tasks"]}["audio-to-midi"]
    assert listed["available"] and listed["endpoint"] == "/v1/audio-to-midi"
    assert {"onset_threshold", "quantize", "quantize_grid"} <= set(listed["parameters"]["properties"])
