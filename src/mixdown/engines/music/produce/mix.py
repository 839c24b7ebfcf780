"""The mixer: rendered parts in, post-effects stems out.

A stem is the sum of its parts after their insert chains, placement and ducking, plus the stem's
own reverb and delay returns (fed by its parts' sends). Reverb and delay are linear, so one return
per stem is exactly the sum of per-part returns; keeping the returns inside the stems makes "the
stems sum to the pre-master mix" true by construction.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from pedalboard import Chain

from mixdown.engines.music.produce.effects import (
    DELAY_LEVEL,
    MIN_SEND,
    Stereo,
    delay_bus,
    duck_envelope,
    part_chain,
    reverb_bus,
    reverb_level,
    sidechain_depth,
)
from mixdown.engines.music.produce.render import kick_frames, rendered_parts, total_frames
from mixdown.engines.music.score import Score, Stem

END_FADE_SECONDS = 0.05  # the cut to the exact length never clicks
# Shared by every render in the process: each part's chain is used by one task at a time, and a
# chunk's tasks finish before the next chunk's start, so processor state stays in order.
_WORKERS = ThreadPoolExecutor(
    max_workers=max(2, min(4, os.cpu_count() or 2)), thread_name_prefix="mixdown-fx"
)


class Mixer:
    """Stateful per piece: feed consecutive chunks of rendered parts to ``process``."""

    def __init__(self, score: Score, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self.parts = rendered_parts(score)
        self.stems = [stem for stem in Stem if any(p.stem == stem for p in self.parts)]
        self.chains = [part_chain(part) for part in self.parts]
        self.stereo = [Stereo(part.mix, sample_rate) for part in self.parts]
        self.depths = [sidechain_depth(part, score.mix) for part in self.parts]
        self.kicks = kick_frames(score, sample_rate)
        self.release = min(0.3, 0.45 * score.beat_seconds)
        wet = score.mix.reverb_amount > 0
        self.reverbs: dict[Stem, Chain] = {
            stem: reverb_bus(score.mix)
            for stem in self.stems
            if wet and any(p.mix.reverb_send >= MIN_SEND for p in self.parts if p.stem == stem)
        }
        self.delays: dict[Stem, Chain] = {
            stem: delay_bus(score.beat_seconds)
            for stem in self.stems
            if any(p.mix.delay_send >= MIN_SEND for p in self.parts if p.stem == stem)
        }
        level = reverb_level(score.mix)
        self.reverb_sends = [np.float32(min(1.0, p.mix.reverb_send) * level) for p in self.parts]
        self.delay_sends = [np.float32(min(1.0, p.mix.delay_send) * DELAY_LEVEL) for p in self.parts]
        self.end = total_frames(score, sample_rate)
        self.fade = max(1, int(END_FADE_SECONDS * sample_rate))

    def process(self, start: int, raw: np.ndarray) -> dict[Stem, np.ndarray]:
        """Stems for frames ``[start, start + n)`` from ``raw`` = ``PartRenderer.render`` output.

        Returns float32 ``(n, 2)`` per stem present in the piece (silent ones included, so every
        chunk has the same keys).
        """
        frames = raw.shape[1]
        sums = {stem: np.zeros((2, frames), dtype=np.float32) for stem in self.stems}
        reverb_in = {stem: np.zeros((2, frames), dtype=np.float32) for stem in self.reverbs}
        delay_in = {stem: np.zeros((2, frames), dtype=np.float32) for stem in self.delays}
        # Parts in parallel (pedalboard and numpy release the GIL); summed in a fixed order.
        jobs = [
            _WORKERS.submit(self._part, index, start, raw[2 * index : 2 * index + 2])
            for index in range(len(self.parts))
        ]
        for index, (part, job) in enumerate(zip(self.parts, jobs, strict=True)):
            audio = job.result()
            sums[part.stem] += audio
            if part.stem in reverb_in and part.mix.reverb_send > 0:
                reverb_in[part.stem] += audio * self.reverb_sends[index]
            if part.stem in delay_in and part.mix.delay_send > 0:
                delay_in[part.stem] += audio * self.delay_sends[index]
        returns = [
            (stem, _WORKERS.submit(board, send, self.sample_rate, reset=False))
            for buses, sends in ((self.reverbs, reverb_in), (self.delays, delay_in))
            for stem, send in sends.items()
            for board in (buses[stem],)
        ]
        for stem, job in returns:
            sums[stem] += job.result()
        if start + frames > self.end - self.fade:
            fade = self._fade(start, frames)
            sums = {stem: audio * fade for stem, audio in sums.items()}
        return {stem: np.ascontiguousarray(audio.T) for stem, audio in sums.items()}

    def _part(self, index: int, start: int, audio: np.ndarray) -> np.ndarray:
        out = self.chains[index](audio, self.sample_rate, reset=False)
        out = self.stereo[index].process(out)
        depth = self.depths[index]
        if depth > 0:
            out *= duck_envelope(
                start,
                out.shape[1],
                self.kicks,
                depth=depth,
                sample_rate=self.sample_rate,
                release=self.release,
            )
        return out

    def _fade(self, start: int, frames: int) -> np.ndarray:
        """Gain for the chunk: 1, except a raised-cosine fade over the last ``fade`` frames."""
        index = np.arange(start, start + frames, dtype=np.float64)
        left = np.clip((self.end - index) / self.fade, 0.0, 1.0)
        return (0.5 - 0.5 * np.cos(np.pi * left)).astype(np.float32)
