"""``render_chunks``: the one way a Score becomes stems, used by whole renders and streams alike.

The synth renders in a worker thread one chunk ahead of the mixer (FluidSynth and pedalboard both
release the GIL), so on two cores rendering and effects overlap. Each stage is sequential, so the
output does not depend on the overlap.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass

import numpy as np

from mixdown.engines.music.produce.mix import Mixer
from mixdown.engines.music.produce.render import (
    SUPPORTED_RATES,
    ChunkSpan,
    PartRenderer,
    chunk_spans,
    rendered_parts,
    total_frames,
)
from mixdown.engines.music.produce.soundfont import POOL, find_soundfont
from mixdown.engines.music.score import Score, Stem
from mixdown.errors import InputError


@dataclass(frozen=True)
class Chunk:
    """Frames ``[start, start + frames)`` of a piece: every stem, post-effects, before mastering."""

    start: int
    frames: int
    section: str
    stems: dict[Stem, np.ndarray]  # float32 (frames, 2), keys in Stem order

    @property
    def end(self) -> int:
        """The frame after the chunk."""
        return self.start + self.frames

    @property
    def premaster(self) -> np.ndarray:
        """The sum of the stems (in ``Stem`` order, as ``Production.premaster`` sums them)."""
        return sum_stems(self.stems, self.frames)


def sum_stems(stems: dict[Stem, np.ndarray], frames: int) -> np.ndarray:
    """Stems added up in ``Stem`` order, float32 ``(frames, 2)``."""
    total = np.zeros((frames, 2), dtype=np.float32)
    for stem in Stem:
        if stem in stems:
            total += stems[stem]
    return total


def check_rate(sample_rate: int) -> None:
    """Reject sample rates the engine does not render."""
    if sample_rate not in SUPPORTED_RATES:
        raise InputError(
            f"sample_rate must be one of {', '.join(map(str, SUPPORTED_RATES))}, not {sample_rate}",
            field="sample_rate",
        )


def render_chunks(
    score: Score,
    sample_rate: int,
    *,
    soundfont: str | os.PathLike[str] | None = None,
    start: int = 0,
    end: int | None = None,
) -> Iterator[Chunk]:
    """Render, effect and mix ``score`` into consecutive chunks of stems.

    Parameters
    ----------
    score
        The piece.
    sample_rate
        One of 22050, 32000, 44100, 48000.
    soundfont
        Path or name for ``find_soundfont`` (the configured ``Settings.soundfont``).
    start, end
        Frames to render (default: the whole piece, ``round(duration * sample_rate)`` frames). A
        render from ``start > 0`` begins with silent synths (notes struck earlier are not heard):
        meant for previews and loudness prediction, not for output.

    Yields
    ------
    Chunk
        Cut at section starts and every 3 s inside sections; the cut depends only on the score,
        so a streamed render yields exactly the samples of a whole one.

    Examples
    --------
    >>> from mixdown.engines.music.score import Note, Part, Score, Stem
    >>> bass = Part(name="bass", stem=Stem.BASS, program=33, notes=[Note(0.0, 0.5, 40, 100)])
    >>> score = Score(bpm=120, meter=(4, 4), key_tonic=4, mode="minor", duration=1.0,
    ...               sections=[], chords=[], parts=[bass])
    >>> chunks = list(render_chunks(score, 22050))
    >>> sum(c.frames for c in chunks), list(chunks[0].stems)
    (22050, [<Stem.BASS: 'bass'>])
    """
    check_rate(sample_rate)
    frames = total_frames(score, sample_rate)
    end = frames if end is None else min(end, frames)
    spans = [
        ChunkSpan(max(span.start, start), min(span.end, end), span.section)
        for span in chunk_spans(score, sample_rate)
        if span.end > start and span.start < end
    ]
    path = find_soundfont(soundfont)
    with POOL.acquire(path, sample_rate, len(rendered_parts(score))) as synth:
        renderer = PartRenderer(score, sample_rate, synth, start_frame=start)
        mixer = Mixer(score, sample_rate)
        raw_chunks = _render_ahead(renderer, spans)
        try:
            for span, raw in zip(spans, raw_chunks, strict=True):
                stems = mixer.process(span.start, raw)
                yield Chunk(start=span.start, frames=span.end - span.start, section=span.section, stems=stems)
        finally:
            raw_chunks.close()


def _render_ahead(renderer: PartRenderer, spans: list[ChunkSpan]) -> Generator[np.ndarray, None, None]:
    """Rendered chunks, produced by a worker thread up to two chunks ahead of the consumer."""
    results: queue.Queue[np.ndarray | BaseException | None] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def put(item: np.ndarray | BaseException | None) -> bool:
        while not stop.is_set():
            try:
                results.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for span in spans:
                if not put(renderer.render(span.end - span.start)):
                    return
            put(None)
        except BaseException as exc:  # handed to the consumer, raised there
            put(exc)

    worker = threading.Thread(target=work, name="fluidsynth-render", daemon=True)
    worker.start()
    try:
        while (item := results.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()
