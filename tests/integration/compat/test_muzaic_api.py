"""Muzaic drop-in API through a live server: seed 003's example requests sent verbatim.

The client is what Muzaic's own MCP server uses (``httpx`` with ``MuzaicAPI-Secret-Key`` and JSON
bodies, root paths). Each MP3 link is downloaded without credentials, as a Muzaic client does, and
decoded: its length must be the asked duration (±0.1 s), and the music must follow the tags,
params and regions asked for.
"""

from __future__ import annotations

import io
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import numpy as np
import pytest
import soundfile as sf

from mixdown.app import create_app
from mixdown.engines.music.produce.loudness import LoudnessMeter
from mixdown.engines.music.tags import TAGS_BY_ID
from mixdown.service.container import Services, build_services
from mixdown.settings import Settings
from tests.harness import LiveServer, ThreadWorkers, new_key

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

HEX32 = r"^[0-9a-f]{32}$"
# docs.muzaic.ai, "Quickly getting an audio file" (seed 003): the two example requests, verbatim.
SIMPLE = {"duration": 48, "tags": [11, 17]}
WITH_PARAMS = {
    "duration": 122,
    "tags": [2, 5, 10],
    "params": {"intensity": 3, "tempo": 5, "rhythm": 5, "tone": 9, "variance": 5},
}
# docs.muzaic.ai, "Advanced soundtracking": the two-region example; only sourceHash is substituted.
SOUNDTRACK_REGIONS: list[dict[str, Any]] = [
    {
        "time": 0,
        "duration": 20.2,
        "tags": [17],
        "params": {
            "intensity": [[0, 1], [100, 9]],
            "tempo": 5,
            "rhythm": [[0, 9], [100, 1]],
            "tone": [[0, 9], [100, 1]],
            "variance": [[0, 5], [100, 5]],
        },
        "method": "adjust_end",
    },
    {
        "time": 20.2,
        "duration": 27.8,
        "sourceHash": "9191593eb3992ba7c4307455c0e1b5ca",
        "action": "copy",
        "method": "adjust_start",
    },
]
JINGLE_SECONDS = 12


@dataclass
class Muzaic:
    """A live server, a Muzaic-style client for one key and a native client for the same key."""

    url: str
    key: str
    client: httpx.Client
    native: httpx.Client
    services: Services


@pytest.fixture(scope="module")
def muzaic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Muzaic]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("muzaic"), sweep_interval_seconds=0.2, lease_seconds=5.0
    )
    services = build_services(settings)
    services.db.migrate()
    with LiveServer(create_app(settings, services=services)) as server, ThreadWorkers(services, 2):
        key = new_key(services, 2000.0)
        headers = {"MuzaicAPI-Secret-Key": key, "Content-Type": "application/json"}
        with (
            httpx.Client(base_url=server.url, headers=headers, timeout=600) as client,
            httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}) as native,
        ):
            yield Muzaic(server.url, key, client, native, services)
    services.close()


@pytest.fixture(scope="module")
def jingle(muzaic: Muzaic) -> dict[str, Any]:
    """A short piece answered by /singleFile: the source of copies and extensions."""
    return post(muzaic, "/singleFile", {"duration": JINGLE_SECONDS, "tags": [17]})


@pytest.fixture(scope="module")
def extended(muzaic: Muzaic, jingle: dict[str, Any]) -> dict[str, Any]:
    """The jingle extended to 20 s in a first region and cut to 6 s (strict) in a second, not levelled."""
    regions = [
        {"time": 0, "duration": 20, "action": "extend", "sourceHash": jingle["hash"]},
        {"time": 21, "duration": 6, "action": "copy", "sourceHash": jingle["hash"], "method": "strict"},
    ]
    return post(muzaic, "/soundtrack", {"regions": regions, "normalize": "none"})


