"""Tonal and dynamic presets: a fixed EQ curve, a gentle compressor and a stereo width per preset.

Every preset runs on audio already brought to the target loudness, so compressor thresholds are
written relative to that target (``above_target_db``) and act alike on quiet and loud inputs. The
curves are deliberately small (at most 3 dB per band): a preset colours a master, it does not fix
a mix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

import numpy as np
from pedalboard import (
    Chain,
    Compressor,
    HighpassFilter,
    HighShelfFilter,
    LowShelfFilter,
    PeakFilter,
    Plugin,
)

PresetName: TypeAlias = Literal["none", "balanced", "warm", "bright", "streaming", "podcast"]
BandKind: TypeAlias = Literal["low_shelf", "peak", "high_shelf"]
SHELF_Q = 0.7071


@dataclass(frozen=True)
class Band:
    """One EQ band: a shelf or a peak at ``hz`` with ``gain_db``."""

    kind: BandKind
    hz: float
    gain_db: float
    q: float = SHELF_Q

    def plugin(self) -> Plugin:
        """The pedalboard filter of this band."""
        if self.kind == "low_shelf":
            return LowShelfFilter(self.hz, self.gain_db, self.q)
        if self.kind == "high_shelf":
            return HighShelfFilter(self.hz, self.gain_db, self.q)
        return PeakFilter(self.hz, self.gain_db, self.q)


@dataclass(frozen=True)
class Compression:
    """A compressor whose threshold sits ``above_target_db`` over the target loudness."""

    above_target_db: float
    ratio: float
    attack_ms: float
    release_ms: float

    def plugin(self, target_lufs: float) -> Plugin:
        """The pedalboard compressor for audio at ``target_lufs``."""
        return Compressor(
            threshold_db=target_lufs + self.above_target_db,
            ratio=self.ratio,
            attack_ms=self.attack_ms,
            release_ms=self.release_ms,
        )


@dataclass(frozen=True, kw_only=True)
class Preset:
    """A named master colour: high-pass, EQ bands, compression, side gain and a default loudness."""

    name: PresetName
    description: str
    target_lufs: float = -14.0
    highpass_hz: float | None = None
    bands: tuple[Band, ...] = ()
    compression: Compression | None = None
    side_gain: float = 1.0

    def board(self, target_lufs: float) -> Chain:
        """The preset's filters and compressor as one pedalboard (empty for ``none``)."""
        plugins: list[Plugin] = []
        if self.highpass_hz is not None:
            plugins.append(HighpassFilter(self.highpass_hz))
        plugins.extend(band.plugin() for band in self.bands)
        if self.compression is not None:
            plugins.append(self.compression.plugin(target_lufs))
        return Chain(plugins)

    def apply(self, audio: np.ndarray, sample_rate: int, *, target_lufs: float) -> np.ndarray:
        """``(frames, channels)`` float32 audio through the preset (same shape out).

        Examples
        --------
        >>> x = np.zeros((4410, 2), dtype=np.float32)
        >>> PRESETS["warm"].apply(x, 44100, target_lufs=-14.0).shape
        (4410, 2)
        """
        board = self.board(target_lufs)
        out = audio if len(board) == 0 else board(np.ascontiguousarray(audio.T), sample_rate).T
        return scale_side(np.ascontiguousarray(out, dtype=np.float32), self.side_gain)


def scale_side(audio: np.ndarray, gain: float) -> np.ndarray:
    """Stereo ``audio`` with its side (L - R) scaled by ``gain``; mono or ``gain == 1`` unchanged.

    Examples
    --------
    >>> scale_side(np.array([[1.0, 0.0]], dtype=np.float32), 0.0).tolist()
    [[0.5, 0.5]]
    """
    if audio.shape[1] != 2 or gain == 1.0:
        return audio
    mid = 0.5 * (audio[:, 0] + audio[:, 1])
    side = 0.5 * (audio[:, 0] - audio[:, 1]) * np.float32(gain)
    return np.stack([mid + side, mid - side], axis=1).astype(np.float32, copy=False)


PRESETS: dict[PresetName, Preset] = {
    preset.name: preset
    for preset in (
        Preset(name="none", description="Loudness and true-peak limiting only; no colour."),
        Preset(
            name="balanced",
            description="Neutral: a subsonic high-pass and light glue compression.",
            highpass_hz=25.0,
            compression=Compression(above_target_db=6.0, ratio=1.5, attack_ms=30.0, release_ms=200.0),
        ),
        Preset(
            name="warm",
            description="Fuller lows, softer highs, slightly more glue.",
            highpass_hz=25.0,
            bands=(
                Band("low_shelf", 150.0, 2.0),
                Band("peak", 3500.0, -1.0, 0.8),
                Band("high_shelf", 9000.0, -2.0),
            ),
            compression=Compression(above_target_db=5.0, ratio=2.0, attack_ms=30.0, release_ms=250.0),
        ),
        Preset(
            name="bright",
            description="More presence and air, less low-mid mud.",
            highpass_hz=30.0,
            bands=(
                Band("low_shelf", 100.0, -1.0),
                Band("peak", 300.0, -1.5, 0.9),
                Band("high_shelf", 5000.0, 2.5),
                Band("high_shelf", 12000.0, 1.5),
            ),
            compression=Compression(above_target_db=6.0, ratio=1.5, attack_ms=30.0, release_ms=200.0),
        ),
        Preset(
            name="streaming",
            description="-14 LUFS / -1 dBTP with a mild low-mid cut and presence lift that translate to "
            "small speakers and earbuds.",
            highpass_hz=30.0,
            bands=(Band("peak", 250.0, -1.0, 0.8), Band("peak", 2500.0, 1.0, 0.8)),
            compression=Compression(above_target_db=5.0, ratio=1.8, attack_ms=20.0, release_ms=200.0),
        ),
        Preset(
            name="podcast",
            description="Voice: -16 LUFS, rumble cut at 80 Hz, less boxiness, more presence, firmer "
            "compression and half the stereo side for mono compatibility.",
            target_lufs=-16.0,
            highpass_hz=80.0,
            bands=(
                Band("peak", 250.0, -2.0, 1.0),
                Band("peak", 3000.0, 2.5, 1.0),
                Band("high_shelf", 10000.0, -1.0),
            ),
            compression=Compression(above_target_db=2.0, ratio=3.0, attack_ms=10.0, release_ms=150.0),
            side_gain=0.5,
        ),
    )
}
