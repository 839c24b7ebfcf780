"""The ``audio-to-midi`` task (``POST /v1/audio-to-midi``): polyphonic transcription with basic-pitch.

Results: the MIDI file (``kind="midi"``, format ``mid``) and the note list (``kind="notes"``, format
``json``: onset, offset, pitch, velocity and pitch bends of every note). The job's metadata holds
the summary: note count, tempo, time signature, key, duration, pitch range, polyphony. With
``quantize`` the notes are snapped to the detected beat grid and the MIDI file starts at bar 1 of
it; see :mod:`mixdown.engines.transcription` for the method and docs/audio-to-midi.md for measures.
"""

from __future__ import annotations

import json
import time
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from mixdown.audio.codec import decode
from mixdown.audio.pcm import to_float32
from mixdown.engines.transcription import (
    DecodeOptions,
    TranscribeOptions,
    Transcription,
    availability,
    transcribe,
    warm_up,
    write_midi,
)
from mixdown.jobs.cost import CostBasis, CostRule
from mixdown.jobs.states import TaskCategory
from mixdown.tasks.base import TaskContext, TaskInputs, TaskParams, TaskSpec, always_cacheable

QuantizeGrid = Literal["1/4", "1/8", "1/8t", "1/16", "1/16t", "1/32"]
# Measured warm on 2 shared cores: 10-17x real time for the whole job (the network is ~88 % of it).
_SECONDS_PER_AUDIO_SECOND = 0.1
_OVERHEAD_SECONDS = 0.5


class AudioToMidiParams(TaskParams):
    """Parameters of ``audio-to-midi``; thresholds default to values tuned on piano."""

    onset_threshold: float = Field(
        default=0.6, ge=0.05, le=0.95, allow_inf_nan=False, description="Onset activation that starts a note"
    )
    frame_threshold: float = Field(
        default=0.4, ge=0.05, le=0.95, allow_inf_nan=False, description="Frame activation that keeps it on"
    )
    min_note_ms: float = Field(
        default=50.0, ge=10.0, le=2000.0, allow_inf_nan=False, description="Shortest note kept, ms"
    )
    min_freq: float | None = Field(
        default=None, ge=20.0, le=5000.0, allow_inf_nan=False, description="Lowest pitch kept, Hz"
    )
    max_freq: float | None = Field(
        default=None, ge=20.0, le=20000.0, allow_inf_nan=False, description="Highest pitch kept, Hz"
    )
    pitch_bends: bool = Field(
        default=True, description="Estimate pitch bends (off: plain notes, e.g. for piano)"
    )
    multiple_pitch_bends: bool = Field(
        default=False, description="Keep bends of overlapping notes (each bent note gets its own channel)"
    )
    melodia_trick: bool = Field(
        default=True, description="Also make notes of strong activations with no onset"
    )
    quantize: bool = Field(default=False, description="Snap notes to the detected tempo grid")
    quantize_grid: QuantizeGrid = Field(default="1/16", description="Grid step when quantizing")

    @field_validator("max_freq")
    @classmethod
    def _above_min(cls, value: float | None, info: ValidationInfo) -> float | None:
        low = info.data.get("min_freq")
        if value is not None and low is not None and value <= low:
            raise ValueError(f"max_freq ({value}) must be greater than min_freq ({low})")
        return value

    def options(self) -> TranscribeOptions:
        """The engine's options."""
        thresholds = DecodeOptions(
            onset_threshold=self.onset_threshold,
            frame_threshold=self.frame_threshold,
            min_note_ms=self.min_note_ms,
            min_freq=self.min_freq,
            max_freq=self.max_freq,
            melodia_trick=self.melodia_trick,
        )
        return TranscribeOptions(
            decode=thresholds,
            quantize=self.quantize,
            quantize_grid=self.quantize_grid,
            pitch_bends=self.pitch_bends,
        )


def run(inputs: TaskInputs, params: AudioToMidiParams, ctx: TaskContext) -> None:
    """Decode the input, transcribe it, store the MIDI file and the note list."""
    started = time.perf_counter()
    ctx.progress(0.02, "decoding")
    audio = decode(inputs.main.path)
    ctx.progress(0.08, "transcribing")
    result = transcribe(
        to_float32(audio.samples),
        audio.sample_rate,
        params.options(),
        on_progress=lambda share: ctx.progress(0.08 + 0.8 * share, "transcribing"),
    )
    ctx.progress(0.9, "writing MIDI")
    summary = result.summary()
    _store(ctx, result, params, summary)
    ctx.set_metadata(
        engine="basic-pitch",
        model="basic-pitch ICASSP 2022 (ONNX)",
        **summary,
        quantize_grid=params.quantize_grid if params.quantize else None,
        inference_time=round(time.perf_counter() - started, 3),
    )
    ctx.progress(1.0, "done")


def _store(
    ctx: TaskContext, result: Transcription, params: AudioToMidiParams, summary: dict[str, Any]
) -> None:
    """Write the MIDI file and the JSON note list into the scratch folder and add both as results."""
    midi = write_midi(
        result.notes,
        ctx.work_dir / "transcription.mid",
        grid=result.midi_grid,
        key=result.key,
        multiple_pitch_bends=params.multiple_pitch_bends,
    )
    shared = {"note_count": summary["note_count"], "tempo": summary["tempo"], "key": summary["key"]}
    ctx.add_result(midi, kind="midi", format="mid", **shared, time_signature=summary["time_signature"])
    notes = ctx.work_dir / "notes.json"
    body = {**summary, "quantize_grid": params.quantize_grid if params.quantize else None}
    body["notes"] = result.note_list()
    notes.write_text(json.dumps(body, separators=(",", ":")), encoding="utf-8")
    ctx.add_result(notes, kind="notes", format="json", **shared)


def estimate_seconds(_params: Any, inputs: TaskInputs) -> float:
    """Rough compute time: a fixed overhead plus a tenth of the input's length."""
    return _OVERHEAD_SECONDS + _SECONDS_PER_AUDIO_SECOND * inputs.seconds()


TASK = TaskSpec(
    name="audio-to-midi",
    summary="Audio to MIDI: polyphonic note transcription (basic-pitch), with tempo, key and quantizing.",
    params_model=AudioToMidiParams,
    run=run,
    cost_rule=CostRule(per_second=0.01, minimum=0.1, basis=CostBasis.INPUT),
    category=TaskCategory.CONVERSION,
    takes_audio=True,
    queue="audio",
    engine="basic-pitch",
    estimate_seconds=estimate_seconds,
    availability=availability,
    warm_up=warm_up,
    cacheable=always_cacheable,
)
