"""Audio cleanup engines: denoise, dereverb and de-echo as plain array-in, array-out functions.

Every function takes ``(frames, channels)`` samples (or 1-D mono) at any sample rate and
returns float32 ``(frames, channels)`` of exactly the same length, aligned sample for
sample, so other tasks (stem extraction's pre-processing, the voice changer) can chain them:

    clean = denoise(samples, rate, strength=0.9, engine="deepfilternet")
    dry = dereverb(clean, rate)
    final = deecho(dry, rate)

One module per method: :mod:`.deepfilternet` (DeepFilterNet3 via its C runtime),
:mod:`.spectral_gate` (noisereduce), :mod:`.wpe` (nara-wpe), :mod:`.cepstral` (echo
detection and inverse filtering); :mod:`.measures` holds the before/after statistics.
"""

from mixdown.engines.cleanup.deecho import DEECHO_METHODS, DeechoMethod, DeechoResult, deecho, remove_echoes
from mixdown.engines.cleanup.denoise import DEFAULT_STRENGTH, DENOISE_ENGINES, DenoiseEngine, denoise
from mixdown.engines.cleanup.wpe import dereverb

__all__ = [
    "DEECHO_METHODS",
    "DEFAULT_STRENGTH",
    "DENOISE_ENGINES",
    "DeechoMethod",
    "DeechoResult",
    "DenoiseEngine",
    "deecho",
    "denoise",
    "dereverb",
    "remove_echoes",
]
