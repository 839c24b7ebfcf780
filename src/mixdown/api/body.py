"""Reading submit bodies: JSON objects, urlencoded forms and multipart forms alike."""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

from mixdown.errors import BadRequest, InputError
from mixdown.service.inputs import Upload

FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


async def read_body(request: Request) -> tuple[dict[str, Any], Upload | None]:
    """Fields and the optional ``audio_file`` upload of a submit.

    Uploaded files stay open until the request ends (Starlette closes its form then).
    """
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith(FORM_TYPES):
        return await _read_form(request)
    raw = await request.body()
    if not raw.strip():
        return {}, None
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise BadRequest(f"The body is not valid JSON: {exc}", field="body") from None
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object.", field="body")
    return data, None


async def _read_form(request: Request) -> tuple[dict[str, Any], Upload | None]:
    form = await request.form(max_files=4, max_fields=500)
    request.state.form = form
    fields: dict[str, Any] = {}
    upload: Upload | None = None
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            if name not in ("audio_file", "input_audio", "file"):
                raise InputError(f"Unexpected file field {name!r}; send audio as 'audio_file'.", field=name)
            upload = Upload(filename=value.filename or "upload", file=value.file)
        elif value != "":
            fields[name] = value
    return fields, upload