def post(muzaic: Muzaic, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = muzaic.client.post(path, json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def download(url: str) -> tuple[np.ndarray, int, httpx.Response]:
    """A result as a Muzaic client fetches it: a plain GET, no key."""
    response = httpx.get(url, timeout=60)
    assert response.status_code == 200, response.text
    audio, rate = sf.read(io.BytesIO(response.content), dtype="float32", always_2d=True)
    return audio, rate, response


def loudness(audio: np.ndarray, rate: int) -> float:
    meter = LoudnessMeter(rate)
    meter.add(audio)
    return meter.integrated()


def native_job(muzaic: Muzaic, result_id: str) -> dict[str, Any]:
    """The native generate job behind a result (listed through the native API with the same key)."""
    jobs = muzaic.native.get("/v1/jobs", params={"task": "generate", "limit": 100}).json()["jobs"]
    return next(job for job in jobs if any(r["id"] == result_id for r in job["results"]))


def result_id(url: str) -> str:
    return url.rsplit("/", 1)[1].removesuffix(".mp3")


def native_job_of_hash(muzaic: Muzaic, digest: str) -> dict[str, Any]:
    jobs = muzaic.native.get("/v1/jobs", params={"task": "generate", "limit": 100}).json()["jobs"]
    return next(job for job in jobs if any(r.get("hash") == digest for r in job["results"]))


def mix_of_hash(muzaic: Muzaic, digest: str) -> dict[str, Any]:
    job = native_job_of_hash(muzaic, digest)
    return next(r for r in job["results"] if r["kind"] == "audio")


def window(start: float, seconds: float, rate: int) -> slice:
    """``seconds`` of frames from ``start`` (the same frame count wherever it starts)."""
    first = round(start * rate)
    return slice(first, first + round(seconds * rate))


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.mean(axis=1), b.mean(axis=1)
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12))


def check_file_answer(answer: dict[str, Any]) -> None:
    assert answer["apiVersion"] == "1.2.0"
    assert answer["mp3"].startswith("http") and answer["mp3"].endswith(".mp3")
    assert isinstance(answer["motiveId"], int) and isinstance(answer["status"], str)
    assert isinstance(answer["executionTime"], float) and answer["executionTime"] > 0
    assert isinstance(answer["hash"], str) and len(answer["hash"]) == 32


def test_simple_request_with_duration_and_tags(muzaic: Muzaic) -> None:
    # When seed 003's first example is sent as it is
    answer = post(muzaic, "/singleFile", SIMPLE)
    # Then the answer has Muzaic's fields and the tokens are the 48 seconds
    check_file_answer(answer)
    assert answer["tokensUsed"] == 48 and answer["status"] == "no params object"
    # And the MP3 downloads without a key and is 48 s of stereo music at the engine's loudness
    audio, rate, response = download(answer["mp3"])
    assert response.headers["content-type"] == "audio/mpeg"
    assert audio.shape[1] == 2 and abs(len(audio) / rate - 48.0) <= 0.1
    assert abs(loudness(audio, rate) + 14.0) <= 1.0
    # And the tags chose the music: the styles come from tags 11 (Lo-fi) and 17 (Synthwave)
    job = native_job(muzaic, result_id(answer["mp3"]))
    allowed = set(TAGS_BY_ID[11].styles) | set(TAGS_BY_ID[17].styles)
    assert job["metadata"]["genre"] in allowed
    assert job["metadata"]["spec"]["tags"] == [11, 17]


def test_request_with_duration_tags_and_params(muzaic: Muzaic) -> None:
    # When seed 003's second example (2 min 2 s, manual params) is sent as it is
    answer = post(muzaic, "/singleFile", WITH_PARAMS)
    check_file_answer(answer)
    assert answer["tokensUsed"] == 122 and answer["status"] == "action: generate"
    audio, rate, _ = download(answer["mp3"])
    assert abs(len(audio) / rate - 122.0) <= 0.1
    # Then the params were applied as given (constant curves) and the tags chose the styles
    spec = native_job(muzaic, result_id(answer["mp3"]))["metadata"]["spec"]
    for name, value in (("intensity", 3), ("tone", 9), ("rhythm", 5), ("variance", 5)):
        assert {point[1] for point in spec[name]["points"]} == {value}
    tag_styles = {style for tag in (2, 5, 10) for style in TAGS_BY_ID[tag].styles}
    assert {s["name"] for s in spec["styles"]} <= tag_styles


