"""MusicGPT compatibility through a live server: the vendor's own example code, shapes, errors.

Seed 002's File Conversion example runs unchanged but for base URL, key and the placeholder
URLs (``musicgpt_client``), both options; every answer is checked field by field against the
MusicGPT docs (/work/shared/reference/vendor-apis.md), the files behind ``audio_url`` are
downloaded without a key and measured.
"""

from __future__ import annotations

import io
import tempfile
import time
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pytest
import requests
import soundfile as sf

from mixdown.audio.codec import encode
from tests.audio_gen import sine, wav_bytes
from tests.harness import wait_for_job
from tests.integration.compat import musicgpt_client as client
from tests.integration.conftest import Stack, StackFactory
from tests.keybpm_audio import render_groove
from tests.keybpm_audio import wav_bytes as groove_bytes
from tests.receiver import Receiver

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

SUBMIT_FIELDS = {"success", "task_id", "conversion_id", "eta", "credit_estimate"}
CONVERSION_FIELDS = {
    "task_id",
    "conversion_id",
    "status",
    "status_msg",
    "audio_url",
    "conversion_cost",
    "title",
    "lyrics",
    "music_style",
    "createdAt",
    "updatedAt",
}
WEBHOOK_FIELDS = {
    "task_id",
    "status",
    "status_msg",
    "conversion_type",
    "audio_url",
    "title",
    "conversion_cost",
    "createdAt",
    "updatedAt",
}
ISO_UTC = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
def open_stack(make_stack: StackFactory) -> Stack:
    """A stack that may fetch audio from, and post webhooks to, 127.0.0.1."""
    return make_stack(url_allowlist=["127.0.0.1/32"])


