"""MusicGPT's Extraction fields, translated to the native ``extract`` task."""

from __future__ import annotations

from typing import Any

from mixdown.api.compat.musicgpt import translate as tr
from mixdown.api.compat.musicgpt.endpoints import BY_PATH
from mixdown.api.compat.musicgpt.fields import VendorRequest
from mixdown.service.inputs import Upload

OWN = "http://127.0.0.1:9/api/public/v1/files/res_abcdef12/0123456789abcdef0123456789abcdef.mp3"


def request(uploads: dict[str, Upload] | None = None, **fields: Any) -> VendorRequest:
    return VendorRequest(fields=fields, uploads=uploads or {}, generation={"res_abcdef12": "h42"}.get)


def test_extract_is_the_first_native_task() -> None:
    assert BY_PATH["Extraction"].tasks[0] == "extract"
    assert BY_PATH["Extraction"].task_in({"extract", "stems"}) == "extract"


def test_lists_pass_as_lists_and_eco_mode_is_a_warning() -> None:
    call = tr.extraction(
        request(audio_url="https://x.test/a.mp3", stems='["vocals","kick_drum"]', eco_mode="1")
    )
    assert call.fields == {"audio_url": "https://x.test/a.mp3", "stems": ["vocals", "kick_drum"]}
    assert call.warnings == ("eco_mode: no effect; the engine is chosen by what is installed",)
    assert tr.extraction(request(audio_url="https://x.test/a.mp3", eco_mode="0")).warnings == ()


def test_an_own_song_is_extracted_exactly_by_its_hash() -> None:
    call = tr.extraction(request(audio_url=OWN, stems="drums, bass", preprocessing_options='["Denoise"]'))
    assert call.fields == {"from_hash": "h42", "stems": ["drums", "bass"]}
    assert call.warnings and call.warnings[0].startswith("preprocessing_options: not applied")


def test_another_result_of_the_caller_is_separated_as_audio() -> None:
    other = OWN.replace("res_abcdef12", "res_zzzzzz99")
    call = tr.extraction(request(audio_url=other, stems='["vocals"]'))
    assert call.fields == {"input_audio": "res_zzzzzz99", "stems": ["vocals"]}
