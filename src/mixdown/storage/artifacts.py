"""The artifact store: where input and result files live, by key."""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol


class ArtifactStore(Protocol):
    """Files by key (``"ab/cdef.wav"``); keys are made by the caller and never reused."""

    def put_file(self, key: str, source: Path) -> int:
        """Copy ``source`` in under ``key``; returns its size."""
        ...

    def local_path(self, key: str) -> Path:
        """A local file with the artifact's bytes (a cached copy for remote stores)."""
        ...

    def exists(self, key: str) -> bool:
        """Whether ``key`` is stored."""
        ...

    def delete(self, key: str) -> None:
        """Remove ``key``; a missing key is not an error."""
        ...

    def check(self) -> None:
        """Raise if the store cannot be written (for ``/health``)."""
        ...


class LocalArtifactStore:
    """Artifacts as files under one folder; writes are atomic (temp file + rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"artifact key escapes the store: {key!r}")
        return path

    def put_file(self, key: str, source: Path) -> int:
        """Copy ``source`` in under ``key``; returns its size."""
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        os.close(fd)
        try:
            shutil.copyfile(source, tmp)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target.stat().st_size

    def local_path(self, key: str) -> Path:
        """The file of ``key``; ``FileNotFoundError`` when absent."""
        path = self._path(key)
        if not path.is_file():
            raise FileNotFoundError(key)
        return path

    def exists(self, key: str) -> bool:
        """Whether ``key`` is stored."""
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        """Remove ``key``; a missing key is not an error."""
        self._path(key).unlink(missing_ok=True)

    def check(self) -> None:
        """Write and remove a probe file."""
        probe = self.root / ".health"
        probe.write_bytes(b"ok")
        probe.unlink()


class MemoryArtifactStore:
    """In-memory twin; ``local_path`` materialises bytes in a private temp folder."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}
        self._tmp = Path(tempfile.mkdtemp(prefix="mixdown-mem-store-"))
        weakref.finalize(self, shutil.rmtree, self._tmp, True)

    def put_file(self, key: str, source: Path) -> int:
        """Keep the bytes of ``source`` under ``key``."""
        self.blobs[key] = source.read_bytes()
        return len(self.blobs[key])

    def local_path(self, key: str) -> Path:
        """A temp copy of the bytes of ``key``."""
        if key not in self.blobs:
            raise FileNotFoundError(key)
        path = self._tmp / key.replace("/", "_")
        path.write_bytes(self.blobs[key])
        return path

    def exists(self, key: str) -> bool:
        """Whether ``key`` is stored."""
        return key in self.blobs

    def delete(self, key: str) -> None:
        """Forget ``key``."""
        self.blobs.pop(key, None)

    def check(self) -> None:
        """Always healthy."""

    def keys(self) -> Iterator[str]:
        """Stored keys."""
        return iter(list(self.blobs))
