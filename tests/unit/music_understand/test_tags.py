"""The tag catalogue: stable ids, incompatible pairs, both response shapes, validation."""

from __future__ import annotations

import pytest

from mixdown.engines.music.tags import (
    TAG_RELATIONS,
    TAGS,
    TAGS_BY_ID,
    TagCategory,
    get_tags,
    tag_catalogue,
    tag_hints,
    validate_tags,
)


def test_catalogue_size_and_categories() -> None:
    assert len(TAGS) >= 40
    assert len(TAGS_BY_ID) == len(TAGS), "ids are unique"
    by_category = {c: [t for t in TAGS if t.category is c] for c in TagCategory}
    assert all(by_category.values())
    assert all(t.styles for t in by_category[TagCategory.GENRE])
    assert all(t.mood for t in by_category[TagCategory.MOOD])
    assert all(t.instruments for t in by_category[TagCategory.INSTRUMENT])
    assert all(t.energy is not None for t in by_category[TagCategory.ENERGY])


def test_ids_are_stable() -> None:
    # Clients store these ids: renumbering one is a breaking change.
    expected = {1: "Ambient", 2: "Cinematic", 5: "Electronic", 10: "Latin", 14: "Techno", 101: "Happy",
                102: "Sad", 103: "Dark", 201: "Piano", 211: "808", 301: "Calm", 306: "Intense"}  # fmt: skip
    assert {i: TAGS_BY_ID[i].name for i in expected} == expected


def test_relations_pair_known_distinct_tags() -> None:
    assert len(set(map(frozenset, TAG_RELATIONS))) == len(TAG_RELATIONS)
    for a, b in TAG_RELATIONS:
        assert a != b and a in TAGS_BY_ID and b in TAGS_BY_ID


def test_muzaic_shape() -> None:
    data = get_tags()
    assert set(data) == {"tags", "tagRelations"}
    assert data["tags"][0] == {
        "id": 1,
        "name": "Ambient",
        "description": TAGS[0].description,
        "category": "genre",
    }
    assert {"tag1": 101, "tag2": 102, "value": -1} in data["tagRelations"]
    assert all(r["value"] == -1 for r in data["tagRelations"])


def test_native_shape_lists_incompatibilities_both_ways() -> None:
    tags = {t["id"]: t for t in tag_catalogue()["tags"]}
    assert 102 in tags[101]["incompatible_with"] and 101 in tags[102]["incompatible_with"]
    assert tags[14]["styles"] == ["techno"] and tags[14]["category"] == "genre"
    assert tags[211]["instruments"] == ["808"]


def test_validate_keeps_order_and_drops_repeats() -> None:
    assert validate_tags([2, 5, 10, 5]) == (2, 5, 10)
    assert validate_tags([]) == ()


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        ([999], r"unknown tag id: \[999\]"),
        ([1, 998, 999], r"unknown tag ids: \[998, 999\]"),
        ([101, 102], r"tags 101 \(Happy\) and 102 \(Sad\) are incompatible"),
        ([29, 306], r"tags 29 \(Meditation\) and 306 \(Intense\) are incompatible"),
        ([301, 305], "incompatible"),
        (["1"], "integer ids"),
        ([True], "integer ids"),
    ],
)
def test_invalid_tags(ids: list[object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_tags(ids)  # type: ignore[arg-type]


def test_hints() -> None:
    hints = tag_hints([14, 103, 211, 305])
    assert hints.styles == {"techno": 1.0}
    assert hints.moods == ("dark",) and hints.instruments == ("808",) and hints.energy == 0.7
    assert tag_hints([5]).styles == dict.fromkeys(("house", "techno", "edm_big_room", "synthwave"), 0.6)
