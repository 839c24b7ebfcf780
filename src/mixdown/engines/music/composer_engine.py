"""The embedded engine behind the generate task: understand -> compose -> produce -> check -> write.

Production goes through float WAV files (``produce_to_files``) so any length up to 20 minutes
stays in bounded memory; deliveries are exported from those files block by block.

Quality policy: a result whose audio is unsound (length, loudness, true peak, clipping, silence)
is regenerated, and the job fails with the reasons if every attempt is unsound. A result whose
measured tempo or key disagrees with what was asked is regenerated too; if every attempt still
disagrees, the best sound attempt is delivered and its report keeps the disagreement in
``musical_problems`` (tempo and key estimators err on sparse or swung music, and failing the
job for an estimator's mistake would refuse good music).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mixdown.audio.export import export, to_pcm16
from mixdown.engines.music.engine import GenerationRequest, Progress
from mixdown.engines.music.score import Score
from mixdown.engines.music.spec import NOTE_NAMES, MusicSpec
from mixdown.errors import NotFound, TaskError
from mixdown.tasks.base import TaskContext

if TYPE_CHECKING:
    from mixdown.engines.music.produce.loudness import LevelMeter
    from mixdown.engines.music.produce.master import MasterGains
    from mixdown.engines.music.quality import MusicReading
    from mixdown.engines.music.sung import VocalRequest

RECORD_NAMESPACE = "music"
MAX_REGENERATIONS = 2
REGENERATION_STRIDE = 1_000_003
# A stream is mastered with a gain forecast before rendering (no second pass): over 24 styles it
# lands 0.6 LU from the target on average, up to ~2.2 LU on sparse meditation/ambient pieces
# (docs/music-engine.md, "Streaming"); the limiter holds the true peak. A miss inside this
# tolerance is not worth re-streaming the piece.
STREAM_LOUDNESS_TOLERANCE = 2.5


@dataclass(frozen=True)
class ComposerPlan:
    """What the embedded engine composes: the spec plus the output options."""

    spec: MusicSpec
    output_format: str
    stems: bool
    stream: bool
    soundfont: str | None
    vocal: VocalRequest | None = None  # lyrics to sing (docs/music-engine.md, "Vocals")


@dataclass
class Attempt:
    """One composed and produced attempt with its quality report."""

    score: Score
    files: Any  # ProductionFiles
    report: dict[str, Any]
    seed: int = 0  # the seed it was composed with (the base seed plus any regeneration stride)
    gains: MasterGains | None = None  # the master gains of its mix
    vocal: dict[str, Any] | None = None  # what was sung (``sung.vocal_metadata``)


class ComposerEngine:
    """The ``mixdown-composer`` engine."""

    name = "mixdown-composer"

    def __init__(self, soundfont: str | None = None) -> None:
        self.soundfont = soundfont

    def resolve(
        self, request: GenerationRequest, ctx: TaskContext, from_hash: str | None, variation: str, seed: int
    ) -> tuple[ComposerPlan, int]:
        """The spec to compose and the base seed (a stored hash gives both back)."""
        if from_hash:
            record = ctx.recall(RECORD_NAMESPACE, from_hash)
            if record is None:
                raise NotFound(f"No generation with hash {from_hash!r} for this key.", field="from_hash")
            spec = MusicSpec.from_dict(record["spec"])
            plan = self.with_vocal(self._plan(spec, request), _recorded_vocal(record))
            return plan, int(record["seed"]) if variation == "exact" else seed
        return self._plan(understand_request(request, seed), request), seed

    def with_vocal(self, plan: ComposerPlan, vocal: VocalRequest | None) -> ComposerPlan:
        """The plan with lyrics to sing (``None``: as it is)."""
        if vocal is None:
            return plan
        if plan.stream:
            raise TaskError("A sung generation is not streamed: ask again without stream.")
        return replace(plan, vocal=vocal)

    def with_melody(
        self, plan: ComposerPlan, melody_audio: Path, strength: float
    ) -> tuple[ComposerPlan, dict[str, Any]]:
        """The plan's spec conditioned on the extracted melody (see ``building.with_melody``)."""
        from mixdown.engines.music.building import with_melody

        return with_melody(plan, melody_audio, strength)

    def _plan(self, spec: MusicSpec, request: GenerationRequest) -> ComposerPlan:
        return ComposerPlan(spec, request.output_format, request.stems, request.stream, self.soundfont)

    def generate(
        self, plan: ComposerPlan, *, seed: int, variation: int, ctx: TaskContext, progress: Progress
    ) -> dict[str, Any]:
        """Compose, produce and check one variation, then write mix, stems and MIDI."""
        spec = plan.spec
        digest = generation_hash(plan, seed)
        meta: dict[str, Any] = {"seed": seed, "hash": digest, "variation": variation}
        folder = Path(tempfile.mkdtemp(prefix=f"v{variation}-", dir=ctx.work_dir))
        if plan.stream:
            attempt = self._streamed(plan, seed, ctx, folder, progress)
        else:
            attempt = self._checked(plan, seed, folder, progress)
        self._deliver(ctx, plan, attempt, meta, variation)
        record = generation_record(spec, seed, attempt)
        if plan.vocal is not None:
            record["vocal"] = plan.vocal.to_dict()
        ctx.remember(RECORD_NAMESPACE, digest, record)
        progress(1.0)
        sung = {"vocal": attempt.vocal} if attempt.vocal is not None else {}
        return {**understood(spec, attempt.score), "hash": digest, **sung}

    def _checked(self, plan: ComposerPlan, seed: int, folder: Path, progress: Progress) -> Attempt:
        sound: Attempt | None = None
        problems: list[str] = []
        for number in range(MAX_REGENERATIONS + 1):
            attempt = self._attempt(plan, seed + number * REGENERATION_STRIDE, folder / str(number), progress)
            attempt.report["regenerations"] = number
            if attempt.report["passed"]:
                return attempt
            problems = attempt.report["technical_problems"] or attempt.report["musical_problems"]
            if not attempt.report["technical_problems"] and sound is None:
                sound = attempt
        if sound is not None:
            return sound
        raise TaskError(f"The generated audio failed its quality checks: {'; '.join(problems)}")

    def _attempt(self, plan: ComposerPlan, seed: int, folder: Path, progress: Progress) -> Attempt:
        from mixdown.engines.music.compose import compose
        from mixdown.engines.music.produce import produce_to_files

        if plan.vocal is not None:
            return self._sung_attempt(plan, plan.vocal, seed, folder, progress)
        score = compose(plan.spec, seed)
        progress(0.1)
        from mixdown.engines.music.quality import read_music

        rate = plan.spec.sample_rate
        files = produce_to_files(
            score,
            sample_rate=rate,
            directory=folder,
            soundfont=plan.soundfont,
            analyse=lambda premaster: read_music(premaster, rate),
        )
        progress(0.8)
        report = _report(files.mix_audio(), plan.spec, score, levels=files.levels, reading=files.analysis)
        return Attempt(score, files, report, seed, files.gains)

    def _sung_attempt(
        self, plan: ComposerPlan, vocal: VocalRequest, seed: int, folder: Path, progress: Progress
    ) -> Attempt:
        """Compose, render the backing, sing the lyrics, master the sum (see ``sung``)."""
        from mixdown.engines.music.compose import compose
        from mixdown.engines.music.sung import sing_piece, vocal_metadata

        score = compose(plan.spec, seed)
        progress(0.1)
        rate = plan.spec.sample_rate
        piece = sing_piece(
            score,
            vocal,
            sample_rate=rate,
            soundfont=plan.soundfont,
            seed=seed,
            folder=folder,
            progress=progress,
        )
        files = piece.files
        report = _report(
            files.mix_audio(), plan.spec, piece.score, levels=files.levels, reading=files.analysis
        )
        return Attempt(piece.score, files, report, seed, files.gains, vocal_metadata(piece, vocal))

    def _streamed(
        self, plan: ComposerPlan, seed: int, ctx: TaskContext, folder: Path, progress: Progress
    ) -> Attempt:
        """Stream the mastered piece while rendering; the stored mix is the same samples."""
        import soundfile as sf

        from mixdown.engines.music.compose import compose
        from mixdown.engines.music.produce import start_stream

        spec = plan.spec
        score = compose(spec, seed)
        stream = start_stream(score, sample_rate=spec.sample_rate, soundfont=plan.soundfont)
        sink = ctx.open_stream()
        sink.header(_stream_header(spec, score, seed))
        folder.mkdir(parents=True, exist_ok=True)
        mix_path, written = folder / "mix.wav", 0
        total = round(spec.duration * spec.sample_rate)
        with sf.SoundFile(
            str(mix_path), "w", samplerate=spec.sample_rate, channels=2, subtype="FLOAT"
        ) as out:
            for piece in stream.pieces:
                out.write(piece)
                sink.write(to_pcm16(piece).tobytes())
                written += len(piece)
                progress(0.1 + 0.7 * written / total)
        sink.close()
        files = _StreamedFiles(mix_path, self._stems_for(plan, score, folder))
        report = _report(mix_path, spec, score, loudness_tolerance=STREAM_LOUDNESS_TOLERANCE)
        return Attempt(score, files, report, seed, stream.gains)

    def _stems_for(self, plan: ComposerPlan, score: Score, folder: Path) -> dict[Any, Any]:
        if not plan.stems:
            return {}
        from mixdown.engines.music.produce import produce_to_files

        stems_dir = folder / "stems-pass"
        return produce_to_files(
            score, sample_rate=plan.spec.sample_rate, directory=stems_dir, soundfont=plan.soundfont
        ).stem_audio()

    def _deliver(
        self, ctx: TaskContext, plan: ComposerPlan, attempt: Attempt, meta: dict[str, Any], variation: int
    ) -> None:
        fmt, rate = plan.output_format, plan.spec.sample_rate
        frames = round(plan.spec.duration * rate)
        audio_meta = {"duration": frames / rate, "sample_rate": rate, "channels": 2}
        mix = ctx.work_dir / f"v{variation}-mix.{fmt}"
        export(attempt.files.mix_audio(), mix, format=fmt, sample_rate=rate)
        sung = {"word_timings": attempt.vocal["word_timings"]} if attempt.vocal is not None else {}
        ctx.add_result(mix, kind="audio", format=fmt, **audio_meta, **meta, **sung, quality=attempt.report)
        if not plan.stems:
            return
        for stem, audio in attempt.files.stem_audio().items():
            out = ctx.work_dir / f"v{variation}-{stem.value}.{fmt}"
            export(audio, out, format=fmt, sample_rate=rate)
            ctx.add_result(out, kind="stem", format=fmt, stem=stem.value, **audio_meta, **meta)
        from mixdown.engines.music.midi import score_to_midi

        midi = score_to_midi(attempt.score, ctx.work_dir / f"v{variation}.mid")
        ctx.add_result(midi, kind="midi", format="mid", **meta)


