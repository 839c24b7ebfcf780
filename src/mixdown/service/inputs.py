"""Audio inputs of a submit: URL, multipart upload, base64 or a result id, into the artifact store.

The main input (``audio``) comes from exactly one of ``audio_url``, ``audio_file`` (multipart) or
``input_audio``; a task's other named inputs (``TaskSpec.audio_inputs``) each come from their own
``<name>_audio`` field. A text field holds an http(s) URL, base64 (or a data URL) or the id of
one of the caller's own results (``res_...``), which the submitter resolves to its stored file.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from mixdown.audio.probe import probe
from mixdown.errors import AudioDecodeError, InputError, PayloadTooLarge
from mixdown.ids import new_id
from mixdown.net.fetch import UrlFetcher
from mixdown.storage.artifacts import ArtifactStore
from mixdown.workers.context import file_sha256

MAIN_FILE_FIELDS = ("audio_file", "input_audio", "file")  # multipart names of the main input's file
_DATA_URL = re.compile(r"^data:[\w.+/-]*(;[\w=.-]+)*;base64,", re.IGNORECASE)
_RESULT_ID = re.compile(r"^res_[A-Za-z0-9]{6,64}$")  # "_" is not base64: no payload looks like this


@dataclass(frozen=True, kw_only=True)
class Upload:
    """A file part of a multipart body."""

    filename: str
    file: BinaryIO


@dataclass(frozen=True, kw_only=True)
class AudioSource:
    """Where the request said its audio is; exactly one of url, upload, data, result_id, path.

    ``path`` is a local file already in the store (a resolved ``result_id``).
    """

    field: str
    url: str | None = None
    upload: Upload | None = None
    data: str | None = None
    result_id: str | None = None
    path: Path | None = None

    def digest(self) -> str:
        """A stable description for idempotency hashes."""
        if self.url is not None:
            return f"url:{self.url}"
        if self.result_id is not None:
            return f"result:{self.result_id}"
        if self.path is not None:
            return f"path:{self.path}"
        if self.data is not None:
            return "b64:" + hashlib.sha256(self.data.encode()).hexdigest()
        assert self.upload is not None
        position = self.upload.file.tell()
        digest = hashlib.sha256()
        for chunk in iter(lambda: self.upload.file.read(1 << 20), b""):  # type: ignore[union-attr]
            digest.update(chunk)
        self.upload.file.seek(position)
        return "file:" + digest.hexdigest()


def pick_audio_source(fields: dict[str, Any], upload: Upload | None) -> AudioSource | None:
    """The one audio source among ``audio_url``, ``audio_file`` and ``input_audio``."""
    given: list[AudioSource] = []
    if fields.get("audio_url"):
        given.append(AudioSource(field="audio_url", url=str(fields["audio_url"])))
    if upload is not None:
        given.append(AudioSource(field="audio_file", upload=upload))
    raw = fields.get("input_audio")
    if raw:
        given.append(text_source("input_audio", str(raw)))
    if len(given) > 1:
        names = ", ".join(s.field for s in given)
        raise InputError(f"Give the audio once; got {names}.", field=given[1].field)
    return given[0] if given else None


def text_source(field: str, raw: str) -> AudioSource:
    """The source a text field names: an http(s) URL, a result id, or base64 / a data URL."""
    text = raw.strip()
    if text.lower().startswith(("http://", "https://")):
        return AudioSource(field=field, url=text)
    if _RESULT_ID.match(text):
        return AudioSource(field=field, result_id=text)
    return AudioSource(field=field, data=text)


def pick_sources(
    fields: dict[str, Any],
    upload: Upload | None,
    extra: dict[str, str],
    extra_uploads: dict[str, Upload] | None = None,
) -> dict[str, AudioSource]:
    """Every audio source of a submit by input name: the main one (``audio``) and, for each
    ``extra`` request field -> input name, that field's source when given (text, or a file part
    named like the field, optionally with ``_file`` appended)."""
    files = _extra_files(extra_uploads or {}, extra)
    sources: dict[str, AudioSource] = {}
    main = pick_audio_source(fields, upload)
    if main is not None:
        sources["audio"] = main
    for field, name in extra.items():
        if field in files and fields.get(field):
            raise InputError(f"Give {field} once: as a file or as text, not both.", field=field)
        if field in files:
            sources[name] = AudioSource(field=field, upload=files[field])
        elif fields.get(field):
            sources[name] = text_source(field, str(fields[field]))
    return sources


def _extra_files(uploads: dict[str, Upload], extra: dict[str, str]) -> dict[str, Upload]:
    """File parts by the request field they fill; a part no input takes is an error naming it."""
    files: dict[str, Upload] = {}
    for part, upload in uploads.items():
        field = part.removesuffix("_file")
        if field not in extra:
            accepted = ", ".join(["audio_file", *extra])
            raise InputError(f"Unexpected file field {part!r}; files go in: {accepted}.", field=part)
        if field in files:
            raise InputError(f"{field} is given twice.", field=part)
        files[field] = upload
    return files


def _write_base64(data: str, dest: Path, max_bytes: int, field: str) -> None:
    payload = _DATA_URL.sub("", data, count=1)
    if len(payload) * 3 // 4 > max_bytes + 3:
        raise PayloadTooLarge(f"{field} is larger than {max_bytes} bytes.", field=field)
    try:
        decoded = base64.b64decode(re.sub(r"\s+", "", payload), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InputError(f"{field} is neither a URL nor valid base64.", field=field) from exc
    dest.write_bytes(decoded)


def _write_upload(upload: Upload, dest: Path, max_bytes: int, field: str) -> None:
    with dest.open("wb") as out:
        shutil.copyfileobj(upload.file, out, 1 << 20)
    if dest.stat().st_size > max_bytes:
        raise PayloadTooLarge(f"{field} is larger than {max_bytes} bytes.", field=field)


def _filename(source: AudioSource, fetched_name: str | None) -> str:
    if source.upload is not None:
        return Path(source.upload.filename or "upload").name
    if source.path is not None:
        return source.path.name
    return fetched_name or "audio"


def store_audio(
    source: AudioSource, *, fetcher: UrlFetcher, store: ArtifactStore, tmp_dir: Path, max_bytes: int
) -> dict[str, Any]:
    """Fetch or write the audio, check it decodes, keep it; returns the job's input descriptor."""
    with tempfile.TemporaryDirectory(dir=tmp_dir) as folder:
        path = Path(folder) / "input"
        fetched_name = None
        if source.url is not None:
            fetched_name = fetcher.fetch(source.url, path, max_bytes=max_bytes, field=source.field).filename
        elif source.data is not None:
            _write_base64(source.data, path, max_bytes, source.field)
        elif source.path is not None:
            shutil.copyfile(source.path, path)
        else:
            assert source.upload is not None
            _write_upload(source.upload, path, max_bytes, source.field)
        if path.stat().st_size == 0:
            raise InputError(f"{source.field} is empty.", field=source.field)
        try:
            info = probe(path)
        except AudioDecodeError as exc:
            raise AudioDecodeError(
                f"{source.field} is not decodable audio: {exc.message.removeprefix('input: ')}",
                field=source.field,
            ) from None
        sha = file_sha256(path)
        key = f"inputs/{sha[:2]}/{sha}.{info.format}"
        size = path.stat().st_size if store.exists(key) else store.put_file(key, path)
    return {
        "artifact_id": new_id("aud"),
        "storage_key": key,
        "filename": _filename(source, fetched_name),
        "format": info.format,
        "duration": info.duration,
        "sample_rate": info.sample_rate,
        "channels": info.channels,
        "size_bytes": size,
        "sha256": sha,
    }
