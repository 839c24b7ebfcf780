"""Shared pieces of the MusicGPT translation: requests in and out, field values, own results.

Translating only renames fields and converts units (milliseconds to seconds, ``0``/``1`` to
booleans); what a field means is decided by the native task's parameter model, which also
validates the values (a 422 names the MusicGPT field, see ``Endpoint.vendor_field``).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mixdown.errors import MixdownError, ValidationFailed
from mixdown.service.inputs import Upload

# Our own result links: the native download route and this layer's public file links.
_OWN_RESULT = re.compile(r"/(?:v1/audio|api/public/v1/files)/(res_[A-Za-z0-9]{6,64})(?:[/?.#]|$)")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})
# Fields MusicGPT's own docs or clients send that mean nothing here (the old docs' ``user_id`` and
# ``conversion_id`` were filled from the caller's token on their side).
IGNORED_FIELDS = frozenset({"user_id", "conversion_id"})
DEFAULT_FORMAT = "mp3"  # MusicGPT delivers MP3 for what it generates


class CapabilityMissing(MixdownError):
    """This server has no native task for what the endpoint does."""

    status_code = 501
    code = "not_implemented"


@dataclass(frozen=True, kw_only=True)
class VendorRequest:
    """A MusicGPT request as received: its fields, its file parts, and a look-up of own results.

    ``generation`` maps one of the caller's result ids to the hash of the generation it is the
    mix of (``None`` when it is not a generation's mix).
    """

    fields: dict[str, Any]
    uploads: dict[str, Upload] = field(default_factory=dict)
    generation: Callable[[str], str | None] = lambda _result_id: None


@dataclass(frozen=True, kw_only=True)
class NativeCall:
    """What a MusicGPT request becomes: a native submit plus what this layer remembers.

    ``outputs`` is the number of conversions (1, or 2 for Music AI, Extend, Inpaint and Remix);
    ``vendor`` (title, lyrics, music style) is kept in the job's metadata for ``byId`` and
    webhooks; ``warnings`` say which MusicGPT options have no effect here.
    """

    fields: dict[str, Any]
    upload: Upload | None = None
    extra_uploads: dict[str, Upload] = field(default_factory=dict)
    outputs: int = 1
    vendor: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def own_result_id(url: object) -> str | None:
    """The result id in a link to one of this server's results, if ``url`` is one.

    Examples
    --------
    >>> own_result_id("http://host/api/public/v1/files/res_abc123/0f1e.mp3")
    'res_abc123'
    >>> own_result_id("https://example.com/song.mp3") is None
    True
    """
    if not isinstance(url, str):
        return None
    match = _OWN_RESULT.search(url)
    return match.group(1) if match else None


def as_bool(value: object, name: str) -> bool:
    """A form or JSON boolean (``true``, ``1``, ``"0"``...); 422 naming ``name`` otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ValidationFailed(f"{name}: must be true or false (or 1 / 0)", field=name)


def as_number(value: object, name: str) -> float:
    """A finite number from a form or JSON value; 422 naming ``name`` otherwise."""
    try:
        number = float(str(value).strip()) if not isinstance(value, (int, float)) else float(value)
    except ValueError:
        raise ValidationFailed(f"{name}: must be a number", field=name) from None
    if isinstance(value, bool) or not math.isfinite(number):
        raise ValidationFailed(f"{name}: must be a finite number", field=name)
    return number


def as_list(value: object, name: str) -> list[Any]:
    """A list given as JSON text (``'["vocals","drums"]'``), a JSON array, or comma-separated text."""
    if isinstance(value, list):
        return value
    text = str(value).strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError:
            raise ValidationFailed(f"{name}: not a valid JSON list", field=name) from None
        if isinstance(parsed, list):
            return parsed
    return [part.strip() for part in text.split(",") if part.strip()]


def rename(fields: dict[str, Any], names: dict[str, str]) -> None:
    """Move each vendor field of ``names`` (vendor -> native) to its native name, in place."""
    for vendor, native in names.items():
        if vendor in fields:
            fields[native] = fields.pop(vendor)


def main_audio(fields: dict[str, Any]) -> None:
    """Normalise the main audio fields in place.

    The deprecated ``audio_path`` counts as ``audio_url``; a link to one of this server's own
    results becomes that result id (``input_audio``), which the submitter copies from storage
    with the caller's key, instead of being fetched over HTTP (our links are not public URLs to
    the SSRF guard, and the native ones need the key).
    """
    legacy = fields.pop("audio_path", None)
    if legacy and not fields.get("audio_url"):
        fields["audio_url"] = legacy
    result_id = own_result_id(fields.get("audio_url"))
    if result_id is not None:
        fields.pop("audio_url")
        fields["input_audio"] = result_id


def base_call(req: VendorRequest, names: dict[str, str] | None = None) -> tuple[dict[str, Any], NativeCall]:
    """The fields every endpoint starts from, and a call carrying the request's files."""
    fields = {k: v for k, v in req.fields.items() if k not in IGNORED_FIELDS}
    main_audio(fields)
    rename(fields, names or {})
    uploads = dict(req.uploads)
    upload = uploads.pop("audio_file", None)
    return fields, NativeCall(fields=fields, upload=upload, extra_uploads=uploads)


def pop_text(fields: dict[str, Any], name: str) -> str:
    """A text field's value, removed from ``fields`` ("" when absent)."""
    value = fields.pop(name, None)
    return "" if value is None else str(value).strip()


def require_audio(fields: dict[str, Any], call: NativeCall) -> None:
    """400 naming ``audio_url`` when neither ``audio_url`` nor ``audio_file`` came."""
    if call.upload is None and not fields.get("audio_url") and not fields.get("input_audio"):
        from mixdown.errors import InputError

        raise InputError("Give the audio: audio_url or audio_file.", field="audio_url")
