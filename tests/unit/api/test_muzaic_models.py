"""Muzaic bodies into native fields and regions; Muzaic's error body; region jobs and labelled errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mixdown.api.compat.muzaic import muzaic_error
from mixdown.api.compat.muzaic.models import (
    DEFAULT_PARAMS,
    HashBody,
    SingleFileBody,
    SoundtrackBody,
    generate_fields,
    json_object,
    parse_body,
    region_request,
)
from mixdown.audio.timeline import Span
from mixdown.errors import BadRequest, NotFound, ValidationFailed
from mixdown.service.soundtrack import TIMELINE_RATE, RegionRequest, _planned
from mixdown.service.waiting import _labelled

DOC_REGIONS = {
    "regions": [
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
}


def body(response: Any) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(response.body)
    return value


@pytest.mark.parametrize("raw", [b"[1, 2]", b"not json", b'"text"', b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_the_documented_400(raw: bytes) -> None:
    with pytest.raises(BadRequest, match=r"^Wrong request JSON Object$"):
        json_object(raw)


def test_everything_is_optional_in_single_file_with_muzaics_defaults() -> None:
    parsed = parse_body(SingleFileBody, json_object(b""))
    assert (parsed.duration, parsed.tags, parsed.params) == (60.0, [], None)
    fields, warnings = generate_fields(parsed.tags, parsed.params)
    assert fields == {"tags": [], "params": DEFAULT_PARAMS} and warnings == ["no params object"]


def test_tags_without_params_leave_the_style_its_own_params_and_warn_like_muzaic() -> None:
    fields, warnings = generate_fields([11, 17], None)
    assert fields == {"tags": [11, 17]} and warnings == ["no params object"]
    fields, warnings = generate_fields([2, 5, 10], {"intensity": 3, "tone": 9})
    assert fields == {"tags": [2, 5, 10], "params": {"intensity": 3, "tone": 9}} and warnings == []


@pytest.mark.parametrize(
    ("model", "raw", "field"),
    [
        (SingleFileBody, {"duration": 1201}, "duration"),
        (SingleFileBody, {"duration": 0}, "duration"),
        (SingleFileBody, {"tags": ["pop"]}, "tags.0"),
        (HashBody, {}, "hash"),
        (SoundtrackBody, {"regions": [{"duration": 5}]}, "regions.0.time"),
        (SoundtrackBody, {"regions": [{"time": 1190, "duration": 20}]}, "regions.0"),
        (SoundtrackBody, {"regions": [{"time": 0, "action": "remix"}]}, "regions.0.action"),
        (SoundtrackBody, {"regions": [{"time": 0, "method": "smart"}]}, "regions.0.method"),
        (SoundtrackBody, {"regions": [{"time": 0}], "normalize": "loud"}, "normalize"),
    ],
)
def test_invalid_fields_are_refused_naming_the_field(model: Any, raw: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_body(model, raw)
    assert caught.value.field == field


@pytest.mark.parametrize("raw", [{}, {"regions": []}, {"normalize": "auto"}])
def test_a_soundtrack_without_regions_is_muzaics_no_regions_list(raw: dict[str, Any]) -> None:
    with pytest.raises(BadRequest, match=r"^No regions list$"):
        parse_body(SoundtrackBody, raw)


def test_the_documented_soundtrack_example_translates_region_by_region() -> None:
    parsed = parse_body(SoundtrackBody, DOC_REGIONS)
    assert parsed.normalize == "auto"  # Muzaic's sample answer says "soundtrack normalized: auto"
    first, second = (region_request(r) for r in parsed.regions)
    assert (first.time, first.duration, first.action, first.method) == (0, 20.2, "generate", "adjust_end")
    assert first.fields["tags"] == [17] and first.fields["params"]["intensity"] == [[0, 1], [100, 9]]
    assert (second.action, second.method, second.source_hash) == (
        "copy",
        "adjust_start",
        "9191593eb3992ba7c4307455c0e1b5ca",
    )
    assert second.fields == {}
    assert parse_body(SoundtrackBody, {**DOC_REGIONS, "normalize": False}).normalize == "none"


def test_region_jobs_generate_copy_regenerate_and_extend_with_a_copy_when_there_is_no_room() -> None:
    generate = _planned(RegionRequest(0, 20.2, fields={"tags": [17]}), Span(0.0, 36.0), None)
    assert generate.job_fields == {
        "tags": [17], "output_format": "wav", "stems": False, "duration": 36.0, "sample_rate": TIMELINE_RATE,
    }  # fmt: skip
    copy = _planned(RegionRequest(36, 12, "copy", source_hash="h"), Span(36.0, 48.0), 12.0)
    assert copy.job_fields == {
        "from_hash": "h", "variation": "exact", "duration": 12.0, "output_format": "wav", "stems": False,
    }  # fmt: skip
    similar = _planned(RegionRequest(0, 12, "regenerate", source_hash="h"), Span(0.0, 12.0), 12.0)
    assert (
        similar.action == "regenerate" and similar.job_fields and similar.job_fields["variation"] == "similar"
    )
    extend = _planned(RegionRequest(0, 30, "extend", source_hash="h"), Span(0.0, 30.0), 12.0)
    assert extend.action == "extend" and extend.job_fields
    assert (extend.job_fields["operation"], extend.job_fields["extend_seconds"]) == ("extend", 18.0)
    no_room = _planned(RegionRequest(0, 12.5, "extend", source_hash="h"), Span(0.0, 12.5), 12.0)
    assert no_room.action == "copy" and no_room.job_fields and "operation" not in no_room.job_fields
    silence = _planned(RegionRequest(0, 5, "silence"), Span(0.0, 5.0), None)
    assert silence.job_fields is None


def test_errors_take_muzaics_shape_and_a_rejected_field_is_its_400() -> None:
    answer = muzaic_error(401, {"code": "unauthorized", "message": "No MuzaicAPI Secret Key"}, None)
    assert answer.status_code == 401 and body(answer) == {"Error": "No MuzaicAPI Secret Key"}
    answer = muzaic_error(422, {"code": "validation_error", "message": "tags: bad", "field": "tags"}, None)
    assert answer.status_code == 400
    assert body(answer) == {"Error": "Wrong request JSON Object: tags: bad", "field": "tags"}
    broke = muzaic_error(402, {"message": "This job needs 2.4 credits; 0.1 are available."}, None)
    assert body(broke) == {"Error": "Not enough tokens: This job needs 2.4 credits; 0.1 are available."}
    failed = muzaic_error(500, {"message": "quality checks failed", "job_id": "job_1"}, None)
    assert body(failed) == {"Error": "quality checks failed", "jobId": "job_1"}
    limited = muzaic_error(429, {"message": "slow down"}, {"Retry-After": "5"})
    assert limited.status_code == 429 and limited.headers["retry-after"] == "5"


def test_errors_of_one_request_among_several_name_it() -> None:
    def refuse() -> None:
        raise ValidationFailed("tags: unknown tag id", field="tags")

    with pytest.raises(ValidationFailed) as caught:
        _labelled("regions.1", refuse)
    assert caught.value.field == "regions.1.tags"
    assert caught.value.message == "regions.1: tags: unknown tag id"

    def missing() -> None:
        raise NotFound("No generation")

    with pytest.raises(NotFound) as not_found:
        _labelled("regions.0", missing)
    assert not_found.value.field == "regions.0"
