"""The torch side of the MusicGen engine: load a checkpoint, generate one window, melody chroma.

Imported lazily by :mod:`mixdown.engines.musicgen` once torch and transformers are known to be
installed, so importing the engine (and listing it in ``GET /v1/models``) stays cheap.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch

FloatArray = npt.NDArray[np.float32]

TEXT_MAX_TOKENS = 256
"""Longest prompt in T5 tokens; longer prompts are truncated."""

# Generation mutates torch's global RNG (transformers' sampling takes no generator), so one
# generation runs at a time per process and the RNG state is restored afterwards.
_GENERATE_LOCK = threading.Lock()


@dataclass(frozen=True, kw_only=True)
class Sampling:
    """Sampling parameters with MusicGen's meanings: 0 disables ``top_k``/``top_p``."""

    temperature: float
    top_k: int
    top_p: float
    guidance_scale: float

    def generate_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``model.generate``; temperature 0 means greedy decoding."""
        guidance = self.guidance_scale if self.guidance_scale > 1.0 else None
        if self.temperature <= 0.0:
            return {
                "do_sample": False,
                "temperature": None,
                "top_k": None,
                "top_p": None,
                "guidance_scale": guidance,
            }
        return {
            "do_sample": True,
            "temperature": self.temperature,
            "top_k": self.top_k if self.top_k > 0 else 0,
            "top_p": self.top_p if 0.0 < self.top_p < 1.0 else 1.0,
            "guidance_scale": guidance,
        }


@dataclass(frozen=True, kw_only=True)
class ChromaSpec:
    """How MusicGen-Melody's chroma was computed in training (see its ``preprocessor_config.json``)."""

    sample_rate: int = 32000
    n_fft: int = 16384
    hop_length: int = 4096
    bins: int = 12

    @classmethod
    def from_folder(cls, path: Path) -> ChromaSpec:
        """The feature extractor's settings if the checkpoint has them, else MusicGen-Melody's."""
        config = path / "preprocessor_config.json"
        if not config.is_file():
            return cls()
        raw = json.loads(config.read_text(encoding="utf-8"))
        default = cls()
        return cls(
            sample_rate=int(raw.get("sampling_rate", default.sample_rate)),
            n_fft=int(raw.get("n_fft", default.n_fft)),
            hop_length=int(raw.get("hop_length", default.hop_length)),
            bins=int(raw.get("num_chroma", default.bins)),
        )


def chroma_features(audio: FloatArray, spec: ChromaSpec) -> FloatArray:
    """One-hot dominant chroma per frame, ``(frames, bins)``, of mono ``audio`` at ``spec.sample_rate``.

    The features of transformers' ``MusicgenMelodyFeatureExtractor``, which needs torchaudio: the
    same power spectrogram (``torch.stft``, periodic Hann, centred, reflect padding), the same
    librosa-style chroma filter bank, and the argmax per frame. librosa's own ``stft`` gives the
    same numbers but compiles numba code for ~20 s the first time on a machine.
    """
    if len(audio) < spec.n_fft:
        audio = np.pad(audio, (0, spec.n_fft - len(audio)))
    stft = torch.stft(
        torch.from_numpy(np.ascontiguousarray(audio, dtype=np.float32)),
        n_fft=spec.n_fft,
        hop_length=spec.hop_length,
        window=torch.hann_window(spec.n_fft),
        center=True,
        pad_mode="reflect",
        return_complex=True,
    )
    power = stft.abs().pow(2).numpy()
    dominant = np.argmax(_chroma_filters(spec) @ power, axis=0)
    one_hot: FloatArray = np.eye(spec.bins, dtype=np.float32)[dominant]
    return one_hot


@functools.lru_cache(maxsize=4)
def _chroma_filters(spec: ChromaSpec) -> npt.NDArray[np.float64]:
    from transformers.audio_utils import chroma_filter_bank

    filters: npt.NDArray[np.float64] = chroma_filter_bank(
        sampling_rate=spec.sample_rate, num_frequency_bins=spec.n_fft, tuning=0, num_chroma=spec.bins
    )
    return filters


def resolve_device(setting: str) -> str:
    """``auto`` -> ``cuda`` when torch sees a GPU, else ``cpu``; other values pass through."""
    if setting == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return setting


@contextlib.contextmanager
def seeded(seed: int, device: str) -> Iterator[None]:
    """Run the body with torch seeded by ``seed``, restoring every RNG state afterwards."""
    cuda = list(range(torch.cuda.device_count())) if device.startswith("cuda") else []
    with _GENERATE_LOCK, torch.random.fork_rng(devices=cuda):
        torch.manual_seed(seed)
        yield


