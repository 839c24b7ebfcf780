"""Grid events to timed notes: swing, a player's timing and velocity spread, the exact ending.

Timing spread is a few milliseconds (tighter for machine styles and for drums' kick), velocity
spread a few steps; both come from the part's own generator. No note starts in the tail and every
note is released by the end of the piece; the last chord may ring into the tail.
"""

from __future__ import annotations

import numpy as np

from mixdown.engines.music.compose.context import Context, Event
from mixdown.engines.music.score import ControlPoint, Note


def humanize(
    ctx: Context, events: list[Event], name: str, *, timing_ms: float, velocity_sd: float, lag_ms: float = 0.0
) -> list[Note]:
    """Timed, humanised notes for one part's events."""
    if not events:
        return []
    plan = ctx.plan
    step_s = plan.step_seconds
    arr = np.array(events, dtype=float)
    starts, lengths = arr[:, 0], arr[:, 1]
    pitches, vels = arr[:, 2].astype(int), arr[:, 3]
    rng = ctx.rng("humanize", len(name), *(ord(c) for c in name[:8]))
    odd = (np.abs(starts - np.round(starts)) < 1e-6) & (np.round(starts).astype(int) % 2 == 1)
    swing = np.where(odd, ctx.style.swing * step_s, 0.0)
    on_grid = np.abs(starts - np.round(starts)) < 1e-6
    jitter = rng.normal(0.0, timing_ms / 1000.0, len(events)) * on_grid + lag_ms / 1000.0
    t0 = starts * step_s + swing + jitter
    t1 = (starts + lengths) * step_s + swing
    t0 = np.clip(t0, 0.0, None)
    vel = np.clip(np.round(vels + rng.normal(0.0, velocity_sd, len(events))), 1, 127).astype(int)
    final = starts >= (plan.bars - 1) * plan.steps_per_bar - 1e-6  # on the grid, before any jitter
    return _finish(ctx, t0, t1, pitches, vel, final)


def _finish(
    ctx: Context, t0: np.ndarray, t1: np.ndarray, pitches: np.ndarray, vel: np.ndarray, final: np.ndarray
) -> list[Note]:
    """Apply the ending rules (notes of the ``final`` bar ring into the tail) and build ``Note``
    objects in time order."""
    plan = ctx.plan
    music_end = plan.music_end
    ring = music_end + 0.7 * plan.tail  # the last chord rings most of the tail, released before the end
    keep = t0 < music_end - 1e-6
    t0, t1, pitches, vel, final = t0[keep], t1[keep], pitches[keep], vel[keep], final[keep]
    t1 = np.where(final, np.maximum(t1, np.minimum(ring, plan.duration)), t1)
    t1 = np.minimum(t1, plan.duration)
    dur = np.maximum(t1 - t0, 0.01)
    dur = np.minimum(dur, plan.duration - t0)
    order = np.lexsort((pitches, t0))
    return [Note(float(t0[i]), float(dur[i]), int(pitches[i]), int(vel[i])) for i in order]


def curve_points(ctx: Context, controller: int, values: list[float]) -> list[ControlPoint]:
    """One controller point per bar (0..1 values to 0..127), only where the value changes."""
    out: list[ControlPoint] = []
    last = -1
    for bar, value in enumerate(values):
        v = round(min(1.0, max(0.0, value)) * 127)
        if v != last:
            out.append(ControlPoint(round(bar * ctx.plan.bar_seconds, 6), controller, v))
            last = v
    return out
