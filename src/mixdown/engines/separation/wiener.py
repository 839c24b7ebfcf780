"""Multichannel Wiener filtering: source spectrograms from power estimates and spatial covariances.

Each source ``j`` has a power ``v_j(f, t)`` and, per bin, a 2x2 spatial covariance ``R_j(f)``
estimated from the mixture weighted by its single-channel Wiener gain. The estimate is
``v_j R_j (sum_k v_k R_k)^-1 x``: stereo placement (a centred vocal, a wide pad) sharpens what
power alone cannot tell apart. Mono input reduces to the single-channel Wiener gain.
"""

from __future__ import annotations

import numpy as np

from mixdown.engines.separation.spectral import EPS, Complexes, Floats


def wiener(mixture: Complexes, powers: dict[str, Floats]) -> dict[str, Complexes]:
    """Each source's ``(channels, bins, frames)`` spectrogram; they add up to ``mixture``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = (rng.normal(size=(2, 3, 4)) + 1j * rng.normal(size=(2, 3, 4))).astype(np.complex64)
    >>> out = wiener(x, {"a": np.ones((3, 4), np.float32), "b": np.full((3, 4), 3.0, np.float32)})
    >>> bool(np.allclose(out["a"] + out["b"], x, atol=1e-4))
    True
    """
    total = np.sum(list(powers.values()), axis=0) + EPS
    if mixture.shape[0] == 1:
        return {name: (power / total)[None] * mixture for name, power in powers.items()}
    x = np.moveaxis(mixture, 0, -1)  # (bins, frames, 2)
    spatial = {name: _spatial(x, power / total, power) for name, power in powers.items()}
    mix_cov = sum(powers[name][..., None, None] * spatial[name][:, None] for name in powers)
    inverse = _inverse(np.asarray(mix_cov))
    out: dict[str, Complexes] = {}
    for name, power in powers.items():
        gain = power[..., None, None] * np.einsum("fij,ftjk->ftik", spatial[name], inverse)
        out[name] = np.moveaxis(np.einsum("ftij,ftj->fti", gain, x), -1, 0).astype(np.complex64)
    residual = mixture - np.sum(list(out.values()), axis=0)
    first = next(iter(out))
    out[first] = out[first] + residual  # float rounding only: the sources add up exactly
    return out


def _inverse(cov: Complexes) -> Complexes:
    """Inverse of each 2x2 matrix, with the diagonal raised by 0.1 % of the trace (a centred mono
    source alone makes the mixture covariance singular)."""
    ridge = 1e-3 * np.real(cov[..., 0, 0] + cov[..., 1, 1]) / 2 + EPS
    a, d = cov[..., 0, 0] + ridge, cov[..., 1, 1] + ridge
    b, c = cov[..., 0, 1], cov[..., 1, 0]
    det = a * d - b * c
    inverse: Complexes = np.stack([np.stack([d, -b], -1), np.stack([-c, a], -1)], -2) / det[..., None, None]
    return inverse.astype(np.complex64)


def _spatial(x: Complexes, share: Floats, power: Floats) -> Complexes:
    """A source's 2x2 covariance per bin, normalised to trace 2, from its Wiener-weighted mixture."""
    estimate = share[..., None] * x
    weighted = estimate / np.sqrt(power[..., None] + EPS)
    cov = np.einsum("fti,ftj->fij", weighted, np.conj(weighted)) / max(1, x.shape[1])
    trace = np.real(np.trace(cov, axis1=1, axis2=2))[:, None, None] / 2.0 + EPS
    normalised: Complexes = (cov / trace + 1e-3 * np.eye(2)).astype(np.complex64)
    return normalised