@dataclass
class _StreamedFiles:
    mix: Path
    stems: dict[Any, Any]  # samples or files, as ProductionFiles.stem_audio()

    def stem_audio(self) -> dict[Any, Any]:
        return self.stems

    def mix_audio(self) -> Path:
        return self.mix


def generation_hash(plan: ComposerPlan, seed: int) -> str:
    """The generation's hash: the spec's and the seed's, plus the lyrics and voice when sung."""
    digest = plan.spec.hash(seed)
    return digest if plan.vocal is None else plan.vocal.hashed_with(digest)


def _recorded_vocal(record: dict[str, Any]) -> VocalRequest | None:
    if not record.get("vocal"):
        return None
    from mixdown.engines.music.sung import VocalRequest

    return VocalRequest.from_dict(record["vocal"])


def generation_record(spec: MusicSpec, seed: int, attempt: Attempt) -> dict[str, Any]:
    """What ``remember`` keeps of a generation: enough to rebuild its score and mix exactly.

    ``composed_seed`` is the seed the delivered attempt was composed with and ``gains`` its master
    gains (a streamed mix used predicted ones): building on the generation (extend, inpaint,
    remix) re-renders it and masters new material with the same gains.
    """
    record: dict[str, Any] = {"spec": spec.to_dict(), "seed": seed, "composed_seed": attempt.seed}
    if attempt.gains is not None:
        record["gains"] = [attempt.gains.bus_db, attempt.gains.limiter_db]
    return record


