"""One translator per MusicGPT endpoint: ``VendorRequest`` in, ``NativeCall`` out.

Field names come from MusicGPT's endpoint pages and its n8n node (``/work/shared/reference/
vendor-apis.md``). Values pass through untouched unless MusicGPT counts in other units, so the
native parameter models do all validation. Fields MusicGPT documents but this server cannot act
on are accepted and reported in the answer's ``warnings``; asking for something impossible
(``vocal_only``, inpainting uploaded audio) is a 501 naming what is missing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from mixdown.api.compat.musicgpt.fields import (
    DEFAULT_FORMAT,
    CapabilityMissing,
    NativeCall,
    VendorRequest,
    as_bool,
    as_list,
    as_number,
    base_call,
    own_result_id,
    pop_text,
    require_audio,
)
from mixdown.errors import ValidationFailed

OUTPUT_EXTENSION = {"output_extension": "output_format"}
# MusicGPT's models all become the embedded engine; another name goes to the native model field.
MUSICGPT_MODELS = frozenset({"v6", "v6-pro", "v7", "v7-pro"})
TRANSCRIPTION_FORMATS = {
    "plain_text": "text",
    "formatted_text": "text",
    "text": "text",
    "srt": "srt",
    "vtt": "vtt",
    "json": "json",
}
_UNSET = frozenset({"", "false", "0", "no", "none", "null"})  # a field sent empty or switched off
GENDERS = {"m": "male", "male": "male", "f": "female", "female": "female"}
NOT_SUNG = (
    "lyrics: not sung; extend, inpaint and remix build on the piece's score, and only new Music AI "
    "songs are sung here (the lyrics are kept and returned with the conversion)"
)
INSTRUMENTAL_NOT_SUNG = (
    "lyrics: not sung, as make_instrumental is true (kept and returned with the conversion)"
)
NO_VOICE = "not sung here (see lyrics)"


def passthrough(req: VendorRequest) -> NativeCall:
    """Same field names as the native task (file_convert, denoise, deecho, dereverb, key/BPM, MIDI)."""
    return base_call(req)[1]


def audio_cutter(req: VendorRequest) -> NativeCall:
    """``start_time`` / ``end_time`` in milliseconds become seconds; ``output_extension`` the format."""
    fields, call = base_call(req, OUTPUT_EXTENSION)
    for name in ("start_time", "end_time"):
        if fields.get(name) is not None:
            fields[name] = as_number(fields[name], name) / 1000.0
    return call


def speed_changer(req: VendorRequest) -> NativeCall:
    """``speed_change_factor`` is the native name; ``output_extension`` is the format."""
    return base_call(req, OUTPUT_EXTENSION)[1]


def mastering(req: VendorRequest) -> NativeCall:
    """The reference comes as ``reference_audio_url`` or a ``reference_audio_file`` part."""
    return base_call(req, {**OUTPUT_EXTENSION, "reference_audio_url": "reference_audio"})[1]


def transcribe(req: VendorRequest) -> NativeCall:
    """``transcription_format`` names map to the native ``format``; ``translate`` is not done."""
    fields, call = base_call(req)
    warnings: list[str] = []
    if "translate" in fields and as_bool(fields.pop("translate"), "translate"):
        warnings.append("translate: not supported; the transcript is in the language spoken")
    chosen = pop_text(fields, "transcription_format")
    if chosen:
        if chosen.lower() not in TRANSCRIPTION_FORMATS:
            allowed = ", ".join(TRANSCRIPTION_FORMATS)
            raise ValidationFailed(
                f"transcription_format: {chosen!r} is not one of {allowed}", field="transcription_format"
            )
        fields["format"] = TRANSCRIPTION_FORMATS[chosen.lower()]
    return replace(call, warnings=tuple(warnings))


def text_to_speech(req: VendorRequest) -> NativeCall:
    """``gender`` ``m``/``f`` (or male/female; neutral means the default voice); MP3 out."""
    fields, call = base_call(req)
    _native_gender(fields)
    fields.setdefault("output_format", DEFAULT_FORMAT)
    return call


def _native_gender(fields: dict[str, Any]) -> None:
    """MusicGPT's ``gender`` (m, f, male, female; neutral or empty: the default voice), natively."""
    gender = pop_text(fields, "gender").lower()
    if gender in GENDERS:
        fields["gender"] = GENDERS[gender]
    elif gender not in ("", "neutral"):
        raise ValidationFailed("gender: must be male, female, m, f or neutral", field="gender")


