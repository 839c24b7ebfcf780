"""The in-memory URL fetcher twin behaves like the HTTP one."""

from __future__ import annotations

from pathlib import Path

import pytest

from mixdown.errors import PayloadTooLarge, UrlRefused
from mixdown.net.fetch import MemoryUrlFetcher, UrlFetcher, filename_from


def test_is_a_url_fetcher() -> None:
    fetcher: UrlFetcher = MemoryUrlFetcher()
    assert fetcher is not None


def test_fetches_bytes_to_dest(tmp_path: Path) -> None:
    # Given
    fetcher = MemoryUrlFetcher({"https://cdn.example.com/music/song.mp3?sig=x": b"ID3abc"})
    dest = tmp_path / "input"

    # When
    fetched = fetcher.fetch("https://cdn.example.com/music/song.mp3?sig=x", dest, max_bytes=100)

    # Then
    assert dest.read_bytes() == b"ID3abc"
    assert fetched.path == dest
    assert fetched.size_bytes == 6
    assert fetched.content_type is None
    assert fetched.filename == "song.mp3"
    assert fetched.final_url == "https://cdn.example.com/music/song.mp3?sig=x"
    assert fetcher.requested == ["https://cdn.example.com/music/song.mp3?sig=x"]


def test_content_type_is_the_bare_media_type(tmp_path: Path) -> None:
    fetcher = MemoryUrlFetcher({"https://example.com/a.wav": (b"RIFF", "Audio/WAV; charset=binary")})

    fetched = fetcher.fetch("https://example.com/a.wav", tmp_path / "a", max_bytes=10)

    assert fetched.content_type == "audio/wav"


def test_unknown_url_is_refused_like_a_404(tmp_path: Path) -> None:
    fetcher = MemoryUrlFetcher()
    dest = tmp_path / "input"

    with pytest.raises(UrlRefused, match="HTTP 404") as caught:
        fetcher.fetch("https://example.com/missing.wav", dest, max_bytes=10, field="url")

    assert caught.value.field == "url"
    assert not dest.exists()
    assert fetcher.requested == ["https://example.com/missing.wav"]


def test_oversize_body_is_too_large_and_writes_nothing(tmp_path: Path) -> None:
    fetcher = MemoryUrlFetcher({"https://example.com/big.wav": b"x" * 11})
    dest = tmp_path / "input"

    with pytest.raises(PayloadTooLarge, match="limit of 10 bytes") as caught:
        fetcher.fetch("https://example.com/big.wav", dest, max_bytes=10)

    assert caught.value.status_code == 413
    assert caught.value.field == "audio_url"
    assert not dest.exists()


def test_body_of_exactly_max_bytes_is_accepted(tmp_path: Path) -> None:
    fetcher = MemoryUrlFetcher({"https://example.com/a.wav": b"x" * 10})

    fetched = fetcher.fetch("https://example.com/a.wav", tmp_path / "a", max_bytes=10)

    assert fetched.size_bytes == 10


def test_scripted_error_is_raised(tmp_path: Path) -> None:
    error = UrlRefused("https://example.com/slow.wav timed out", field="audio_url")
    fetcher = MemoryUrlFetcher({"https://example.com/slow.wav": error})

    with pytest.raises(UrlRefused, match="timed out"):
        fetcher.fetch("https://example.com/slow.wav", tmp_path / "a", max_bytes=10)


def test_error_messages_do_not_leak_query_strings(tmp_path: Path) -> None:
    fetcher = MemoryUrlFetcher({"https://example.com/a.wav?token=secret": b"x" * 5})

    with pytest.raises(PayloadTooLarge) as caught:
        fetcher.fetch("https://example.com/a.wav?token=secret", tmp_path / "a", max_bytes=1)

    assert "secret" not in caught.value.message
    assert "https://example.com/a.wav" in caught.value.message


@pytest.mark.parametrize(
    ("disposition", "url", "expected"),
    [
        (None, "https://example.com/dir/song.mp3?x=1", "song.mp3"),
        (None, "https://example.com/dir/my%20song.mp3", "my song.mp3"),
        (None, "https://example.com/", None),
        (None, "https://example.com", None),
        ('attachment; filename="take 2.wav"', "https://example.com/x", "take 2.wav"),
        ("attachment; filename*=UTF-8''na%C3%AFve.flac", "https://example.com/x", "naïve.flac"),
        ('attachment; filename="../../etc/passwd"', "https://example.com/x", "passwd"),
        ('attachment; filename="..\\\\evil.wav"', "https://example.com/x", "evil.wav"),
        ('attachment; filename=".."', "https://example.com/a.wav", "a.wav"),
        ("inline", "https://example.com/a.wav", "a.wav"),
    ],
)
def test_filename_from(disposition: str | None, url: str, expected: str | None) -> None:
    assert filename_from(disposition, url) == expected
