"""How close a separated stem is to the truth: signal-to-distortion ratio.

``sdr`` is the plain energy ratio used by the MDX challenges and the Demucs papers ("new SDR"):
``10 log10(|s|^2 / |s - s_hat|^2)`` over the whole signal, every channel. It allows no filtering
of the estimate (unlike BSS Eval's SDR), so it reads lower for the same separation.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

_FLOOR = 1e-9


def sdr(reference: npt.ArrayLike, estimate: npt.ArrayLike) -> float:
    """Signal-to-distortion ratio of ``estimate`` against ``reference`` in dB.

    Examples
    --------
    >>> s = np.ones((100, 2))
    >>> round(sdr(s, 0.9 * s), 1), round(sdr(s, np.zeros((100, 2))), 1)
    (20.0, 0.0)
    """
    ref = np.asarray(reference, dtype=np.float64)
    est = np.asarray(estimate, dtype=np.float64)
    return float(10.0 * np.log10((np.sum(ref**2) + _FLOOR) / (np.sum((ref - est) ** 2) + _FLOOR)))