def sound_generator(req: VendorRequest) -> NativeCall:
    """``audio_length`` (seconds) is the native ``duration``; MP3 out."""
    fields, call = base_call(req, {"audio_length": "duration"})
    fields.setdefault("output_format", DEFAULT_FORMAT)
    return call


def _song_defaults(fields: dict[str, Any], outputs: int) -> None:
    fields["num_variations"] = outputs
    fields.setdefault("output_format", DEFAULT_FORMAT)
    fields.setdefault("stems", False)  # MusicGPT delivers songs, not stems


def _vendor_text(fields: dict[str, Any], *names: str) -> dict[str, str]:
    return {name: text for name in names if (text := pop_text(fields, name))}


def _ignored(fields: dict[str, Any], reasons: dict[str, str]) -> list[str]:
    """Warnings for the given fields that have no effect here (removed from ``fields``)."""
    found = [name for name in reasons if str(fields.get(name) or "").strip().lower() not in _UNSET]
    for name in reasons:
        fields.pop(name, None)
    return [f"{name}: {reasons[name]}" for name in found]


def _prompt(fields: dict[str, Any], style: str | None) -> str:
    """The native prompt: MusicGPT's prompt and music style, which both describe the music."""
    parts = [pop_text(fields, "prompt"), style or ""]
    prompt = ". ".join(part for part in parts if part)
    if not prompt:
        raise ValidationFailed("prompt: give a prompt or a music_style", field="prompt")
    return prompt


def music_ai(req: VendorRequest) -> NativeCall:
    """Two songs from a prompt and/or music style (native ``generate``, two variations).

    ``lyrics`` are sung (native ``lyrics``, ``gender`` m/f the voice) unless ``make_instrumental``
    is true; without lyrics a song's vocal line is wordless.
    """
    fields, call = base_call(req, {"output_length": "duration"})
    vendor = _vendor_text(fields, "title", "lyrics", "music_style")
    if "vocal_only" in fields and as_bool(fields.pop("vocal_only"), "vocal_only"):
        raise CapabilityMissing(
            "vocal_only: songs are sung over their backing here; the voice alone is the native "
            "generate task's vocals stem (stems: true), not a Music AI song",
            field="vocal_only",
        )
    instrumental = as_bool(fields.pop("make_instrumental", False), "make_instrumental")
    warnings = _sung(fields, vendor.get("lyrics"), instrumental)
    warnings += _ignored(
        fields,
        {
            "voice_id": "MusicGPT's voice models are not installed; a Festival voice of the gender sings",
            "negative_tags": "not supported by the embedded engine",
            "generate_album_cover": "no album covers are made here",
        },
    )
    fields["prompt"] = _prompt(fields, vendor.get("music_style"))
    fields["instrumental"] = instrumental  # MusicGPT's songs have vocals unless asked otherwise
    if str(fields.get("model", "")).lower() in MUSICGPT_MODELS:
        fields.pop("model")
    _song_defaults(fields, 2)
    return replace(call, outputs=2, vendor=vendor, warnings=tuple(warnings))


def _sung(fields: dict[str, Any], lyrics: str | None, instrumental: bool) -> list[str]:
    """Send the lyrics and the singer's gender on when they are to be sung; warnings otherwise."""
    if not lyrics or instrumental:
        warnings = [INSTRUMENTAL_NOT_SUNG] if lyrics else []
        gender = pop_text(fields, "gender")
        return warnings + (["gender: no lyrics are sung, so no voice is chosen"] if gender else [])
    fields["lyrics"] = lyrics
    _native_gender(fields)
    return []


def extend(req: VendorRequest) -> NativeCall:
    """A continuation of the audio from ``extend_after`` seconds (native ``generate``, two takes)."""
    fields, call = base_call(req, {"extend_after": "continuation_start"})
    require_audio(fields, call)
    if fields.get("continuation_start") in (None, ""):
        raise ValidationFailed("extend_after: required (seconds into the audio)", field="extend_after")
    if not str(fields.get("prompt") or "").strip():
        raise ValidationFailed(
            "prompt: required here; it sets the style of the extension (tempo and key come from the audio)",
            field="prompt",
        )
    vendor = _vendor_text(fields, "title", "lyrics")
    warnings = [NOT_SUNG] if vendor.get("lyrics") or fields.get("lyrics_section_to_extend") else []
    fields.pop("lyrics_section_to_extend", None)
    warnings += _ignored(fields, {"gender": NO_VOICE})
    _song_defaults(fields, 2)
    return replace(call, outputs=2, vendor=vendor, warnings=tuple(warnings))


