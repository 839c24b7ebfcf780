"""The lead vocal's pitch, tracked in a mixture, and the harmonic comb that isolates it.

Salience is harmonic summation: each candidate pitch (20-cent grid, 180-900 Hz) sums the
magnitudes at its first 12 harmonics, weighted ``0.7 ** (h - 1)``, of the steady (harmonic),
centred part of the mix. A Viterbi path through the candidates (a cost per semitone jumped)
follows one line; a frame whose candidate an octave up is nearly as salient moves up (harmonic
summation favours the sub-octave); the least salient frames are left unvoiced. The vocal's mask
is a comb of 3-bin teeth at the tracked harmonics up to 8 kHz.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy import sparse

from mixdown.engines.separation.spectral import EPS, Floats, Geometry

CENTS = 20
OCTAVE = 1200 // CENTS


@dataclass(frozen=True)
class MelodySettings:
    """How the vocal line is tracked (defaults chosen by ``bench/bench_extract.py``)."""

    low_hz: float = 180.0
    high_hz: float = 900.0
    harmonics: int = 12
    decay: float = 0.7  # weight of harmonic h: decay ** (h - 1)
    jump_cost: float = 0.1  # per semitone, in log-salience units
    octave_up: float = 0.7  # move up an octave when that candidate has this share of the salience
    voiced_share: float = 0.3  # the most salient share of frames is voiced
    comb_hz: float = 8000.0  # highest harmonic kept in the comb


def candidates(settings: MelodySettings) -> npt.NDArray[np.float64]:
    """Candidate pitches in Hz on the 20-cent grid.

    Examples
    --------
    >>> c = candidates(MelodySettings())
    >>> round(float(c[0])), round(float(c[OCTAVE] / c[0]), 6)
    (180, 2.0)
    """
    steps = int(1200 * np.log2(settings.high_hz / settings.low_hz) / CENTS) + 1
    return settings.low_hz * 2.0 ** (np.arange(steps) * CENTS / 1200)


@lru_cache(maxsize=8)
def salience_matrix(geo: Geometry, settings: MelodySettings) -> sparse.csr_matrix:
    """Candidates x bins: the weights that sum each candidate's harmonics (linear interpolation)."""
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    top = len(geo.freqs) - 2
    for index, f0 in enumerate(candidates(settings)):
        for h in range(1, settings.harmonics + 1):
            position = h * f0 / geo.bin_hz
            low = int(position)
            if low > top:
                break
            frac = position - low
            weight = settings.decay ** (h - 1)
            rows += [index, index]
            cols += [low, low + 1]
            vals += [(1 - frac) * weight, frac * weight]
    shape = (len(candidates(settings)), len(geo.freqs))
    return sparse.csr_matrix((vals, (rows, cols)), shape=shape)


def viterbi(salience: Floats, jump_cost: float) -> npt.NDArray[np.intp]:
    """The candidate index per frame maximising log-salience minus ``jump_cost`` per semitone.

    Examples
    --------
    >>> s = np.full((5, 4), 0.01, np.float32); s[2] = 1.0; s[4, 1] = 1.0
    >>> viterbi(s, 1.0).tolist()
    [2, 2, 2, 2]
    """
    count, frames = salience.shape
    if frames == 0:
        return np.zeros(0, dtype=np.intp)
    index = np.arange(count)
    transition = -jump_cost * np.abs(index[:, None] - index[None, :]) * CENTS / 100.0
    log_s = np.log(salience + 1e-6)
    score = log_s[:, 0].copy()
    back = np.zeros((count, frames), dtype=np.intp)
    for t in range(1, frames):
        total = score[None, :] + transition
        back[:, t] = np.argmax(total, axis=1)
        score = total[index, back[:, t]] + log_s[:, t]
    path = np.zeros(frames, dtype=np.intp)
    path[-1] = int(np.argmax(score))
    for t in range(frames - 1, 0, -1):
        path[t - 1] = back[path[t], t]
    return path


def track(magnitude: Floats, geo: Geometry, settings: MelodySettings) -> npt.NDArray[np.float64]:
    """The lead line's pitch per frame in Hz (NaN where unvoiced) from a ``(bins, frames)`` magnitude."""
    grid = candidates(settings)
    raw = np.asarray(salience_matrix(geo, settings) @ magnitude, dtype=np.float32)
    if raw.shape[1] == 0:
        return np.zeros(0)
    path = viterbi(raw / (raw.max(axis=0, keepdims=True) + EPS), settings.jump_cost)
    frames = np.arange(len(path))
    up = np.minimum(path + OCTAVE, len(grid) - 1)
    better = (path + OCTAVE < len(grid)) & (raw[up, frames] > settings.octave_up * raw[path, frames])
    path = np.where(better, up, path)
    pitch = grid[path].astype(np.float64)
    strength = raw[path, frames]
    threshold = np.quantile(strength, 1.0 - settings.voiced_share)
    pitch[(strength < threshold) | (strength <= 0)] = np.nan
    return pitch


def comb(pitch: npt.NDArray[np.float64], geo: Geometry, settings: MelodySettings) -> Floats:
    """A ``(bins, frames)`` mask: 1 within a bin of each harmonic of ``pitch`` up to ``comb_hz``.

    Examples
    --------
    >>> from mixdown.engines.separation.spectral import geometry
    >>> m = comb(np.array([441.0, np.nan]), geometry(44100), MelodySettings())
    >>> bool(m[41, 0]), bool(m[82, 0]), bool(m[60, 0]), float(m[:, 1].sum())
    (True, True, False, 0.0)
    """
    bins, frames = len(geo.freqs), len(pitch)
    mask = np.zeros((bins, frames), dtype=np.float32)
    voiced = np.flatnonzero(np.isfinite(pitch))
    if voiced.size == 0:
        return mask
    most = int(settings.comb_hz // np.nanmin(pitch[voiced]))
    harmonic = np.arange(1, most + 1)
    centres = np.rint(np.outer(pitch[voiced], harmonic) / geo.bin_hz).astype(np.intp)
    keep = (np.outer(pitch[voiced], harmonic) <= settings.comb_hz) & (centres < bins)
    cols = np.broadcast_to(voiced[:, None], centres.shape)
    for offset in (-1, 0, 1):
        rows = np.clip(centres + offset, 0, bins - 1)
        mask[rows[keep], cols[keep]] = 1.0
    return mask
