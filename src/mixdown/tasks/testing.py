"""An in-memory :class:`~mixdown.tasks.base.TaskContext` for running tasks in tests.

::

    ctx = MemoryTaskContext(work_dir=tmp_path)
    TASK.run(inputs, params, ctx)
    assert ctx.results[0]["format"] == "flac"
    assert ctx.progress_calls[-1] == (1.0, "done")
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mixdown.errors import JobCancelled
from mixdown.tasks.base import InputAudio, TaskInputs


@dataclass
class MemoryStreamSink:
    """Keeps a streamed header and chunks."""

    info: dict[str, Any] | None = None
    chunks: list[bytes] = field(default_factory=list)
    closed: bool = False

    def header(self, info: dict[str, Any]) -> None:
        """Keep the header."""
        self.info = dict(info)

    def write(self, data: bytes) -> None:
        """Keep a chunk."""
        self.chunks.append(bytes(data))

    def close(self) -> None:
        """Mark the stream closed."""
        self.closed = True


@dataclass
class MemoryTaskContext:
    """Records what a task reports instead of storing it.

    ``results`` holds one dict per ``add_result`` call with ``id``, ``path``,
    ``kind``, ``format``, ``data`` (the file's bytes, copied at call time so
    the scratch folder may go away) and the extra metadata keywords.
    After :meth:`cancel`, ``progress`` and ``check_cancelled`` raise
    :class:`~mixdown.errors.JobCancelled`, as a real context does.
    """

    work_dir: Path
    job_id: str = "job_memory"
    progress_calls: list[tuple[float, str | None]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    cancelled: bool = False
    records: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    stream: MemoryStreamSink | None = None
    _ids: itertools.count[int] = field(default_factory=itertools.count, repr=False)

    def cancel(self) -> None:
        """Mark the job cancelled: the task's next progress report raises."""
        self.cancelled = True

    def check_cancelled(self) -> None:
        """Raise ``JobCancelled`` once :meth:`cancel` was called."""
        if self.cancelled:
            raise JobCancelled()

    def progress(self, fraction: float, message: str | None = None) -> None:
        """Record a progress report; fractions outside 0..1 are a task bug."""
        self.check_cancelled()
        if not 0.0 <= fraction <= 1.0:
            raise ValueError(f"progress fraction {fraction} is outside 0..1")
        self.progress_calls.append((fraction, message))

    def add_result(self, path: Path, *, kind: str, format: str, **meta: Any) -> str:
        """Copy the file at ``path`` into :attr:`results`; returns its id."""
        result_id = f"res_{next(self._ids)}"
        self.results.append(
            {
                "id": result_id,
                "path": Path(path),
                "kind": kind,
                "format": format,
                "data": Path(path).read_bytes(),
                **meta,
            }
        )
        return result_id

    def set_metadata(self, **values: Any) -> None:
        """Merge ``values`` into :attr:`metadata`."""
        self.metadata.update(values)

    def open_stream(self) -> MemoryStreamSink:
        """A sink that keeps what the task streams in :attr:`stream`."""
        self.stream = MemoryStreamSink()
        return self.stream

    def remember(self, namespace: str, key: str, value: dict[str, Any]) -> None:
        """Keep ``value`` in :attr:`records`."""
        self.records[(namespace, key)] = dict(value)

    def recall(self, namespace: str, key: str) -> dict[str, Any] | None:
        """A record kept by :meth:`remember`."""
        return self.records.get((namespace, key))

    @property
    def fractions(self) -> list[float]:
        """The progress fractions reported, in order."""
        return [fraction for fraction, _ in self.progress_calls]


def inputs_from_file(path: Path, name: str = "audio") -> TaskInputs:
    """Probe an audio file and wrap it as a task's inputs, as the API would hand it over."""
    from mixdown.audio.probe import probe

    info = probe(path)
    audio = InputAudio(
        path=path,
        filename=path.name,
        format=info.format,
        duration=info.duration,
        sample_rate=info.sample_rate,
        channels=info.channels,
        size_bytes=path.stat().st_size,
    )
    return TaskInputs(audio={name: audio})
