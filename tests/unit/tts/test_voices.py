"""The voice catalogue: parsing each engine's listing, discovery without an engine, search, choice."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from mixdown.engines.tts.catalogue import Catalogue, language_level
from mixdown.engines.tts.voices import (
    FESTIVAL_LIST_SCHEME,
    discover_voices,
    normalize_language,
    parse_espeak_voices,
    parse_festival_voices,
    parse_flite_voices,
)
from mixdown.errors import EngineUnavailable, ValidationFailed

ESPEAK_OUT = """\
Pty Language       Age/Gender VoiceName          File                 Other Languages
 5  de              --/M      German             gmw/de
 2  en-gb           --/M      English_(Great_Britain) gmw/en               (en 2)
 2  en-us           --/M      English_(America)  gmw/en-US            (en 3)
 5  fr-fr           --/M      French_(France)    roa/fr               (fr 5)
 5  yue             --/M      Chinese_(Cantonese) sit/yue              (zh-yue 5)(zh 8)
 5  yue             --/M      Chinese_(Cantonese,_latin_as_Jyutping) sit/yue-Latn-jyutping (zh-yue 5)(zh 8)
"""
FLITE_OUT = "Voices available: kal awb_time kal16 awb rms slt \n"
FESTIVAL_OUT = """\
VOICE|cmu_us_slt_arctic_hts|english|female|american
VOICE|kal_diphone|english|male|american
some banner line Festival prints
"""


def fake_runner(outputs: dict[str, str]):
    def run(args: Sequence[str], stdin: str | None) -> str:
        if args[0] == "festival":
            assert stdin == FESTIVAL_LIST_SCHEME
        return outputs[args[0]]

    return run


def installed(*names: str):
    return lambda binary: f"/usr/bin/{binary}" if binary in names else None


ALL = {"festival": FESTIVAL_OUT, "flite": FLITE_OUT, "espeak-ng": ESPEAK_OUT}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    engines, voices = discover_voices(
        runner=fake_runner(ALL), which=installed("festival", "flite", "espeak-ng")
    )
    return Catalogue(tuple(voices), tuple(engines))


def test_espeak_rows_carry_language_name_file_and_other_languages() -> None:
    rows = parse_espeak_voices(ESPEAK_OUT)
    assert [r["language"] for r in rows] == ["de", "en-gb", "en-us", "fr-fr", "yue", "yue"]
    assert rows[1]["name"] == "English (Great Britain)" and rows[1]["aliases"] == (("en", 2),)
    assert rows[5]["file"] == "sit/yue-Latn-jyutping" and rows[5]["aliases"] == (("zh-yue", 5), ("zh", 8))


def test_flite_and_festival_listings_parse() -> None:
    assert parse_flite_voices(FLITE_OUT) == ["kal", "awb_time", "kal16", "awb", "rms", "slt"]
    rows = parse_festival_voices(FESTIVAL_OUT)
    assert rows == [
        {"name": "cmu_us_slt_arctic_hts", "language": "english", "gender": "female", "dialect": "american"},
        {"name": "kal_diphone", "language": "english", "gender": "male", "dialect": "american"},
    ]


def test_every_espeak_language_comes_as_a_female_and_a_male_variant(catalogue: Catalogue) -> None:
    de = [v for v in catalogue.voices if v.language == "de"]
    assert [(v.id, v.gender, v.engine_voice) for v in de] == [
        ("espeak-de-female", "female", "de+f5"),
        ("espeak-de-male", "male", "de+m1"),
    ]
    # Two rows share "yue": the second one is named after its file, so ids stay unique.
    assert catalogue.get("espeak-yue-latn-jyutping-male").engine_voice == "yue-latn-jyutping+m1"
    assert len({v.id for v in catalogue.voices}) == len(catalogue.voices)


def test_festival_and_flite_voices_have_language_gender_and_rank(catalogue: Catalogue) -> None:
    slt = catalogue.get("festival-cmu_us_slt_arctic_hts")
    assert (slt.language, slt.gender, slt.engine, slt.name) == (
        "en-us",
        "female",
        "festival",
        "SLT (Festival HTS, American English)",
    )
    assert catalogue.get("festival-kal_diphone").gender == "male"
    assert catalogue.get("flite-awb").language == "en-gb-scotland"
    assert catalogue.get("flite-awb_time") is None  # limited domain: it can only tell the time
    assert slt.rank < catalogue.get("flite-slt").rank < catalogue.get("espeak-en-us-female").rank


def test_a_missing_engine_brings_no_voices_and_says_why() -> None:
    engines, voices = discover_voices(runner=fake_runner(ALL), which=installed("espeak-ng"))
    assert {v.engine for v in voices} == {"espeak-ng"}
    festival = next(e for e in engines if e.engine == "festival")
    assert not festival.available and "festival is not installed" in (festival.reason or "")
    assert next(e for e in engines if e.engine == "espeak-ng").voices == len(voices)


def test_an_engine_whose_listing_fails_is_unavailable_not_an_error() -> None:
    def broken(args: Sequence[str], stdin: str | None) -> str:
        if args[0] == "flite":
            raise OSError("exec format error")
        return ALL[args[0]]

    engines, voices = discover_voices(runner=broken, which=installed("festival", "flite", "espeak-ng"))
    flite = next(e for e in engines if e.engine == "flite")
    assert not flite.available and "exec format error" in (flite.reason or "")
    assert not any(v.engine == "flite" for v in voices) and voices


def test_search_matches_whole_word_starts_so_male_is_not_female(catalogue: Catalogue) -> None:
    males = catalogue.search(query="male")
    assert males and all(v.gender == "male" for v in males)
    assert {v.id for v in catalogue.search(query="brit fem")} == {"espeak-en-gb-female"}
    assert {v.id for v in catalogue.search(query="FESTIVAL")} == {
        "festival-cmu_us_slt_arctic_hts",
        "festival-kal_diphone",
    }
    assert catalogue.search(query="klingon") == []


def test_filters_by_language_gender_and_engine(catalogue: Catalogue) -> None:
    english_women = catalogue.search(language="en", gender="female")
    assert [v.id for v in english_women][:3] == [
        "festival-cmu_us_slt_arctic_hts",
        "flite-slt",
        "espeak-en-gb-female",
    ]
    assert {v.engine for v in catalogue.search(engine="espeak")} == {"espeak-ng"}
    chinese = catalogue.search(language="zh", gender="male")
    assert {v.id for v in chinese} == {"espeak-yue-male", "espeak-yue-latn-jyutping-male"}
    with pytest.raises(ValueError, match="not a language code"):
        catalogue.search(language="english!")


def test_language_levels_prefer_the_exact_tag() -> None:
    slt = discover_voices(runner=fake_runner(ALL), which=installed("festival"))[1][0]
    assert [language_level(slt, code) for code in ("en-us", "en", "en-us-nyc", "de")] == [0, 1, 2, None]


def test_choose_takes_the_best_voice_for_language_and_gender(catalogue: Catalogue) -> None:
    assert catalogue.choose(voice_id=None, language=None, gender=None).id == "festival-cmu_us_slt_arctic_hts"
    assert catalogue.choose(voice_id=None, language="en", gender="male").id == "flite-rms"
    assert catalogue.choose(voice_id=None, language="en-GB", gender="female").id == "espeak-en-gb-female"
    assert catalogue.choose(voice_id=None, language="fr", gender="male").id == "espeak-fr-fr-male"
    assert catalogue.choose(voice_id="flite-awb", language="en", gender="male").id == "flite-awb"


@pytest.mark.parametrize(
    ("voice_id", "language", "gender", "field"),
    [
        ("nobody", None, None, "voice_id"),
        ("flite-slt", "de", None, "language"),
        ("flite-slt", None, "male", "gender"),
        (None, "tlh", None, "language"),
    ],
)
def test_choose_names_the_field_it_cannot_satisfy(
    catalogue: Catalogue, voice_id: str | None, language: str | None, gender: str | None, field: str
) -> None:
    with pytest.raises(ValidationFailed) as raised:
        catalogue.choose(voice_id=voice_id, language=language, gender=gender)
    assert raised.value.field == field and raised.value.status_code == 422


def test_no_engine_at_all_is_unavailable() -> None:
    with pytest.raises(EngineUnavailable):
        Catalogue((), ()).choose(voice_id=None, language=None, gender=None)


@pytest.mark.parametrize(
    ("raw", "tag"),
    [("en", "en"), ("EN_us", "en-us"), (" de-AT ", "de-at"), ("yue-Latn-jyutping", "yue-latn-jyutping")],
)
def test_language_tags_normalize(raw: str, tag: str) -> None:
    assert normalize_language(raw) == tag


@pytest.mark.parametrize("raw", ["", "english!", "e", "en--us", "12"])
def test_bad_language_tags_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="language code"):
        normalize_language(raw)
