"""The producer: Score -> per-part FluidSynth render -> per-stem effects -> mix -> master.

::

    render_chunks(score, sr)        Chunk(start, frames, section, stems)   (whole and streamed alike)
    produce(score, sample_rate=sr)  Production(mix, premaster, stems, loudness_lufs, true_peak_db, gain_db)
    produce_to_files(score, ...)    the same for long pieces, in bounded memory, as float WAV files
    predict_master_gain(score)      MasterGains for StreamMaster (mastering without the whole piece)
    start_stream(score, ...)        MasteredStream(gains, pieces): forecast, then master as it renders
    stream_mastered(score, ...)     the mastered piece chunk by chunk (predicted gains + StreamMaster)

Stems are post-effects and pre-master; ``premaster`` is their exact sum; the master chain (bus,
loudness normalisation, true-peak limiter) acts on that sum only.
"""

from mixdown.engines.music.produce.chunks import Chunk, render_chunks, sum_stems
from mixdown.engines.music.produce.files import ProductionFiles, produce_to_files
from mixdown.engines.music.produce.forecast import predict_master_gain
from mixdown.engines.music.produce.loudness import integrated_loudness, true_peak_db
from mixdown.engines.music.produce.master import MasterGains, StreamMaster, master_audio
from mixdown.engines.music.produce.production import (
    MasteredStream,
    Production,
    produce,
    start_stream,
    stream_mastered,
)
from mixdown.engines.music.produce.render import SUPPORTED_RATES
from mixdown.engines.music.produce.soundfont import SoundfontNotFound, find_soundfont

__all__ = [
    "SUPPORTED_RATES",
    "Chunk",
    "MasterGains",
    "MasteredStream",
    "Production",
    "ProductionFiles",
    "SoundfontNotFound",
    "StreamMaster",
    "find_soundfont",
    "integrated_loudness",
    "master_audio",
    "predict_master_gain",
    "produce",
    "produce_to_files",
    "render_chunks",
    "start_stream",
    "stream_mastered",
    "sum_stems",
    "true_peak_db",
]
