"""Wake idle workers the moment a job is queued, instead of making them poll fast.

Each worker binds a Unix datagram socket in a folder shared with the API; a
submit sends one byte to every socket there. A lost wake-up costs at most one
poll interval, so this is an optimisation, never a source of truth.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import tempfile
import threading
from pathlib import Path
from typing import Protocol


class Wakeup(Protocol):
    """Signal between the API (notify) and idle workers (wait)."""

    def notify(self) -> None:
        """Wake every waiting worker."""
        ...

    def close(self) -> None:
        """Release resources."""
        ...


def socket_dir(run_dir: Path) -> Path:
    """A short folder for the sockets (AF_UNIX paths are limited to ~100 bytes)."""
    digest = hashlib.sha1(str(run_dir.resolve()).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"mixdown-{digest}"


class SocketWakeup:
    """The notifying side: one datagram to each worker socket in the folder."""

    def __init__(self, run_dir: Path) -> None:
        self.dir = socket_dir(run_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.setblocking(False)

    def notify(self) -> None:
        """Wake every worker; sockets of dead workers are removed."""
        for path in self.dir.glob("w-*.sock"):
            try:
                self._sock.sendto(b"!", str(path))
            except (ConnectionRefusedError, FileNotFoundError):
                path.unlink(missing_ok=True)
            except (BlockingIOError, OSError):
                pass  # its buffer is full: it has wake-ups pending already

    def close(self) -> None:
        """Close the sending socket."""
        self._sock.close()


class WakeupListener:
    """The worker side: waits until notified or the timeout passes."""

    def __init__(self, run_dir: Path, worker_id: str) -> None:
        folder = socket_dir(run_dir)
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"w-{hashlib.sha1(worker_id.encode()).hexdigest()[:16]}.sock"
        self.path.unlink(missing_ok=True)
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.bind(str(self.path))
        os.chmod(self.path, 0o600)

    def wait(self, timeout: float) -> bool:
        """Block up to ``timeout`` seconds; True when woken. Drains queued wake-ups."""
        self._sock.settimeout(timeout)
        try:
            self._sock.recv(16)
        except TimeoutError:
            return False
        self._sock.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            while self._sock.recv(16):
                pass
        return True

    def close(self) -> None:
        """Stop listening and remove the socket (and the folder once it is empty)."""
        self._sock.close()
        self.path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self.path.parent.rmdir()


class MemoryWakeup:
    """In-process twin: a threading event."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.notified = 0

    def notify(self) -> None:
        """Set the event."""
        self.notified += 1
        self.event.set()

    def close(self) -> None:
        """Nothing to release."""

    def wait(self, timeout: float) -> bool:
        """Wait for the event and clear it."""
        woken = self.event.wait(timeout)
        self.event.clear()
        return woken
