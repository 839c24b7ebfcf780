"""MusicGPT request translation: field names, units, defaults, warnings and refusals."""

from __future__ import annotations

import io
from typing import Any

import pytest

from mixdown.api.compat.musicgpt import translate as tr
from mixdown.api.compat.musicgpt.endpoints import BY_PATH, ENDPOINTS, LYRICS
from mixdown.api.compat.musicgpt.errors import in_vendor_terms
from mixdown.api.compat.musicgpt.fields import (
    CapabilityMissing,
    VendorRequest,
    as_bool,
    as_list,
    own_result_id,
)
from mixdown.errors import InputError, ValidationFailed
from mixdown.service.inputs import Upload

OWN = "http://127.0.0.1:9/api/public/v1/files/res_abcdef12/0123456789abcdef0123456789abcdef.mp3"


def request(hashes: dict[str, str] | None = None, **fields: Any) -> VendorRequest:
    known = hashes or {}
    return VendorRequest(fields=fields, generation=known.get)


def test_audio_cutter_takes_milliseconds_and_output_extension() -> None:
    call = tr.audio_cutter(
        request(audio_url="https://x.test/a.mp3", start_time="10500", end_time=45000, output_extension="wav")
    )
    assert call.fields == {
        "audio_url": "https://x.test/a.mp3",
        "start_time": 10.5,
        "end_time": 45.0,
        "output_format": "wav",
    }


def test_audio_cutter_refuses_text_times_naming_the_field() -> None:
    with pytest.raises(ValidationFailed) as err:
        tr.audio_cutter(request(start_time="soon", end_time=2000))
    assert err.value.field == "start_time"


def test_deprecated_audio_path_counts_as_audio_url_and_own_links_become_result_ids() -> None:
    assert tr.speed_changer(request(audio_path="https://x.test/a.mp3", speed_change_factor=1.5)).fields == {
        "audio_url": "https://x.test/a.mp3",
        "speed_change_factor": 1.5,
    }
    assert tr.passthrough(request(audio_url=OWN, target_format="wav")).fields == {
        "input_audio": "res_abcdef12",
        "target_format": "wav",
    }


def test_mastering_reference_fields_and_file_parts() -> None:
    reference = Upload(filename="ref.wav", file=io.BytesIO(b"RIFF"))
    main = Upload(filename="a.wav", file=io.BytesIO(b"RIFF"))
    req = VendorRequest(
        fields={"reference_audio_url": "https://x.test/r.mp3", "output_extension": "flac"},
        uploads={"audio_file": main, "reference_audio_file": reference},
    )
    call = tr.mastering(req)
    assert call.fields == {"reference_audio": "https://x.test/r.mp3", "output_format": "flac"}
    assert call.upload is main and call.extra_uploads == {"reference_audio_file": reference}


@pytest.mark.parametrize(
    ("given", "native"), [("plain_text", "text"), ("formatted_text", "text"), ("SRT", "srt"), ("vtt", "vtt")]
)
def test_transcription_formats(given: str, native: str) -> None:
    call = tr.transcribe(request(transcription_format=given, language="en", word_timestamps="true"))
    assert call.fields == {"format": native, "language": "en", "word_timestamps": "true"}
    assert call.warnings == ()


def test_transcribe_translate_is_a_warning_and_unknown_format_a_422() -> None:
    call = tr.transcribe(request(translate="True"))
    assert call.warnings and call.warnings[0].startswith("translate:")
    with pytest.raises(ValidationFailed) as err:
        tr.transcribe(request(transcription_format="docx"))
    assert err.value.field == "transcription_format"


@pytest.mark.parametrize(("gender", "native"), [("m", "male"), ("F", "female"), ("male", "male")])
def test_text_to_speech_gender_and_mp3(gender: str, native: str) -> None:
    call = tr.text_to_speech(request(text="Hello there", gender=gender))
    assert call.fields == {"text": "Hello there", "gender": native, "output_format": "mp3"}


def test_text_to_speech_neutral_is_the_default_voice_and_nonsense_is_422() -> None:
    assert "gender" not in tr.text_to_speech(request(text="Hi", gender="neutral")).fields
    with pytest.raises(ValidationFailed) as err:
        tr.text_to_speech(request(text="Hi", gender="robot"))
    assert err.value.field == "gender"


def test_sound_generator_audio_length_is_duration() -> None:
    call = tr.sound_generator(request(prompt="distant thunder", audio_length="4"))
    assert call.fields == {"prompt": "distant thunder", "duration": "4", "output_format": "mp3"}


