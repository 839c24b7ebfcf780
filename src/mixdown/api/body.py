"""Reading submit bodies: JSON objects, urlencoded forms and multipart forms alike."""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

from mixdown.errors import BadRequest, InputError
from mixdown.service.inputs import MAIN_FILE_FIELDS, Upload

FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
Uploads = dict[str, Upload]


async def read_body(request: Request) -> tuple[dict[str, Any], Uploads]:
    """Fields and file parts of a submit; the main audio's part is keyed ``audio_file``.

    Other file parts keep their field name (``melody_audio``...): the submitter checks them against
    the task's audio inputs. Uploaded files stay open until the request ends (Starlette closes its
    form then).
    """
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith(FORM_TYPES):
        return await _read_form(request)
    raw = await request.body()
    if not raw.strip():
        return {}, {}
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise BadRequest(f"The body is not valid JSON: {exc}", field="body") from None
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object.", field="body")
    return data, {}


async def _read_form(request: Request) -> tuple[dict[str, Any], Uploads]:
    form = await request.form(max_files=4, max_fields=500)
    request.state.form = form
    fields: dict[str, Any] = {}
    uploads: Uploads = {}
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            key = "audio_file" if name in MAIN_FILE_FIELDS else name
            if key in uploads:
                raise InputError(f"The file field {name!r} is given twice.", field=name)
            uploads[key] = Upload(filename=value.filename or "upload", file=value.file)
        elif value != "":
            fields[name] = _form_value(value)
    return fields, uploads


def _form_value(value: str) -> Any:
    """A form field's value; JSON objects and arrays (``params``, ``tags``...) are decoded.

    Forms carry only strings, so structured parameters arrive as JSON text; anything that does not
    parse stays a string and the task's validation names the field.
    """
    if value.lstrip()[:1] not in ("{", "["):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value