def test_the_soundtrack_example_places_a_copied_jingle_and_fills_up_to_it(
    muzaic: Muzaic, jingle: dict[str, Any]
) -> None:
    # Given a 12 s jingle made earlier (its hash replaces the example's placeholder)
    regions = [SOUNDTRACK_REGIONS[0], {**SOUNDTRACK_REGIONS[1], "sourceHash": jingle["hash"]}]
    # When the two-region example is sent
    answer = post(muzaic, "/soundtrack", {"regions": regions})
    # Then the answer is Muzaic's, with each region's hash (the copy keeps the jingle's)
    assert answer["apiVersion"] == "1.2.0" and answer["mp3"].endswith(".mp3")
    assert [r["number"] for r in answer["regions"]] == [0, 1]
    assert answer["regions"][1]["hash"] == jingle["hash"]
    assert answer["status"].endswith("soundtrack normalized: auto")
    assert "region 0 adjust_end: 0.000-36.000 s" in answer["status"]
    assert answer["tokensUsed"] == 36 + JINGLE_SECONDS
    # And the MP3 is the 48 s asked, levelled, ending with the whole jingle (adjust_start)
    audio, rate, _ = download(answer["mp3"])
    assert abs(len(audio) / rate - 48.0) <= 0.1
    assert abs(loudness(audio, rate) + 14.0) <= 1.0
    source, _, _ = download(jingle["mp3"])
    tail = JINGLE_SECONDS - 0.6
    assert correlation(audio[window(36.3, tail, rate)], source[window(0.3, tail, rate)]) > 0.95
    # And the generated region followed its keyframes over its settled 36 s
    spec = native_job_of_hash(muzaic, answer["regions"][0]["hash"])["metadata"]["spec"]
    assert spec["duration"] == pytest.approx(36.0)
    assert [point[1] for point in spec["intensity"]["points"]] == [1.0, 9.0]


def test_extend_and_strict_copy_without_normalisation(
    muzaic: Muzaic, jingle: dict[str, Any], extended: dict[str, Any]
) -> None:
    # Given the jingle extended to 20 s, then a second of silence, then the jingle cut to 6 s
    audio, rate, _ = download(extended["mp3"])
    source, _, _ = download(jingle["mp3"])
    # Then the soundtrack is 27 s and each region's job is charged (the minimum charge is 10 s)
    assert abs(len(audio) / rate - 27.0) <= 0.1
    assert extended["tokensUsed"] == max(20 - JINGLE_SECONDS, 10) + JINGLE_SECONDS
    assert extended["regions"][0]["hash"] not in (None, jingle["hash"])
    assert "region 0 action: extend" in extended["status"]
    assert extended["status"].endswith("soundtrack normalized: none")
    # And the extension plays the jingle unchanged up to where the engine says it stays identical
    kept = mix_of_hash(muzaic, extended["regions"][0]["hash"])["kept"]["identical_until"]
    assert kept > 2.0
    head = window(0.1, kept - 0.2, rate)
    assert correlation(audio[head], source[head]) > 0.98
    assert np.sqrt(np.mean(audio[window(20.05, 0.9, rate)] ** 2)) < 1e-3
    assert correlation(audio[window(21.1, 5.5, rate)], source[window(0.1, 5.5, rate)]) > 0.98


def test_audio_from_hash_retrieves_a_stored_mp3_or_regenerates_the_piece_exactly(
    muzaic: Muzaic, jingle: dict[str, Any], extended: dict[str, Any]
) -> None:
    # When the jingle's hash (answered as an MP3) and the extension's (only inside a soundtrack) are asked
    stored = post(muzaic, "/audioFromHash", {"hash": jingle["hash"]})
    again = post(muzaic, "/audioFromHash", {"hash": extended["regions"][0]["hash"]})
    # Then the stored MP3 comes back at no cost, and the extension is regenerated identically
    assert (stored["mp3"], stored["tokensUsed"], stored["status"]) == (jingle["mp3"], 0, "action: retrieve")
    assert again["status"] == "action: regenerate" and again["tokensUsed"] == 20
    assert again["hash"] == extended["regions"][0]["hash"]
    regenerated, rate, _ = download(again["mp3"])
    soundtrack, _, _ = download(extended["mp3"])
    assert abs(len(regenerated) / rate - 20.0) <= 0.1
    body = window(0.1, 19.8, rate)
    assert correlation(regenerated[body], soundtrack[body]) > 0.98


def test_get_tags_lists_the_catalogue_with_incompatible_pairs(muzaic: Muzaic) -> None:
    answer = muzaic.client.get("/getTags").json()
    ids = {tag["id"] for tag in answer["tags"]}
    assert {2, 5, 10, 11, 17} <= ids and all(tag["name"] for tag in answer["tags"])
    relations = answer["tagRelations"]
    assert relations and all(r["value"] == -1 and {r["tag1"], r["tag2"]} <= ids for r in relations)