def test_music_ai_sings_the_lyrics_in_two_songs_and_keeps_title_and_lyrics() -> None:
    call = tr.music_ai(
        request(
            prompt="A dreamy synthwave night drive",
            music_style="Synthwave",
            lyrics="[Verse] neon lights",
            title="Night Drive",
            gender="m",
            model="v7-pro",
            output_length=20,
            voice_id="Drake",
            generate_album_cover="false",
            negative_tags="",
            webhook_url="https://hooks.test/x",
        )
    )
    assert call.fields == {
        "prompt": "A dreamy synthwave night drive. Synthwave",
        "lyrics": "[Verse] neon lights",
        "gender": "male",
        "instrumental": False,
        "duration": 20,
        "num_variations": 2,
        "output_format": "mp3",
        "stems": False,
        "webhook_url": "https://hooks.test/x",
    }
    assert call.outputs == 2
    assert call.vendor == {
        "title": "Night Drive",
        "lyrics": "[Verse] neon lights",
        "music_style": "Synthwave",
    }
    assert [w.split(":")[0] for w in call.warnings] == ["voice_id"]


def test_music_ai_lyrics_of_an_instrumental_are_kept_not_sung() -> None:
    call = tr.music_ai(request(prompt="lofi", lyrics="la la", gender="f", make_instrumental=1))
    assert "lyrics" not in call.fields and "gender" not in call.fields and call.fields["instrumental"] is True
    assert call.vendor["lyrics"] == "la la" and call.warnings == (
        tr.INSTRUMENTAL_NOT_SUNG,
        "gender: no lyrics are sung, so no voice is chosen",
    )
    with pytest.raises(ValidationFailed) as bad:
        tr.music_ai(request(prompt="lofi", lyrics="la la", gender="robot"))
    assert bad.value.field == "gender"


@pytest.mark.parametrize(
    ("translator", "fields"),
    [
        (tr.extend, {"audio_url": "https://x.test/s.mp3", "extend_after": 3}),
        (tr.inpaint, {"audio_url": OWN, "replace_start_at": 1, "replace_end_at": 2}),
        (tr.remix, {"audio_url": OWN}),
    ],
)
def test_lyrics_on_existing_pieces_are_not_sung(translator: Any, fields: dict[str, Any]) -> None:
    call = translator(request({"res_abcdef12": "h1"}, prompt="x", lyrics="la la", **fields))
    assert "lyrics" not in call.fields and tr.NOT_SUNG in call.warnings
    assert call.vendor["lyrics"] == "la la"


def test_music_ai_instrumental_native_model_and_missing_prompt() -> None:
    call = tr.music_ai(request(music_style="Lo-fi", make_instrumental="true", model="musicgen"))
    assert call.fields["prompt"] == "Lo-fi" and call.fields["instrumental"] is True
    assert call.fields["model"] == "musicgen"  # not a MusicGPT model name: the native field checks it
    with pytest.raises(ValidationFailed) as err:
        tr.music_ai(request(lyrics="la la la"))
    assert err.value.field == "prompt"


def test_music_ai_vocal_only_is_501_naming_the_field() -> None:
    with pytest.raises(CapabilityMissing) as err:
        tr.music_ai(request(prompt="pop", vocal_only=1))
    assert err.value.status_code == 501 and err.value.field == "vocal_only"


def test_extend_is_a_continuation_from_extend_after() -> None:
    call = tr.extend(
        request(audio_url="https://x.test/s.mp3", extend_after="35.0", prompt="calm piano outro")
    )
    assert call.fields == {
        "audio_url": "https://x.test/s.mp3",
        "continuation_start": "35.0",
        "prompt": "calm piano outro",
        "num_variations": 2,
        "output_format": "mp3",
        "stems": False,
    }
    with pytest.raises(InputError):
        tr.extend(request(extend_after=3, prompt="x"))
    with pytest.raises(ValidationFailed, match="extend_after"):
        tr.extend(request(audio_url="https://x.test/s.mp3", prompt="x"))
    with pytest.raises(ValidationFailed, match="prompt"):
        tr.extend(request(audio_url="https://x.test/s.mp3", extend_after=3))


def test_inpaint_builds_on_the_callers_own_generation_by_hash() -> None:
    call = tr.inpaint(
        request(
            {"res_abcdef12": "hash123"},
            audio_url=OWN,
            prompt="soft guitar solo",
            replace_start_at="12.5",
            replace_end_at=20,
            gender="male",
        )
    )
    assert call.fields == {
        "from_hash": "hash123",
        "operation": "inpaint",
        "replace_start": "12.5",
        "replace_end": 20,
        "num_variations": 1,
        "output_format": "mp3",
        "stems": False,
    }
    assert call.outputs == 1 and [w.split(":")[0] for w in call.warnings] == ["gender", "prompt"]