@lru_cache(maxsize=1)
def mp3_tone() -> bytes:
    """1.5 s of a 440 Hz tone, stereo, 32 kHz MP3."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tone.mp3"
        encode(sine(1.5, 32000, 2), 32000, path, format="mp3")
        return path.read_bytes()


def api(stack: Stack) -> str:
    return f"{stack.url}/api/public/v1"


def key_header(stack: Stack) -> dict[str, str]:
    return {"Authorization": stack.key}  # the raw key, as MusicGPT documents


def check_submit_answer(body: dict[str, Any]) -> None:
    assert set(body) >= SUBMIT_FIELDS, body
    assert body["success"] is True and body["message"] == "Message published to queue"
    assert isinstance(body["task_id"], str) and body["conversion_id"] == f"{body['task_id']}-1"
    assert isinstance(body["eta"], int) and body["eta"] >= 0  # 0: answered from the cache
    assert isinstance(body["credit_estimate"], float) and body["credit_estimate"] >= 0


def wait_documented(stack: Stack, conversion_type: str, task_id: str, timeout: float = 90) -> dict[str, Any]:
    """Poll with the Status Check example until the conversion leaves the queue."""
    deadline = time.monotonic() + timeout
    while True:
        response, printed = client.status_check(
            stack.url, stack.key, conversion_type=conversion_type, task_id=task_id
        )
        if response.status_code == 429:  # the status limit (200/min): wait as told
            time.sleep(float(response.headers["Retry-After"]))
            continue
        assert response.status_code == 200 and printed.strip() == response.text.strip()
        conversion: dict[str, Any] = response.json()["conversion"]
        if conversion["status"] != "IN_QUEUE":
            return conversion
        assert time.monotonic() < deadline, f"{task_id} still queued"
        time.sleep(0.2)


def check_conversion(conversion: dict[str, Any], conversion_type: str) -> None:
    assert set(conversion) >= CONVERSION_FIELDS, conversion
    assert conversion["status"] == "COMPLETED", conversion["status_msg"]
    assert conversion["status_msg"] == "Conversion successful"
    assert conversion["conversion_type"] == conversion_type
    assert isinstance(conversion["conversion_cost"], float) and conversion["conversion_cost"] >= 0
    for name in ("createdAt", "updatedAt"):
        assert conversion[name].endswith("Z") and conversion[name] >= conversion["createdAt"]


def download(url: str) -> bytes:
    """A plain GET without a key, as MusicGPT clients fetch audio_url."""
    response = requests.get(url, timeout=30)
    assert response.status_code == 200, response.text
    return response.content


def wait_for_posts(
    receiver: Receiver, path: str, count: int = 1, timeout: float = 20
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while len(receiver.posts(path)) < count:
        assert time.monotonic() < deadline, f"no webhook on {path}"
        time.sleep(0.05)
    return receiver.posts(path)


def test_seed_002_option_1_audio_url(open_stack: Stack, receiver: Receiver) -> None:
    receiver.files["/audio.mp3"] = mp3_tone()
    response, printed = client.file_convert_option_1(
        open_stack.url,
        open_stack.key,
        audio_url=f"{receiver.url}/audio.mp3",
        webhook_url=f"{receiver.url}/callback",
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert printed.strip() == str(body)
    check_submit_answer(body)
    conversion = wait_documented(open_stack, "FILE_CONVERT", body["task_id"])
    check_conversion(conversion, "FILE_CONVERT")
    assert conversion["conversion_id"] == body["conversion_id"] and conversion["conversion_cost"] > 0
    assert body["eta"] >= 1 and body["credit_estimate"] > 0
    info = sf.info(io.BytesIO(download(conversion["audio_url"])))
    assert (info.format, info.samplerate, info.channels) == ("WAV", 44100, 2)
    assert info.duration == pytest.approx(1.5, abs=0.06)  # MP3 frames pad the ends a little
    [hook] = wait_for_posts(receiver, "/callback")
    payload = hook["json"]
    assert set(payload) >= WEBHOOK_FIELDS and payload["conversion_type"] == "FILE_CONVERT"
    assert payload["task_id"] == body["task_id"] and payload["status"] == "COMPLETED"
    # Webhooks link from the configured public URL (here the default host and port).
    assert urlsplit(payload["audio_url"]).path == urlsplit(conversion["audio_url"]).path
    headers = {name.lower(): value for name, value in hook["headers"].items()}
    assert "webhook-signature" not in headers and headers["content-type"] == "application/json"


def test_seed_002_option_2_file_upload(
    open_stack: Stack, receiver: Receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "audio.mp3").write_bytes(mp3_tone())
    monkeypatch.chdir(tmp_path)
    response, printed = client.file_convert_option_2(
        open_stack.url, open_stack.key, webhook_url=f"{receiver.url}/callback"
    )
    assert response.status_code == 200, response.text
    check_submit_answer(response.json())
    assert printed.strip() == str(response.json())
    conversion = wait_documented(open_stack, "FILE_CONVERT", response.json()["task_id"])
    check_conversion(conversion, "FILE_CONVERT")
    info = sf.info(io.BytesIO(download(conversion["audio_url"])))
    assert (info.format, info.subtype, info.samplerate) == ("FLAC", "PCM_24", 32000)
    assert wait_for_posts(receiver, "/callback")[0]["json"]["status"] == "COMPLETED"


def submit(stack: Stack, path: str, data: dict[str, Any], audio: bytes | None = None) -> requests.Response:
    files = {"audio_file": ("input.wav", audio, "audio/wav")} if audio is not None else None
    return requests.post(
        f"{api(stack)}/{path}", headers=key_header(stack), data=data, files=files, timeout=30
    )


def completed(stack: Stack, kind: str, response: requests.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    check_submit_answer(response.json())
    conversion = wait_documented(stack, kind, response.json()["task_id"])
    check_conversion(conversion, kind)
    return conversion


def test_cutter_milliseconds_speed_factor_and_by_user(stack: Stack) -> None:
    tone = wav_bytes(3.0, 44100, 2)
    cut = submit(
        stack, "audio_cutter", {"start_time": 500, "end_time": 2000, "output_extension": "flac"}, tone
    )
    cut_conv = completed(stack, "AUDIO_CUTTER", cut)
    data, rate = sf.read(io.BytesIO(download(cut_conv["audio_url"])))
    assert rate == 44100 and data.shape == (66150, 2)  # exactly 1.5 s: the times were milliseconds
    speed = submit(stack, "audio_speed_changer", {"speed_change_factor": 2, "output_extension": "wav"}, tone)
    sped, _ = sf.read(io.BytesIO(download(completed(stack, "AUDIO_SPEED_CHANGER", speed)["audio_url"])))
    assert sped.shape[0] == pytest.approx(66150, abs=64)
    spectrum = np.abs(np.fft.rfft(sped[:, 0]))
    assert np.argmax(spectrum) * 44100 / sped.shape[0] == pytest.approx(440, abs=3)  # pitch kept
    listed = requests.get(f"{api(stack)}/byUser", headers=key_header(stack), timeout=30).json()
    assert listed["success"] is True and listed["LastEvaluatedKey"] is None
    types = [c["conversion_type"] for c in listed["conversions"]]
    assert types == ["AUDIO_SPEED_CHANGER", "AUDIO_CUTTER"]  # newest first
    params = {"conversionType": "AUDIO_CUTTER"}
    only = requests.get(f"{api(stack)}/byUser", headers=key_header(stack), params=params, timeout=30).json()
    assert [c["task_id"] for c in only["conversions"]] == [cut.json()["task_id"]]
    first = requests.get(f"{api(stack)}/byUser", headers=key_header(stack), params={"limit": 1}, timeout=30)
    page = first.json()
    rest = requests.get(
        f"{api(stack)}/byUser",
        headers=key_header(stack),
        params={"limit": 1, "LastEvaluatedKey": page["LastEvaluatedKey"]},
        timeout=30,
    ).json()
    assert [c["conversion_type"] for c in page["conversions"] + rest["conversions"]] == types


def test_key_and_bpm_fields(stack: Stack) -> None:
    groove = groove_bytes(render_groove(124.0, tonic=7, scale="major", seconds=10.0))
    conversion = completed(stack, "KEY_BPM_EXTRACTION", submit(stack, "extract_key_bpm", {}, groove))
    assert conversion["key"] == conversion["dominant_key"] == "G major"
    assert conversion["bpm"] == pytest.approx(124.0, rel=0.01)
    assert conversion["key_changes"] == {"0.00-10.00": "G major"}
    analysis = requests.get(conversion["conversion_path"], timeout=30).json()
    assert analysis["bpm"] == conversion["bpm"]


def test_text_to_speech_json_body(stack: Stack) -> None:
    body = {"text": "Hello from the compatibility layer.", "gender": "f"}
    response = requests.post(f"{api(stack)}/TextToSpeech", headers=key_header(stack), json=body, timeout=30)
    conversion = completed(stack, "TEXT_TO_SPEECH", response)
    speech, rate = sf.read(io.BytesIO(download(conversion["audio_url"])))
    assert conversion["audio_url"].endswith(".mp3") and 1.0 < speech.shape[0] / rate < 6.0
    assert np.sqrt(np.mean(np.square(speech))) > 0.01


def test_voices_pages_and_search(stack: Stack) -> None:
    everything = requests.get(f"{api(stack)}/getAllVoices", headers=key_header(stack), timeout=30).json()
    assert everything["success"] is True and everything["page"] == 0 and everything["total"] >= 2
    voice = everything["voices"][0]
    assert {"voice_id", "voice_name"} <= set(voice)
    second = requests.get(
        f"{api(stack)}/getAllVoices", headers=key_header(stack), params={"limit": 1, "page": 1}, timeout=30
    ).json()
    assert len(second["voices"]) == 1 and second["voices"][0] == everything["voices"][1]
    found = requests.get(
        f"{api(stack)}/searchVoices", headers=key_header(stack), params={"query": "female"}, timeout=30
    ).json()
    assert found["voices"] and all(v["gender"] == "female" for v in found["voices"])


def error_of(response: requests.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["success"] is False and body["message"] == body["detail"] and body["code"]
    return body


def test_errors_in_musicgpt_shape(stack: Stack) -> None:
    tone = wav_bytes(1.0)
    bad_key = requests.post(
        f"{api(stack)}/file_convert", headers={"Authorization": "nope"}, data={}, timeout=30
    )
    assert error_of(bad_key, 403)["code"] == "unauthorized"
    bad_format = submit(
        stack, "audio_cutter", {"start_time": 0, "end_time": 500, "output_extension": "docx"}, tone
    )
    assert error_of(bad_format, 422)["field"] == "output_extension"
    garbage = submit(stack, "file_convert", {"target_format": "wav"}, b"this is not audio")
    assert error_of(garbage, 400)["field"] == "audio_file"
    unknown_voice = error_of(submit(stack, "Cover", {"voice_id": "x"}, tone), 422)
    assert unknown_voice["field"] == "voice_id" and "deep-male" in unknown_voice["message"]
    by_id = f"{api(stack)}/byId"
    unknown = requests.get(
        by_id, headers=key_header(stack), params={"conversionType": "MUSIC_AI", "task_id": "job_x"}
    )
    assert error_of(unknown, 404)["field"] == "task_id"
    both = {"conversionType": "MUSIC_AI", "task_id": "a", "conversion_id": "b-1"}
    assert error_of(requests.get(by_id, headers=key_header(stack), params=both), 422)["field"] == "task_id"
    wrong_type = {"conversionType": "SINGING", "task_id": "job_x"}
    assert error_of(requests.get(by_id, headers=key_header(stack), params=wrong_type), 422)["field"] == (
        "conversionType"
    )
    assert error_of(requests.get(f"{api(stack)}/noSuchEndpoint", headers=key_header(stack)), 404)


def test_402_without_credits_and_429_over_the_conversion_limit(make_stack: StackFactory) -> None:
    poor = make_stack(credits=0.05, submit_rate_limit="2/minute")
    tone = wav_bytes(1.0)
    assert error_of(submit(poor, "denoise", {}, tone), 402)["code"] == "insufficient_credits"
    rich = poor.new_key(100.0)
    statuses = []
    for _ in range(3):
        response = requests.post(
            f"{api(poor)}/file_convert",
            headers={"Authorization": rich},
            data={"target_format": "flac"},
            files={"audio_file": ("a.wav", tone, "audio/wav")},
            timeout=30,
        )
        statuses.append(response.status_code)
    assert statuses == [200, 200, 429]
    assert int(response.headers["Retry-After"]) >= 1 and error_of(response, 429)["code"] == "rate_limited"


def test_public_links_need_the_token_and_convert_on_request(stack: Stack) -> None:
    conversion = completed(stack, "DENOISING", submit(stack, "denoise", {}, wav_bytes(1.0)))
    link = conversion["audio_url"]
    prefix, _, name = link.rpartition("/")
    forged = f"{prefix}/{'0' * 32}.{name.partition('.')[2]}"
    assert requests.get(forged, timeout=30).status_code == 404
    mp3 = sf.info(io.BytesIO(download(conversion["conversion_path"])))
    assert mp3.format == "MP3" and mp3.duration == pytest.approx(1.0, abs=0.06)
    [entry] = conversion["files"]
    assert entry["url"] == link and entry["kind"] == "audio"


def test_a_request_answered_from_the_cache_keeps_its_musicgpt_view(
    open_stack: Stack, receiver: Receiver
) -> None:
    tone = wav_bytes(1.0)
    files = {"audio_file": ("a.wav", tone, "audio/wav")}
    native = open_stack.client.post("/v1/convert", data={"target_format": "flac"}, files=files)
    assert (
        native.status_code == 202
        and wait_for_job(open_stack.client, native.json()["job_id"])["status"] == "complete"
    )
    data = {"target_format": "flac", "webhook_url": f"{receiver.url}/again"}
    again = completed(open_stack, "FILE_CONVERT", submit(open_stack, "file_convert", data, tone))
    hook = wait_for_posts(receiver, "/again")[0]["json"]
    assert hook["conversion_type"] == "FILE_CONVERT" and hook["task_id"] == again["task_id"]
    meta = open_stack.client.get(f"/v1/jobs/{again['task_id']}").json()["metadata"]
    assert meta.get("cache") == "hit"  # the native job's result, reused
    assert meta["musicgpt"] == {"conversion_type": "FILE_CONVERT", "outputs": 1}  # and this job's own entry
