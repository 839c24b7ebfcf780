"""MusicGPT's own example client code, verbatim, run against a live mixdown.

``FILE_CONVERT`` is the Python example of the File Conversion page (seed 002,
/work/shared/seeds/002_*.txt); the seed's text lost its indentation, which is restored as the
docs page shows it (docs.musicgpt.com/api-documentation/endpoint/fileconvert). ``STATUS_CHECK``
is the example of the Status Check page. The only substitutions are what a user edits: the base
URL and key, and the placeholder audio and webhook URLs (example.com is not reachable from a
test; a local server stands in). Option 2 of the example is commented out in the docs; it runs
as a user runs it: uncommented.
"""

from __future__ import annotations

import contextlib
import io
from typing import Any

FILE_CONVERT = """\
import requests

url = "https://api.musicgpt.com/api/public/v1/file_convert"
headers = {
    "Authorization": "<<<api key>>>"
}

# Option 1: URL
payload = {
    "audio_url": "https://example.com/audio.mp3",
    "target_format": "wav",
    "target_sr": 44100,
    "webhook_url": "https://your-webhook-url.com/callback"
}
response = requests.post(url, headers=headers, data=payload)
print(response.json())

# Option 2: File Upload
# payload = {
#     "target_format": "flac",
#     "target_bit_depth": 24,
#     "webhook_url": "https://your-webhook-url.com/callback"
# }
# with open("audio.mp3", "rb") as f:
#     files = {"audio_file": f}
#     response = requests.post(url, headers=headers, data=payload, files=files)
# print(response.json())
"""

STATUS_CHECK = """\
import requests

url = "https://api.musicgpt.com/api/public/v1/byId"

querystring = {
  "conversionType": "MUSIC_AI",
  "task_id": "12345678-abcd-1234-efgh-567890abcdef"
}

headers = {
  "Authorization": "<api-key>"
}

response = requests.request("GET", url, headers=headers, params=querystring)
print(response.text)
"""


def _run(source: str) -> tuple[Any, str]:
    """Execute ``source``; its ``response`` and what it printed."""
    namespace: dict[str, Any] = {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(source, "<musicgpt example>", "exec"), namespace)
    return namespace["response"], printed.getvalue()


def _substituted(source: str, base_url: str, key: str, **placeholders: str) -> str:
    text = source.replace("https://api.musicgpt.com", base_url)
    for placeholder, value in {"<<<api key>>>": key, "<api-key>": key, **placeholders}.items():
        text = text.replace(placeholder, value)
    return text


def _option_2(source: str) -> str:
    """The example as a user runs option 2: option 1's request left out, option 2 uncommented."""
    head, _, option_2 = source.partition("# Option 2: File Upload\n")
    setup = head.partition("# Option 1: URL\n")[0]
    lines = [line[2:] if line.startswith("# ") else line for line in option_2.splitlines()]
    return setup + "\n".join(lines) + "\n"


def file_convert_option_1(base_url: str, key: str, *, audio_url: str, webhook_url: str) -> tuple[Any, str]:
    """Option 1 (``audio_url``), exactly as documented."""
    source = _substituted(
        FILE_CONVERT,
        base_url,
        key,
        **{"https://example.com/audio.mp3": audio_url, "https://your-webhook-url.com/callback": webhook_url},
    )
    return _run(source)


def file_convert_option_2(base_url: str, key: str, *, webhook_url: str) -> tuple[Any, str]:
    """Option 2 (multipart ``audio_file`` from ``audio.mp3`` in the working folder)."""
    source = _substituted(
        _option_2(FILE_CONVERT), base_url, key, **{"https://your-webhook-url.com/callback": webhook_url}
    )
    return _run(source)


def status_check(base_url: str, key: str, *, conversion_type: str, task_id: str) -> tuple[Any, str]:
    """The Status Check example for one task id."""
    source = _substituted(
        STATUS_CHECK,
        base_url,
        key,
        **{"MUSIC_AI": conversion_type, "12345678-abcd-1234-efgh-567890abcdef": task_id},
    )
    return _run(source)