@pytest.mark.parametrize("translator", [tr.inpaint, tr.remix])
def test_inpaint_and_remix_of_other_audio_are_501(translator: Any) -> None:
    with pytest.raises(CapabilityMissing) as err:
        translator(
            request(audio_url="https://x.test/song.mp3", prompt="x", replace_start_at=1, replace_end_at=2)
        )
    assert err.value.field == "audio_url" and "own generations" in err.value.message
    with pytest.raises(CapabilityMissing):  # a link to a result that is no generation's mix
        translator(request(audio_url=OWN, prompt="x", replace_start_at=1, replace_end_at=2))


def test_remix_of_own_generation_is_a_native_remix_with_two_takes() -> None:
    call = tr.remix(request({"res_abcdef12": "h9"}, audio_url=OWN, prompt="bossa nova", title="Bossa"))
    assert call.fields == {
        "from_hash": "h9",
        "operation": "remix",
        "prompt": "bossa nova",
        "num_variations": 2,
        "output_format": "mp3",
        "stems": False,
    }
    assert call.outputs == 2 and call.vendor == {"title": "Bossa"}


def test_extraction_lists_and_voice_changer_flags() -> None:
    call = tr.extraction(request(stems='["vocals", "drums"]', preprocessing_options="Denoise, Deecho"))
    assert call.fields == {"stems": ["vocals", "drums"], "preprocessing_options": ["Denoise", "Deecho"]}
    assert tr.voice_changer(request(voice_id="v1", remove_background="1", pitch="2")).fields == {
        "voice_id": "v1",
        "remove_background": True,
        "pitch": "2",
    }
    with pytest.raises(ValidationFailed, match="lyrics"):
        tr.sing_over(request(prompt="soul"))


def test_ignored_vendor_fields_are_dropped() -> None:
    call = tr.passthrough(request(target_format="wav", user_id="u1", conversion_id="c1"))
    assert call.fields == {"target_format": "wav"}


@pytest.mark.parametrize(("value", "expected"), [("1", True), (0, False), ("False", False), (True, True)])
def test_as_bool(value: object, expected: bool) -> None:
    assert as_bool(value, "flag") is expected


def test_as_bool_and_as_list_refusals() -> None:
    with pytest.raises(ValidationFailed) as err:
        as_bool("maybe", "remove_background")
    assert err.value.field == "remove_background"
    with pytest.raises(ValidationFailed):
        as_list("[not json", "stems")


def test_own_result_id_recognises_both_link_kinds() -> None:
    assert own_result_id("http://h:1/v1/audio/res_abcdef12?format=mp3") == "res_abcdef12"
    assert own_result_id(OWN) == "res_abcdef12"
    assert own_result_id("https://s3.test/res_abcdef12.mp3") is None and own_result_id(None) is None


def test_native_task_lookup_happens_against_the_registry_given() -> None:
    extraction = BY_PATH["Extraction"]
    assert extraction.task_in({"stems", "extraction"}) == "stems"
    with pytest.raises(CapabilityMissing) as err:
        extraction.task_in({"convert"})
    assert err.value.status_code == 501 and err.value.details["native_task"] == "extract"
    assert "Stem extraction" in err.value.message
    with pytest.raises(CapabilityMissing):
        LYRICS.task_in(set())


def test_every_endpoint_has_a_distinct_path_and_a_conversion_type() -> None:
    paths = [e.path for e in ENDPOINTS]
    assert len(paths) == len(set(paths)) == 20
    assert {e.path for e in ENDPOINTS if e.pair} == {"MusicAI", "Remix", "extend", "inpaint"}


def test_errors_name_the_musicgpt_field() -> None:
    error = ValidationFailed(
        "output_format: bad", field="output_format", errors=[{"field": "output_format", "message": "bad"}]
    )
    renamed = in_vendor_terms(error, BY_PATH["audio_cutter"])
    assert renamed.field == "output_extension" and renamed.message == "output_extension: bad"
    assert renamed.details["errors"][0]["field"] == "output_extension"
    inpaint = in_vendor_terms(ValidationFailed("x", field="replace_end"), BY_PATH["inpaint"])
    assert inpaint.field == "replace_end_at"
    untouched = in_vendor_terms(
        ValidationFailed("target_sr: bad", field="target_sr"), BY_PATH["file_convert"]
    )
    assert untouched.field == "target_sr"
