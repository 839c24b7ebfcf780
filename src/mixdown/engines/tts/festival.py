"""Festival kept warm: one ``festival --pipe`` per voice and per process, fed on stdin.

Festival's start-up (loading the lexicon and the voice) costs far more than speaking a short
sentence, so each worker process keeps one Festival process per voice it has used and sends it
one Scheme command per sentence. Replies come back through a pseudo-terminal: on a plain pipe
Festival buffers its output until it exits, on a terminal it writes each line at once, so the
marker printed after each command says the command is done. Nothing listens on a network port
(``festival --server`` would), and a Festival whose parent dies reads end-of-file on stdin and
exits with it.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import pty
import re
import secrets
import select
import subprocess
import threading
import time
import tty
from pathlib import Path

_VOICE_NAME = re.compile(r"^[A-Za-z0-9_]+$")
# ``mixdown_say`` speaks a text into a RIFF file at a speed: Duration_Stretch for diphone and
# unit-selection voices, hts_engine's "-r" (speech rate) for HTS voices, which ignore the first.
SETUP = """(voice_{voice})
(define mixdown_hts_base (if (symbol-bound? 'hts_engine_params) hts_engine_params nil))
(define (mixdown_say text out stretch rate)
  (Parameter.set 'Duration_Stretch stretch)
  (if mixdown_hts_base
      (set! hts_engine_params (append mixdown_hts_base (list (list "-r" rate)))))
  (utt.save.wave (utt.synth (eval (list 'Utterance 'Text text))) out 'riff)
  t)"""
# Festival allocates its whole Lisp heap up front: the default 10M cells is 330 MB resident per
# process; 1.5M cells (~75 MB) speaks 300-character sentences over and over (tested).
HEAP_CELLS = 1_500_000
START_TIMEOUT = 30.0
SAY_TIMEOUT = 120.0


class FestivalError(RuntimeError):
    """Festival refused a command (a Scheme error) or wrote no audio."""


class FestivalExited(FestivalError):
    """The Festival process is gone (it exited, crashed or hung and was killed)."""


def scheme_string(text: str) -> str:
    """``text`` as a Scheme string literal: one line, no control characters, ``"`` and ``\\`` escaped.

    Examples
    --------
    >>> print(scheme_string('He said "hi" \\\\ bye'))
    "He said \\"hi\\" \\\\ bye"
    """
    flat = "".join(ch for ch in " ".join(text.split()) if ch >= " " and ch != "\x7f")
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def say_command(text: str, out: Path, *, speed: float) -> str:
    """The Scheme call that speaks ``text`` into ``out`` at ``speed`` (1.0 = the voice's own).

    Examples
    --------
    >>> say_command("Hi.", Path("/tmp/a.wav"), speed=2.0)
    '(mixdown_say "Hi." "/tmp/a.wav" 0.5 2)'
    """
    return f"(mixdown_say {scheme_string(text)} {scheme_string(str(out))} {1 / speed:.6g} {speed:.6g})"


class FestivalProcess:
    """One Festival process with one voice loaded; safe to share between threads."""

    def __init__(self, voice: str, *, binary: str = "festival") -> None:
        if not _VOICE_NAME.match(voice):
            raise ValueError(f"not a Festival voice name: {voice!r}")
        self.voice = voice
        self._lock = threading.Lock()
        self._marks = itertools.count()
        self._token = secrets.token_hex(8)  # a text that Festival echoes cannot fake the marker
        self._pending = b""
        master, slave = pty.openpty()
        tty.setraw(slave)  # no echo, no newline translation
        try:
            self._proc = subprocess.Popen(
                [binary, "--heap", str(HEAP_CELLS), "--pipe"],
                stdin=subprocess.PIPE,
                stdout=slave,
                stderr=slave,
                close_fds=True,
            )
        except OSError:
            os.close(master)
            raise
        finally:
            os.close(slave)
        self._master = master
        try:
            self.call(SETUP.format(voice=voice), timeout=START_TIMEOUT)
        except FestivalError:
            self.close()
            raise

    def __enter__(self) -> FestivalProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def alive(self) -> bool:
        """Whether the process still runs."""
        return self._proc.poll() is None

    def say(self, text: str, out: Path, *, speed: float = 1.0) -> None:
        """Speak ``text`` into the WAV file ``out``."""
        self.call(say_command(text, out, speed=speed))
        if not out.exists() or out.stat().st_size <= 44:
            raise FestivalError(f"Festival ({self.voice}) wrote no audio for {text[:60]!r}")

    def call(self, command: str, *, timeout: float = SAY_TIMEOUT) -> str:
        """Run one Scheme command; its output, or ``FestivalError`` on a Scheme error."""
        with self._lock:
            mark = f"mixdown-done-{self._token}-{next(self._marks)}"
            self._send(f'{command}\n(print "{mark}")\n')
            output = self._read_until(f'"{mark}"'.encode(), timeout)
        if "SIOD ERROR" in output:
            raise FestivalError(f"Festival ({self.voice}): {output.strip()[-300:]}")
        return output

    def _send(self, text: str) -> None:
        stdin = self._proc.stdin
        if stdin is None or not self.alive:
            raise FestivalExited(f"Festival ({self.voice}) is not running")
        try:
            stdin.write(text.encode("utf-8", "replace"))
            stdin.flush()
        except OSError as exc:
            raise FestivalExited(f"Festival ({self.voice}) stopped reading: {exc}") from exc

    def _read_until(self, mark: bytes, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while mark not in self._pending:
            left = deadline - time.monotonic()
            if left <= 0:
                self._proc.kill()  # a stuck Festival is useless: the pool starts a new one
                raise FestivalExited(f"Festival ({self.voice}) did not answer within {timeout:.0f} s")
            self._pending += self._read_some(left)
        output, _, self._pending = self._pending.partition(mark)
        return output.decode("utf-8", "replace")

    def _read_some(self, timeout: float) -> bytes:
        ready, _, _ = select.select([self._master], [], [], timeout)
        if not ready:
            return b""
        try:
            data = os.read(self._master, 65536)
        except OSError:  # EIO: the terminal's other end closed, Festival is gone
            data = b""
        if not data:
            raise FestivalExited(f"Festival ({self.voice}) exited: {self._pending[-300:]!r}")
        return data

    def close(self) -> None:
        """Stop the process (end of input, then a kill if it lingers)."""
        if self._proc.stdin is not None and not self._proc.stdin.closed:
            with contextlib.suppress(OSError):
                self._proc.stdin.close()
        try:
            self._proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._master >= 0:
            os.close(self._master)
            self._master = -1


class FestivalPool:
    """Warm Festival processes of this process, one per voice, started on first use."""

    def __init__(self, *, binary: str = "festival") -> None:
        self.binary = binary
        self._lock = threading.Lock()
        self._processes: dict[str, FestivalProcess] = {}

    def process(self, voice: str) -> FestivalProcess:
        """The running process for ``voice`` (started now if needed)."""
        with self._lock:
            current = self._processes.get(voice)
            if current is None or not current.alive:
                if current is not None:
                    current.close()
                current = FestivalProcess(voice, binary=self.binary)
                self._processes[voice] = current
            return current

    def say(self, voice: str, text: str, out: Path, *, speed: float = 1.0) -> None:
        """Speak with a warm process; a process that died is replaced once.

        A Scheme error is not retried: a new Festival would refuse the same text.
        """
        try:
            self.process(voice).say(text, out, speed=speed)
        except FestivalExited:
            self.discard(voice)
            self.process(voice).say(text, out, speed=speed)

    def discard(self, voice: str) -> None:
        """Stop and forget the process of ``voice``."""
        with self._lock:
            current = self._processes.pop(voice, None)
        if current is not None:
            current.close()

    def process_alive(self, voice: str) -> bool:
        """Whether ``voice`` has a live process."""
        with self._lock:
            current = self._processes.get(voice)
            return current is not None and current.alive

    def voices(self) -> list[str]:
        """Voices with a process."""
        with self._lock:
            return sorted(self._processes)

    def close(self) -> None:
        """Stop every process."""
        with self._lock:
            processes, self._processes = list(self._processes.values()), {}
        for process in processes:
            process.close()


_pool = FestivalPool()
atexit.register(_pool.close)


def festival_pool() -> FestivalPool:
    """This process's pool."""
    return _pool
