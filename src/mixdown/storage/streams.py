"""Live audio streams from a worker to the API: an append-only file per job.

The worker writes a JSON header, then raw audio bytes, then an end marker; the API
follows the file and forwards what arrives (``WebSocket /v1/stream``). The stored
result is written from the same samples, so the streamed bytes equal the file's.
A re-run of the job (its worker died) starts the stream again with a new attempt
number in the header, which the follower reports as a restart.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


class StreamSink(Protocol):
    """The writing end of one job's stream."""

    def header(self, info: dict[str, Any]) -> None:
        """Announce the stream (format, sample rate, what was understood)."""
        ...

    def write(self, data: bytes) -> None:
        """Append audio bytes."""
        ...

    def close(self) -> None:
        """Mark the stream complete."""
        ...


@dataclass(frozen=True)
class StreamEvent:
    """What a follower sees: ``header`` (dict), ``data`` (bytes), ``restart`` or ``end``."""

    kind: str
    header: dict[str, Any] | None = None
    data: bytes = b""


class FileStreamSink:
    """A stream in three files: ``.json`` header, ``.pcm`` data, ``.end`` marker."""

    def __init__(self, base: Path, attempt: int) -> None:
        self.base = base
        self.attempt = attempt
        base.parent.mkdir(parents=True, exist_ok=True)
        for suffix in (".end", ".pcm", ".json"):
            base.with_suffix(suffix).unlink(missing_ok=True)
        self._data = base.with_suffix(".pcm").open("ab", buffering=0)

    def header(self, info: dict[str, Any]) -> None:
        """Write the header atomically (the follower waits for it)."""
        tmp = self.base.with_suffix(".json.tmp")
        tmp.write_text(json.dumps({**info, "attempt": self.attempt}))
        os.replace(tmp, self.base.with_suffix(".json"))

    def write(self, data: bytes) -> None:
        """Append bytes; unbuffered so the follower sees them at once."""
        self._data.write(data)

    def close(self) -> None:
        """Close the data file and mark the end."""
        self._data.close()
        self.base.with_suffix(".end").touch()


class FileStreams:
    """Streams of all jobs under one folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def sink(self, job_id: str, attempt: int) -> FileStreamSink:
        """A fresh sink for ``job_id`` (an earlier attempt's stream is replaced)."""
        return FileStreamSink(self.root / job_id, attempt)

    def sweep(self, *, now: float, older_than: float) -> int:
        """Delete every stream file last written more than ``older_than`` seconds before ``now``.

        ``now`` is wall-clock time (file times are). A stream being followed is written at least
        once per rendered section, so only finished (or abandoned) streams are this old.
        """
        removed = 0
        for path in self.root.glob("*.*") if self.root.is_dir() else ():
            try:
                if now - path.stat().st_mtime > older_than:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:  # removed by a concurrent sweep or a new attempt
                continue
        return removed

    def remove(self, job_id: str) -> None:
        """Delete a job's stream files."""
        for suffix in (".json", ".pcm", ".end", ".json.tmp"):
            (self.root / job_id).with_suffix(suffix).unlink(missing_ok=True)

    async def follow(
        self,
        job_id: str,
        *,
        finished: Callable[[], Awaitable[bool]],
        poll: float = 0.005,
        chunk_bytes: int = 65536,
    ) -> AsyncIterator[StreamEvent]:
        """Yield the stream as it is written, until its end marker or the job finishing without one."""
        base = self.root / job_id
        attempt: int | None = None
        offset = 0
        while True:
            header = _read_header(base)
            if header is not None and header.get("attempt") != attempt:
                if attempt is not None:
                    yield StreamEvent("restart")
                attempt, offset = header.get("attempt"), 0
                yield StreamEvent("header", header=header)
            if attempt is not None:
                data = _read_from(base.with_suffix(".pcm"), offset, chunk_bytes)
                if data:
                    offset += len(data)
                    yield StreamEvent("data", data=data)
                    continue
                if base.with_suffix(".end").exists() and not _read_from(base.with_suffix(".pcm"), offset, 1):
                    yield StreamEvent("end")
                    return
            if await finished():
                yield StreamEvent("end")
                return
            await asyncio.sleep(poll)


def _read_header(base: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads(base.with_suffix(".json").read_text())
    except (FileNotFoundError, ValueError):
        return None
    return data


def _read_from(path: Path, offset: int, size: int) -> bytes:
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            return handle.read(size)
    except FileNotFoundError:
        return b""