def understand_request(request: GenerationRequest, seed: int) -> MusicSpec:
    """The ``MusicSpec`` of a request (``TaskError`` when it cannot be understood)."""
    from mixdown.engines.music.understand import understand

    try:
        return understand(
            request.prompt,
            duration=request.duration,
            sample_rate=request.sample_rate,
            instrumental=request.instrumental,
            params=request.params,
            tags=request.tags,
            sampling=request.sampling,
            seed=seed,
            duration_explicit=request.duration_explicit,
        )
    except ValueError as exc:
        raise TaskError(f"The request could not be understood: {exc}") from exc


def warm_up() -> None:
    """Run a tiny request through understanding, composition and rendering (loads everything once)."""
    from mixdown.engines.music.compose import compose
    from mixdown.engines.music.produce import predict_master_gain

    spec = understand_request(_WARM_UP_REQUEST, 0)
    predict_master_gain(compose(spec, 0), sample_rate=spec.sample_rate)


_WARM_UP_REQUEST = GenerationRequest(
    prompt="warm up",
    duration=4.0,
    sample_rate=22050,
    guidance_scale=3.0,
    temperature=1.0,
    top_k=0,
    top_p=1.0,
    instrumental=True,
    params=None,
    tags=(),
    output_format="wav",
    stems=False,
)


