"""Finding the General MIDI soundfont and keeping FluidSynth synths loaded with it.

Loading is the expensive part (FluidR3_GM.sf2 0.15-0.45 s; MuseScore_General_Full.sf3 decodes
Vorbis for 3-7 s), so a process loads each soundfont once. FluidSynth keeps a process-wide sample
cache keyed by file: while one synth holds the soundfont, another synth (any sample rate, any
thread) loads it in ~0.03 s and shares the sample memory. So an idle synth per soundfont stays
loaded, and every render gets a fresh synth of its own (see ``SynthPool``).

See ``docs/soundfonts.md`` for the comparison behind the default order.
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mixdown.errors import EngineUnavailable

# Best first (docs/soundfonts.md): FluidR3 wins on load time, memory and punch for pop/electronic
# material; MuseScore General (better piano and strings) is the alternative, selectable by name.
CANDIDATES: tuple[tuple[str, str, str], ...] = (
    ("fluidr3", "/usr/share/sounds/sf2/FluidR3_GM.sf2", "fluid-soundfont-gm"),
    ("musescore", "/usr/share/sounds/sf3/MuseScore_General_Full.sf3", "musescore-general-soundfont"),
    (
        "musescore-lite",
        "/usr/share/sounds/sf3/MuseScore_General_Lite.sf3",
        "musescore-general-soundfont-small",
    ),
    ("timgm6mb", "/usr/share/sounds/sf2/TimGM6mb.sf2", "timgm6mb-soundfont"),
)

# FluidSynth renders in blocks of this many frames; note events take effect on block boundaries.
BLOCK = 64
_INTERP_4TH_ORDER = 4
_CHANNEL_TYPE_MELODIC = 0
_CHANNEL_TYPE_DRUM = 1


class SoundfontNotFound(EngineUnavailable):
    """No General MIDI soundfont was found: install the Debian package fluid-soundfont-gm."""


def find_soundfont(preferred: str | os.PathLike[str] | None = None) -> Path:
    """The soundfont to use: ``preferred`` (a path or a name from ``CANDIDATES``), else the best installed.

    Parameters
    ----------
    preferred
        The configured value (``Settings.soundfont``): a file path, or one of the short names
        ``fluidr3``, ``musescore``, ``musescore-lite``, ``timgm6mb``. ``None`` picks the first
        installed candidate.

    Raises
    ------
    SoundfontNotFound
        When the configured file does not exist or no candidate is installed; the message names the
        Debian package that provides it.

    Examples
    --------
    >>> find_soundfont().suffix in (".sf2", ".sf3")
    True
    """
    if preferred is not None and str(preferred):
        return _preferred(str(preferred))
    for _name, path, _package in CANDIDATES:
        if Path(path).is_file():
            return Path(path)
    packages = ", ".join(package for _n, _p, package in CANDIDATES[:2])
    raise SoundfontNotFound(
        f"no General MIDI soundfont installed: `apt-get install {CANDIDATES[0][2]}` "
        f"(or one of: {packages}), or configure a .sf2/.sf3 path"
    )


def _preferred(value: str) -> Path:
    for name, known, package in CANDIDATES:
        if value.lower() == name:
            if Path(known).is_file():
                return Path(known)
            raise SoundfontNotFound(
                f"soundfont {name!r} ({known}) is not installed: `apt-get install {package}`"
            )
    path = Path(value).expanduser()
    if not path.is_file():
        raise SoundfontNotFound(
            f"configured soundfont {value!r} does not exist; give a .sf2/.sf3 path or one of "
            f"{', '.join(name for name, _p, _k in CANDIDATES)}"
        )
    return path


class _Lib:
    """The few libfluidsynth calls of the render loop, typed once (pyfluidsynth wraps them slowly)."""

    def __init__(self) -> None:
        import fluidsynth

        lib = ctypes.CDLL(fluidsynth.lib)
        vp, c_int, c_float = ctypes.c_void_p, ctypes.c_int, ctypes.c_float
        self.process = _proto(lib.fluid_synth_process, c_int, vp, c_int, c_int, vp, c_int, vp)
        self.noteon = _proto(lib.fluid_synth_noteon, c_int, vp, c_int, c_int, c_int)
        self.noteoff = _proto(lib.fluid_synth_noteoff, c_int, vp, c_int, c_int)
        self.cc = _proto(lib.fluid_synth_cc, c_int, vp, c_int, c_int, c_int)
        self.system_reset = _proto(lib.fluid_synth_system_reset, c_int, vp)
        self.set_interp = _proto(lib.fluid_synth_set_interp_method, c_int, vp, c_int, c_int)
        self.set_channel_type = _proto(lib.fluid_synth_set_channel_type, c_int, vp, c_int, c_int)
        self.program_select = _proto(lib.fluid_synth_program_select, c_int, vp, c_int, c_int, c_int, c_int)
        self.set_gain = _proto(lib.fluid_synth_set_gain, None, vp, c_float)


def _proto(func: Any, restype: Any, *argtypes: Any) -> Any:
    func.restype = restype
    func.argtypes = list(argtypes)
    return func


_LIB: _Lib | None = None
_LIB_LOCK = threading.Lock()


def lib() -> _Lib:
    """libfluidsynth, loaded on first use (a clear error when the Debian library is missing)."""
    global _LIB
    with _LIB_LOCK:
        if _LIB is None:
            try:
                _LIB = _Lib()
            except (ImportError, OSError) as exc:
                raise EngineUnavailable(
                    "the FluidSynth library is missing: `apt-get install libfluidsynth3`"
                ) from exc
        return _LIB


@dataclass(eq=False)
class Synth:
    """One FluidSynth instance with the soundfont loaded.

    MIDI channel ``i < outputs`` plays into stereo output ``i`` (``synth.audio-groups``).
    """

    path: Path
    sample_rate: int
    channels: int  # MIDI channels, a multiple of 16
    outputs: int  # stereo outputs, one per part
    handle: Any = field(repr=False)  # the pyfluidsynth ``Synth`` (keeps the C object alive)
    sfont_id: int = 0

    @property
    def ptr(self) -> ctypes.c_void_p:
        """The ``fluid_synth_t*``."""
        return ctypes.c_void_p(self.handle.synth)

    def reset(self, programs: list[tuple[int, bool, int, int]]) -> None:
        """Set ``(channel, is_drum, bank, program)`` for each used channel, the others to defaults."""
        fl, ptr = lib(), self.ptr
        fl.system_reset(ptr)
        for chan in range(self.channels):
            fl.set_channel_type(ptr, chan, _CHANNEL_TYPE_MELODIC)
        for chan, is_drum, bank, program in programs:
            fl.set_channel_type(ptr, chan, _CHANNEL_TYPE_DRUM if is_drum else _CHANNEL_TYPE_MELODIC)
            if fl.program_select(ptr, chan, self.sfont_id, bank, program) != 0:
                # A kit or variation the soundfont lacks: fall back to the GM default of its bank.
                fl.program_select(ptr, chan, self.sfont_id, 128 if is_drum else 0, 0 if is_drum else program)
        fl.set_interp(ptr, -1, _INTERP_4TH_ORDER)


# FluidSynth settings that make output deterministic and leave effects to us.
SYNTH_SETTINGS: dict[str, int | float | str] = {
    "synth.reverb.active": 0,
    "synth.chorus.active": 0,
    "synth.cpu-cores": 1,  # more threads split voices non-deterministically: float sums change order
    "synth.polyphony": 1024,  # no voice stealing in dense passages
    "synth.gain": 0.4,
}


class SynthPool:
    """Fresh synths on demand, cheap because one idle "keeper" synth per soundfont pins its samples.

    A synth is never reused: FluidSynth voices keep state from their previous notes, so a reused
    synth renders the same score slightly differently depending on what it played before. A fresh
    synth over the cached samples takes ~0.03-0.05 s to make; the first load of a soundfont pays
    the full price once per process.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keepers: dict[Path, Synth] = {}

    def warm(self, path: Path) -> None:
        """Load ``path`` once for the process (a worker may call this at start-up)."""
        with self._lock:
            if path not in self._keepers:
                self._keepers[path] = _new_synth(path, 44100, 1)

    @contextmanager
    def acquire(self, path: Path, sample_rate: int, parts: int) -> Iterator[Synth]:
        """A new synth for one render of ``parts`` parts, deleted afterwards."""
        self.warm(path)
        synth = _new_synth(path, sample_rate, parts)
        try:
            yield synth
        finally:
            synth.handle.delete()


def _new_synth(path: Path, sample_rate: int, parts: int) -> Synth:
    import fluidsynth

    channels, outputs = max(16, -(-parts // 16) * 16), max(1, parts)
    lib()  # fail early, with the fix-it message, when libfluidsynth is missing
    settings: dict[str, int | float | str] = {
        **SYNTH_SETTINGS,
        "synth.audio-channels": outputs,
        "synth.audio-groups": outputs,
    }
    handle = fluidsynth.Synth(
        gain=float(settings.pop("synth.gain")), samplerate=float(sample_rate), channels=channels, **settings
    )
    sfont_id = handle.sfload(str(path))
    if sfont_id < 0:
        handle.delete()
        raise SoundfontNotFound(f"FluidSynth could not load the soundfont {path}")
    return Synth(
        path=path,
        sample_rate=sample_rate,
        channels=channels,
        outputs=outputs,
        handle=handle,
        sfont_id=sfont_id,
    )


POOL = SynthPool()