class LoadedMusicGen:
    """A MusicGen (or MusicGen-Melody) model and tokenizer, ready on one device."""

    def __init__(
        self, *, name: str, model: Any, tokenizer: Any, device: str, chroma: ChromaSpec | None
    ) -> None:
        self.name = name
        self.model = model
        self.tokenizer = tokenizer
        self.device = device
        self.chroma = chroma
        codec = model.config.audio_encoder
        self.sample_rate = int(codec.sampling_rate)
        self.hop = math.prod(int(r) for r in codec.upsampling_ratios)
        self.num_codebooks = int(model.decoder.num_codebooks)
        self.channels = int(model.decoder.config.audio_channels)

    @property
    def melody(self) -> bool:
        """Whether the checkpoint takes a melody (chroma) condition."""
        return self.chroma is not None

    @property
    def frame_rate(self) -> float:
        """Audio-code frames per second (50 for the released checkpoints)."""
        return self.sample_rate / self.hop

    @property
    def max_window_frames(self) -> int:
        """The longest window the decoder's positions cover, after the conditioning prefix."""
        positions = int(self.model.decoder.config.max_position_embeddings)
        prefix = int(self.model.config.chroma_length) + TEXT_MAX_TOKENS if self.melody else 0
        return positions - prefix - self.num_codebooks // self.channels - 1

    def generate_window(
        self,
        text: str,
        *,
        new_frames: int,
        context: FloatArray | None,
        chroma: FloatArray | None,
        sampling: Sampling,
    ) -> FloatArray:
        """``(channels, samples)`` audio: the re-decoded ``context`` then ``new_frames`` new frames.

        ``context`` is ``(channels, samples)`` at the model rate, a whole number of frames long;
        ``chroma`` is ``(frames, bins)`` for the window's span (melody checkpoints only).
        """
        kwargs: dict[str, Any] = {**self._text_inputs(text), **sampling.generate_kwargs()}
        # Codebook k is delayed by k steps (per channel in stereo): the last steps finish the pattern.
        kwargs["max_new_tokens"] = new_frames + self.num_codebooks // self.channels - 1
        context_frames = 0
        if context is not None:
            kwargs["decoder_input_ids"] = self.encode(context)
            context_frames = int(kwargs["decoder_input_ids"].shape[-1])
        if chroma is not None:
            kwargs["input_features"] = torch.from_numpy(chroma)[None].to(self.device, self.model.dtype)
        with torch.inference_mode():
            out = self.model.generate(**kwargs)
        audio = out[0].float().cpu().numpy()
        expected = (context_frames + new_frames) * self.hop
        if audio.shape != (self.channels, expected):
            raise RuntimeError(f"MusicGen returned {audio.shape}, expected {(self.channels, expected)}")
        return np.ascontiguousarray(audio, dtype=np.float32)

    def encode(self, audio: FloatArray) -> Any:
        """EnCodec codes of ``(channels, samples)`` audio as decoder ids ``(codebooks, frames)``."""
        wav = torch.from_numpy(np.ascontiguousarray(audio))[None].to(self.device, self.model.dtype)
        encoder = self.model.audio_encoder
        with torch.inference_mode():
            per_channel = [encoder.encode(wav[:, c : c + 1]).audio_codes[0, 0] for c in range(self.channels)]
        # Stereo checkpoints interleave codebooks: left 0, right 0, left 1, right 1, ...
        codes = torch.stack(per_channel, dim=1).reshape(-1, per_channel[0].shape[-1])
        if codes.shape[0] != self.num_codebooks:
            raise RuntimeError(
                f"EnCodec gave {codes.shape[0]} codebooks, the decoder uses {self.num_codebooks}"
            )
        return codes

    def melody_chroma(self, audio: FloatArray) -> FloatArray:
        """Chroma of mono ``audio`` at the model rate (melody checkpoints only)."""
        if self.chroma is None:
            raise ValueError(f"checkpoint {self.name} does not take a melody")
        return chroma_features(audio, self.chroma)

    def _text_inputs(self, text: str) -> dict[str, Any]:
        tokens = self.tokenizer(
            [text], padding=True, truncation=True, max_length=TEXT_MAX_TOKENS, return_tensors="pt"
        )
        return {key: value.to(self.device) for key, value in tokens.items()}


def load_checkpoint(path: Path, *, name: str, device: str, melody: bool) -> LoadedMusicGen:
    """Load a ``save_pretrained`` folder onto ``device`` (float16 on CUDA), never downloading."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import transformers

    cls = (
        transformers.MusicgenMelodyForConditionalGeneration
        if melody
        else transformers.MusicgenForConditionalGeneration
    )
    dtype = torch.float16 if device.startswith("cuda") else torch.float32
    with _quiet_progress(transformers):
        model: Any = cls.from_pretrained(path, local_files_only=True, dtype=dtype)
        tokenizer = transformers.AutoTokenizer.from_pretrained(path, local_files_only=True)
    model.to(device)
    model.eval()
    _fill_generation_ids(model)
    chroma = ChromaSpec.from_folder(path) if melody else None
    return LoadedMusicGen(name=name, model=model, tokenizer=tokenizer, device=device, chroma=chroma)


def _fill_generation_ids(model: Any) -> None:
    """A folder without ``generation_config.json`` still generates: its ids are the decoder's pad."""
    config = model.generation_config
    pad = int(model.decoder.config.pad_token_id)
    for key in ("decoder_start_token_id", "pad_token_id", "bos_token_id"):
        if getattr(config, key, None) is None:
            setattr(config, key, pad)


@contextlib.contextmanager
def _quiet_progress(transformers: Any) -> Iterator[None]:
    """No "Loading weights" progress bars in worker logs."""
    logging = transformers.utils.logging
    was_enabled = logging.is_progress_bar_enabled()
    logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            logging.enable_progress_bar()