def _own_generation(req: VendorRequest, fields: dict[str, Any], endpoint: str, missing: str) -> str:
    """The hash of the generation whose mix ``audio_url`` links to; 501 for any other audio."""
    result_id = fields.pop("input_audio", None) or own_result_id(fields.get("audio_url"))
    digest = req.generation(str(result_id)) if result_id else None
    if digest is None:
        raise CapabilityMissing(
            f"{endpoint} works here only on this server's own generations: pass the audio_url of "
            f"a Music AI result. {missing}",
            field="audio_url",
        )
    fields.pop("audio_url", None)
    return digest


def inpaint(req: VendorRequest) -> NativeCall:
    """Recompose ``replace_start_at``..``replace_end_at`` of one of the caller's own generations."""
    names = {"replace_start_at": "replace_start", "replace_end_at": "replace_end"}
    fields, call = base_call(req, names)
    missing = "Inpainting other audio needs an audio inpainting model, which is not installed."
    fields["from_hash"] = _own_generation(req, fields, "Inpaint", missing)
    fields["operation"] = "inpaint"
    outputs = int(as_number(fields.pop("num_outputs", 1), "num_outputs"))
    if outputs not in (1, 2):
        raise ValidationFailed("num_outputs: must be 1 or 2", field="num_outputs")
    vendor = _vendor_text(fields, "title", "lyrics")
    warnings = [NOT_SUNG] if vendor.get("lyrics") or fields.get("lyrics_section_to_replace") else []
    fields.pop("lyrics_section_to_replace", None)
    warnings += _ignored(
        fields,
        {
            "gender": NO_VOICE,
            "prompt": "the span is recomposed in the piece's own style and instruments (new material "
            "on the same plan); the prompt does not steer it",
        },
    )
    _song_defaults(fields, outputs)
    return replace(call, upload=None, outputs=outputs, vendor=vendor, warnings=tuple(warnings))


def remix(req: VendorRequest) -> NativeCall:
    """One of the caller's own generations played in a new style (native remix by hash)."""
    fields, call = base_call(req)
    missing = "Remixing other audio needs stem separation, which is not installed."
    fields["from_hash"] = _own_generation(req, fields, "Remix", missing)
    fields["operation"] = "remix"
    if not str(fields.get("prompt") or "").strip():
        raise ValidationFailed("prompt: required; it sets the new style", field="prompt")
    vendor = _vendor_text(fields, "title", "lyrics")
    warnings = [NOT_SUNG] if vendor.get("lyrics") else []
    warnings += _ignored(fields, {"gender": NO_VOICE})
    _song_defaults(fields, 2)
    return replace(call, upload=None, outputs=2, vendor=vendor, warnings=tuple(warnings))


def extraction(req: VendorRequest) -> NativeCall:
    """``stems`` and ``preprocessing_options`` arrive as JSON-string lists; sent on as lists.

    The ``audio_url`` of one of the caller's own Music AI songs extracts that song's exact stems
    (native ``from_hash``: rendered again, not estimated); ``eco_mode`` has no effect here.
    """
    fields, call = base_call(req)
    for name in ("stems", "preprocessing_options"):
        if fields.get(name) not in (None, ""):
            fields[name] = as_list(fields[name], name)
    warnings = _ignored(fields, {"eco_mode": "no effect; the engine is chosen by what is installed"})
    own = fields.get("input_audio")
    digest = req.generation(str(own)) if own and call.upload is None else None
    if digest is not None:
        fields.pop("input_audio")
        fields["from_hash"] = digest
        if fields.pop("preprocessing_options", None):
            warnings.append("preprocessing_options: not applied; the song's own stems are clean renders")
    return replace(call, warnings=tuple(warnings))


def voice_changer(req: VendorRequest) -> NativeCall:
    """``remove_background`` comes as 0/1; ``voice_id`` and ``pitch`` are the native names."""
    fields, call = base_call(req, OUTPUT_EXTENSION)
    if "remove_background" in fields:
        fields["remove_background"] = as_bool(fields["remove_background"], "remove_background")
    return call


def sing_over(req: VendorRequest) -> NativeCall:
    """Lyrics sung over the instrumental (native ``sing``): ``lyrics`` required, ``gender`` m/f, MP3 out."""
    fields, call = base_call(req)
    if not str(fields.get("lyrics") or "").strip():
        raise ValidationFailed("lyrics: required", field="lyrics")
    require_audio(fields, call)
    vendor = {**_vendor_text(fields, "title"), "lyrics": str(fields["lyrics"])}
    _native_gender(fields)
    fields.setdefault("output_format", DEFAULT_FORMAT)
    return replace(call, vendor=vendor)