def test_account_details_counts_credits_as_seconds_of_music(muzaic: Muzaic, jingle: dict[str, Any]) -> None:
    answer = muzaic.client.get("/accountDetails").json()
    credits = muzaic.native.get("/v1/credits").json()
    assert answer["apiVersion"] == "1.2.0" and answer["secretKey"].startswith(muzaic.key[:8])
    assert muzaic.key not in answer["secretKey"]
    assert answer["freeTokensAvailable"] == answer["currentBalance"] == math.floor(credits["credits"] / 0.05)
    assert answer["totalUsedTokens"] == round(credits["spent"] / 0.05) >= JINGLE_SECONDS


def test_errors_have_muzaics_shape_and_status(muzaic: Muzaic) -> None:
    with httpx.Client(base_url=muzaic.url, timeout=30) as plain:
        check_errors(muzaic, plain)


def check_errors(muzaic: Muzaic, plain: httpx.Client) -> None:
    no_key = plain.post("/singleFile", json=SIMPLE)
    assert no_key.status_code == 401 and no_key.json()["Error"] == "No MuzaicAPI Secret Key"
    wrong = plain.get("/accountDetails", headers={"MuzaicAPI-Secret-Key": "mxd_nope"})
    assert wrong.status_code == 401 and wrong.json()["Error"] == "Wrong MuzaicAPI Secret Key"
    not_object = muzaic.client.post("/singleFile", content=b"[48]")
    assert not_object.status_code == 400 and not_object.json() == {
        "Error": "Wrong request JSON Object",
        "field": "body",
    }
    cases = [
        ("/singleFile", {"duration": 48, "params": {"tempo": [[0, 1], [100, 9]]}}, "params"),
        ("/singleFile", {"duration": 1500}, "duration"),
        ("/singleFile", {"tags": [29, 26]}, "tags"),  # Meditation and Metal cannot be combined
        ("/soundtrack", {"regions": [{"time": 0, "duration": 5, "action": "copy"}]}, "regions.0.sourceHash"),
        ("/soundtrack", {"regions": [{"time": 0, "duration": 5, "tags": [999]}]}, "regions.0.tags"),
        ("/soundtrack", {"regions": [{"time": 2 * i, "duration": 2} for i in range(11)]}, "regions"),
    ]
    for path, body, field in cases:
        refused = muzaic.client.post(path, json=body)
        assert refused.status_code == 400, (path, body, refused.text)
        assert (
            refused.json()["Error"].startswith("Wrong request JSON Object: ")
            and refused.json()["field"] == field
        )
    no_regions = muzaic.client.post("/soundtrack", json={"normalize": "auto"})
    assert no_regions.status_code == 400 and no_regions.json()["Error"] == "No regions list"
    unknown = muzaic.client.post("/audioFromHash", json={"hash": "9191593eb3992ba7c4307455c0e1b5ca"})
    assert unknown.status_code == 404 and unknown.json()["field"] == "hash"
    poor = new_key(muzaic.services, 0.1)
    broke = plain.post("/singleFile", json=SIMPLE, headers={"MuzaicAPI-Secret-Key": poor})
    assert broke.status_code == 402 and broke.json()["Error"].startswith("Not enough tokens: ")


def test_result_links_serve_only_muzaic_results_under_their_date(
    muzaic: Muzaic, jingle: dict[str, Any]
) -> None:
    day, name = jingle["mp3"].rsplit("/", 2)[1:]
    assert httpx.get(f"{muzaic.url}/result/1999-01-01/{name}").status_code == 404
    # A native job's result is not reachable through the key-less link
    accepted = muzaic.native.post("/v1/convert", json={"input_audio": wav_base64(), "target_format": "mp3"})
    job = wait_native(muzaic, accepted.json()["job_id"])
    native_id = job["results"][0]["id"]
    hidden = httpx.get(f"{muzaic.url}/result/{day}/{native_id}.mp3")
    assert hidden.status_code == 404 and "Error" in hidden.json()
    assert muzaic.native.get(f"/v1/audio/{result_id(jingle['mp3'])}").status_code == 200


def wav_base64() -> str:
    import base64

    buffer = io.BytesIO()
    tone = (0.2 * np.sin(2 * np.pi * 440 * np.arange(8000) / 8000)).astype(np.float32)
    sf.write(buffer, tone, 8000, format="WAV", subtype="PCM_16")
    return base64.b64encode(buffer.getvalue()).decode()


def wait_native(muzaic: Muzaic, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while True:
        job: dict[str, Any] = muzaic.native.get(f"/v1/jobs/{job_id}").json()
        if job["status"] in ("complete", "failed", "cancelled") or time.monotonic() > deadline:
            assert job["status"] == "complete", job
            return job
        time.sleep(0.05)
