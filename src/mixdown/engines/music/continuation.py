"""Continuing an input piece: hear its tempo, grid, key and chords, then compose what comes next.

1. The input is decoded (16-bit PCM read as ``n / 32767``, the inverse of ``to_pcm16``, so 16-bit
   input comes out as the same integers) at its own rate when the engine renders that rate and the
   request did not set ``sample_rate``; otherwise it is resampled.
2. Up to 60 s before the asked ``continuation_start`` are analysed (``analysis.analyse``); the start
   moves to the nearest downbeat (not past the input's end).
3. The new part is composed with the heard tempo, key and meter stated outright, one bar longer
   than ``duration``: that lead-in bar is rendered but only its last beat is heard, under the
   crossfade. The new part is mastered to the loudness of the input's last 30 s before the start
   (same true-peak ceiling), so the join does not jump in level.
4. Output = the input up to one beat before the downbeat, untouched; an equal-power crossfade over
   that beat into the new part; the new part from the downbeat on. Its length is exactly
   ``start + duration``. Stems and MIDI are those of the new part from the downbeat (``offset`` in
   their metadata says where they sit in the mix).
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mixdown.engines.music.analysis import Analysis, analyse
from mixdown.engines.music.composer_engine import (
    RECORD_NAMESPACE,
    Attempt,
    ComposerEngine,
    ComposerPlan,
    generation_record,
    understand_request,
    understood,
)
from mixdown.engines.music.engine import GenerationRequest
from mixdown.engines.music.score import ControlPoint, Score
from mixdown.engines.music.spec import MusicSpec
from mixdown.engines.music.splice import Segment, Take, write_spliced, writer
from mixdown.errors import ValidationFailed
from mixdown.tasks.base import TaskContext

if TYPE_CHECKING:
    from mixdown.engines.music.building import BuildRequest

ANALYSIS_SECONDS = 60.0  # heard before the start: enough for a stable grid, bounded for long inputs
LOUDNESS_SECONDS = 30.0
LOUDNESS_RANGE = (-30.0, -7.0)
MAX_FADE = 1.0


def load_input(path: Path) -> tuple[np.ndarray, int]:
    """An input file as float32 ``(frames, channels)`` and its rate (16-bit PCM as ``n / 32767``)."""
    from mixdown.audio.codec import decode

    decoded = decode(path)
    samples = decoded.samples
    if samples.dtype == np.int16:
        return samples.astype(np.float32) / np.float32(32767.0), decoded.sample_rate
    if samples.dtype == np.int32:
        return (samples.astype(np.float64) / 2147483647.0).astype(np.float32), decoded.sample_rate
    return np.asarray(samples, dtype=np.float32), decoded.sample_rate


def output_rate(input_rate: int, requested: int, *, explicit: bool) -> int:
    """The input's own rate when the engine renders it and none was asked, else the asked one."""
    from mixdown.engines.music.produce import SUPPORTED_RATES

    return input_rate if input_rate in SUPPORTED_RATES and not explicit else requested


def stereo_at(audio: np.ndarray, rate: int, target: int) -> np.ndarray:
    """``audio`` as stereo float32 at ``target`` Hz."""
    import soxr

    if audio.shape[1] == 1:
        audio = np.repeat(audio, 2, axis=1)
    elif audio.shape[1] > 2:
        audio = audio[:, :2]
    if rate != target:
        audio = np.asarray(soxr.resample(audio, rate, target, quality="VHQ"), dtype=np.float32)
    return np.ascontiguousarray(audio, dtype=np.float32)


def hear(audio: np.ndarray, rate: int, requested: float) -> Analysis:
    """The analysis of the ``ANALYSIS_SECONDS`` before ``requested`` (and a second after)."""
    first = max(0.0, requested - ANALYSIS_SECONDS)
    a, b = int(first * rate), min(audio.shape[0], int((requested + 1.0) * rate))
    return analyse(audio[a:b], rate, offset=a / rate)