def _report(
    audio: Any,
    spec: MusicSpec,
    score: Score,
    *,
    loudness_tolerance: float = 1.0,
    levels: LevelMeter | None = None,
    reading: MusicReading | None = None,
) -> dict[str, Any]:
    from mixdown.engines.music.quality import quality_report

    return quality_report(
        audio,
        spec.sample_rate,
        expected_duration=spec.duration,
        expected_bpm=score.bpm,
        expected_key=(score.key_tonic, score.mode),
        loudness_tolerance=loudness_tolerance,
        levels=levels,
        reading=reading,
    )


def key_name(score: Score) -> str:
    """E.g. "A minor"."""
    return f"{NOTE_NAMES[score.key_tonic]} {score.mode}"


def _stream_header(spec: MusicSpec, score: Score, seed: int) -> dict[str, Any]:
    return {
        "encoding": "pcm_s16le",
        "sample_rate": spec.sample_rate,
        "channels": 2,
        "frames": round(spec.duration * spec.sample_rate),
        "duration": spec.duration,
        "seed": seed,
        "bpm": round(score.bpm, 3),
        "key": key_name(score),
        "sections": [
            {"name": s.name, "start": round(s.start, 3), "end": round(s.end, 3)} for s in score.sections
        ],
    }


def understood(spec: MusicSpec, score: Score) -> dict[str, Any]:
    """What the engine understood and planned, for the job's metadata."""
    return {
        "bpm": round(float(score.bpm), 3),
        "key": key_name(score),
        "time_signature": f"{score.meter[0]}/{score.meter[1]}",
        "genre": spec.main_style,
        "styles": [{"name": s.name, "weight": round(s.weight, 3)} for s in spec.styles],
        "instruments": [p.instrument or p.name for p in score.parts if p.notes],
        "moods": list(spec.moods),
        "sections": [
            {
                "name": s.name,
                "start": round(s.start, 3),
                "end": round(s.end, 3),
                "bars": s.bars,
                "energy": s.energy,
            }
            for s in score.sections
        ],
        "spec": spec.to_dict(),
    }
