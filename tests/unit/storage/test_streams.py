"""Stream files: written by a sink, followed, and swept once old."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from mixdown.storage.streams import FileStreams, StreamEvent


def write_stream(streams: FileStreams, job_id: str) -> None:
    sink = streams.sink(job_id, attempt=1)
    sink.header({"format": "pcm_s16le"})
    sink.write(b"\x01\x02" * 100)
    sink.close()


def follow(streams: FileStreams, job_id: str) -> list[StreamEvent]:
    async def finished() -> bool:
        return True

    async def collect() -> list[StreamEvent]:
        return [event async for event in streams.follow(job_id, finished=finished)]

    return asyncio.run(collect())


def test_a_closed_stream_is_followed_to_its_end(tmp_path: Path) -> None:
    streams = FileStreams(tmp_path)
    write_stream(streams, "job_a")
    events = follow(streams, "job_a")
    assert [e.kind for e in events] == ["header", "data", "end"]
    assert events[0].header == {"format": "pcm_s16le", "attempt": 1}
    assert events[1].data == b"\x01\x02" * 100


def test_sweep_deletes_only_streams_older_than_the_retention(tmp_path: Path) -> None:
    streams = FileStreams(tmp_path)
    write_stream(streams, "job_old")
    write_stream(streams, "job_new")
    hour_ago = time.time() - 3600
    for path in tmp_path.glob("job_old.*"):
        os.utime(path, (hour_ago, hour_ago))
    assert streams.sweep(now=time.time(), older_than=1800) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["job_new.end", "job_new.json", "job_new.pcm"]
    assert streams.sweep(now=time.time() + 7200, older_than=1800) == 3
    assert not list(tmp_path.iterdir())


def test_sweep_of_a_missing_folder_is_a_no_op(tmp_path: Path) -> None:
    assert FileStreams(tmp_path / "none").sweep(now=time.time(), older_than=1) == 0