def loudness_before(audio: np.ndarray, rate: int, start: float) -> float:
    """Integrated loudness of the ``LOUDNESS_SECONDS`` before ``start``, clamped to a sane range."""
    from mixdown.engines.music.produce.loudness import LoudnessMeter

    meter = LoudnessMeter(rate)
    meter.add(audio[int(max(0.0, start - LOUDNESS_SECONDS) * rate) : int(start * rate)])
    measured = meter.integrated()
    if not np.isfinite(measured) or measured <= -70.0:
        return -14.0
    return float(min(LOUDNESS_RANGE[1], max(LOUDNESS_RANGE[0], measured)))


def continuation_spec(spec: MusicSpec, heard: Analysis) -> MusicSpec:
    """``spec`` at the heard tempo, key and meter, stated outright."""
    return replace(
        spec,
        bpm=round(heard.bpm, 3),
        key_tonic=heard.key_tonic,
        mode=heard.mode,
        meter=(heard.beats_per_bar, 4),
        explicit=spec.explicit | {"bpm", "key", "mode", "meter"},
    )


def _moved_controls(controls: list[ControlPoint], seconds: float) -> list[ControlPoint]:
    """Controls moved ``seconds`` earlier; of those before the new zero, each controller's last at 0."""
    at_zero: dict[int, ControlPoint] = {}
    for point in sorted(controls, key=lambda c: c.time):
        if point.time <= seconds:
            at_zero[point.controller] = replace(point, time=0.0)
    return list(at_zero.values()) + [replace(c, time=c.time - seconds) for c in controls if c.time > seconds]


def shifted(score: Score, seconds: float) -> Score:
    """The score moved ``seconds`` earlier, notes that started before the new zero dropped."""
    parts = [
        replace(
            p,
            notes=[replace(n, start=n.start - seconds) for n in p.notes if n.start >= seconds - 1e-6],
            controls=_moved_controls(p.controls, seconds),
        )
        for p in score.parts
    ]
    sections = [
        replace(s, start=max(0.0, s.start - seconds), end=s.end - seconds)
        for s in score.sections
        if s.end > seconds
    ]
    chords = [
        replace(c, start=max(0.0, c.start - seconds), end=c.end - seconds)
        for c in score.chords
        if c.end > seconds
    ]
    return replace(score, parts=parts, sections=sections, chords=chords, duration=score.duration - seconds)


def continue_input(
    engine: ComposerEngine, request: GenerationRequest, build: BuildRequest, ctx: TaskContext
) -> dict[str, Any]:
    """Continue ``build.input_audio`` once per variation; returns the job's metadata."""
    import secrets

    assert build.input_audio is not None
    raw, input_rate = load_input(build.input_audio)
    rate = output_rate(input_rate, request.sample_rate, explicit=build.sample_rate_explicit)
    audio = stereo_at(raw, input_rate, rate)
    length = audio.shape[0] / rate
    requested = length if build.continuation_start is None else float(build.continuation_start)
    if requested > length + 1e-6:
        raise ValidationFailed(
            f"continuation_start: {requested:g} s is past the end of the {length:.3f} s input",
            field="continuation_start",
        )
    ctx.progress(0.05, "listening to the input")
    heard = hear(audio, rate, requested)
    start = heard.nearest_downbeat(requested, latest=length)
    seed = build.seed if build.seed is not None else secrets.randbelow(2**31 - build.num_variations)
    bar = 60.0 / round(heard.bpm, 3) * heard.beats_per_bar
    lead_in = replace(request, duration=request.duration + bar, sample_rate=rate)
    spec = continuation_spec(understand_request(lead_in, seed), heard)
    melody_info = None
    if build.melody_audio is not None:
        from mixdown.engines.music.building import heard_melody, melody_summary
        from mixdown.engines.music.melody_extract import condition

        melody = heard_melody(build.melody_audio)
        spec = condition(spec, melody, build.melody_strength)
        melody_info = melody_summary(melody, build.melody_strength)
    folder = Path(tempfile.mkdtemp(prefix="continue-", dir=ctx.work_dir))
    loudness = loudness_before(audio, rate, start)
    join = Join(audio, rate, start, 60.0 / heard.bpm, request.duration, loudness, folder / "input.wav")
    plan = ComposerPlan(spec, request.output_format, request.stems, False, engine.soundfont)
    hashes: list[str] = []
    info: dict[str, Any] = {}
    for variation in range(build.num_variations):
        ctx.progress(0.1 + 0.9 * variation / build.num_variations, f"variation {variation + 1}")
        score, digest = join.compose_variation(
            ctx, plan, seed + variation, folder / f"v{variation}", variation
        )
        hashes.append(digest)
        info = understood(spec, score)
    ctx.progress(1.0)
    summary = {
        "requested_start": round(requested, 6),
        "start": round(start, 6),
        "crossfade": round(join.fade / rate, 6),
        "input_duration": round(length, 6),
        "input_loudness_lufs": round(join.loudness, 2),
        "analysis": heard.to_dict(),
    }
    extra = {"melody": melody_info} if melody_info else {}
    return {"seed": seed, "hashes": hashes, **info, "continuation": summary, **extra}


