"""Tiny random MusicGen and MusicGen-Melody checkpoints, saved once per session like real ones.

Same architecture and files as ``facebook/musicgen-small`` / ``-melody`` (config, generation
config, safetensors, tokenizer), with sizes small enough to generate a second of audio in
~0.1 s. Recipe: /work/shared/reference/offline-models.md.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

CODEBOOK_SIZE = 64  # decoder vocab_size must equal EnCodec's codebook_size
PAD_ID = CODEBOOK_SIZE  # MusicGen's pad/bos/decoder-start id is vocab_size


def _configs(transformers: Any, *, melody: bool, stereo: bool) -> Any:
    text = transformers.T5Config(vocab_size=40, d_model=16, d_kv=4, d_ff=32, num_layers=1, num_heads=2)
    codec = transformers.EncodecConfig(
        sampling_rate=32000,
        hidden_size=32,
        num_filters=4,
        upsampling_ratios=[8, 5, 4, 4],
        codebook_size=CODEBOOK_SIZE,
        num_lstm_layers=1,
        target_bandwidths=[0.6],  # 2 quantizers >= 2 codebooks
    )
    decoder_cls = transformers.MusicgenMelodyDecoderConfig if melody else transformers.MusicgenDecoderConfig
    decoder = decoder_cls(
        vocab_size=CODEBOOK_SIZE,
        num_codebooks=4 if stereo else 2,  # stereo interleaves 2 codebooks per channel
        audio_channels=2 if stereo else 1,
        hidden_size=32,
        ffn_dim=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        pad_token_id=PAD_ID,
        bos_token_id=PAD_ID,
    )
    if melody:
        return transformers.MusicgenMelodyConfig(
            text_encoder=text, audio_encoder=codec, decoder=decoder, chroma_length=16
        )
    return transformers.MusicgenConfig(text_encoder=text, audio_encoder=codec, decoder=decoder)


def _tokenizer(transformers: Any) -> Any:
    """A T5 unigram tokenizer built in memory (no download, no sentencepiece file)."""
    pieces = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("\u2581", -2.0)]
    pieces += [(c, -3.0) for c in "abcdefghijklmnopqrstuvwxyz"]
    return transformers.T5Tokenizer(vocab=pieces, extra_ids=0)


def save_tiny_musicgen(folder: Path, *, melody: bool = False, stereo: bool = False) -> Path:
    """Build a random tiny checkpoint and ``save_pretrained`` it (model + tokenizer) into ``folder``."""
    import torch
    import transformers

    config = _configs(transformers, melody=melody, stereo=stereo)
    cls = (
        transformers.MusicgenMelodyForConditionalGeneration
        if melody
        else transformers.MusicgenForConditionalGeneration
    )
    with torch.random.fork_rng():
        torch.manual_seed(1234)
        model: Any = cls(config)
        # EnCodec's codebooks start as zeros (trained ones are not): give every code its own sound.
        for layer in model.audio_encoder.quantizer.layers:
            layer.codebook.embed.normal_()
    generation = model.generation_config
    generation.decoder_start_token_id = generation.pad_token_id = generation.bos_token_id = PAD_ID
    # The released checkpoints' defaults, so the engine's overrides are exercised.
    generation.do_sample, generation.top_k, generation.guidance_scale, generation.max_length = (
        True,
        250,
        3.0,
        1500,
    )
    model.save_pretrained(folder)
    _tokenizer(transformers).save_pretrained(folder)
    return folder


@pytest.fixture(scope="session", autouse=True)
def _one_torch_thread() -> Iterator[None]:
    """Tiny models run ~10x faster on one thread than on two contended ones; restored afterwards."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models folder with ``musicgen-tiny`` (plain) and ``musicgen-melody-tiny``."""
    root = tmp_path_factory.mktemp("models")
    save_tiny_musicgen(root / "musicgen-tiny")
    save_tiny_musicgen(root / "musicgen-melody-tiny", melody=True)
    return root


@pytest.fixture(scope="session")
def plain_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models folder with only the plain checkpoint (no melody support)."""
    root = tmp_path_factory.mktemp("plain-models")
    save_tiny_musicgen(root / "musicgen-small")
    return root


@pytest.fixture(scope="session")
def stereo_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models folder with a stereo checkpoint, like ``musicgen-stereo-small``."""
    root = tmp_path_factory.mktemp("stereo-models")
    save_tiny_musicgen(root / "musicgen-stereo-small", stereo=True)
    return root