class Join:
    """Where and how the new part joins the input, in output frames."""

    def __init__(
        self,
        audio: np.ndarray,
        rate: int,
        start: float,
        beat: float,
        duration: float,
        loudness: float,
        input_path: Path,
    ) -> None:
        self.rate, self.loudness = rate, loudness
        self.start = round(start * rate)
        self.fade = min(round(min(beat, MAX_FADE) * rate), self.start)
        self.new_frames = round(duration * rate)
        self.total = self.start + self.new_frames
        self.input_path = input_path
        with writer(input_path, rate) as out:  # the input up to the downbeat: what the output keeps
            out.write(audio[: self.start])

    def compose_variation(
        self, ctx: TaskContext, plan: ComposerPlan, seed: int, folder: Path, variation: int
    ) -> tuple[Score, str]:
        """Compose, produce, join and deliver one variation; returns its score and hash."""
        from mixdown.engines.music.building import Delivery, deliver, report
        from mixdown.engines.music.compose import compose
        from mixdown.engines.music.produce import produce_to_files

        score = compose(plan.spec, seed)
        score = replace(score, mix=replace(score.mix, target_lufs=self.loudness))
        files = produce_to_files(score, sample_rate=self.rate, directory=folder, soundfont=plan.soundfont)
        lead_in = round(score.bar_seconds * self.rate)
        offset = self.start - lead_in
        new = Take(files.mix, offset)
        mix = folder / "joined.wav"
        write_spliced(
            mix,
            [
                Segment(0, self.start - self.fade, Take(self.input_path)),
                Segment(self.start - self.fade, self.start, new, fade_from=Take(self.input_path)),
                Segment(self.start, self.total, new),
            ],
            self.rate,
        )
        stems = {}
        for stem, path in files.stems.items():
            stems[stem] = folder / f"part-{stem.value}.wav"
            write_spliced(stems[stem], [Segment(0, self.new_frames, Take(path, -lead_in))], self.rate)
        digest = plan.spec.hash(seed)
        meta = {
            "seed": seed,
            "hash": digest,
            "variation": variation,
            "continuation_start": self.start / self.rate,
        }
        quality = report(mix, score, target_lufs=self.loudness)
        part = shifted(score, score.bar_seconds)
        deliver(
            ctx,
            plan,
            Delivery(mix, stems, part),
            name=f"v{variation}",
            meta=meta,
            mix_meta={"quality": quality},
            part_meta={"offset": self.start / self.rate},
        )
        attempt = Attempt(score, files, quality, seed, files.gains)
        ctx.remember(RECORD_NAMESPACE, digest, generation_record(plan.spec, seed, attempt))
        return score, digest
