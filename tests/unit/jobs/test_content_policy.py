"""The content policy: phrases on word boundaries, obfuscations, patterns, length."""

from __future__ import annotations

from pathlib import Path

import pytest

from mixdown.errors import ContentPolicyViolation
from mixdown.jobs.content_policy import ContentPolicy, default_phrases, normalise
from mixdown.service.content import ContentFilter
from mixdown.settings import Settings
from mixdown.tasks.generate import GenerateParams

POLICY = ContentPolicy(["kill", "bad phrase"], patterns=[r"\bforbidden-\d+\b"], max_length=200)


@pytest.mark.parametrize(
    "text",
    [
        "kill",
        "KILL them all",
        "k.i.l.l",
        "k i l l",
        "k-i-l-l-",
        "k1ll",
        "kiiiilll",
        "Kíll",
        "the b.a.d phrase here",
        "bad   phrase",
        "token forbidden-42 here",
        "x" * 201,
    ],
)
def test_refused(text: str) -> None:
    assert POLICY.check(text) is not None


@pytest.mark.parametrize(
    "text",
    ["a killer bassline", "skill", "skilled kilo", "badphrase", "phrase bad", "forbidden-x", "", "x" * 200],
)
def test_allowed(text: str) -> None:
    assert POLICY.check(text) is None


def test_normalise_keeps_numbers_that_are_numbers() -> None:
    assert normalise("126 BPM in A minor") == "126 bpm in a minor"


def test_the_shipped_list_loads_and_leaves_ordinary_prompts_alone() -> None:
    policy = ContentPolicy(default_phrases())
    assert policy.check("dark techno about a killer, 126 BPM, heavy kick") is None
    assert policy.check("k.i.l.l y.o.u.r.s.e.l.f") is not None


def test_filter_names_the_field_counts_and_can_be_extended_or_off(tmp_path: Path) -> None:
    content = ContentFilter(Settings(data_dir=tmp_path, content_policy_extra=["kazoo"]))
    params = GenerateParams(prompt="k a z o o solo")
    with pytest.raises(ContentPolicyViolation) as refused:
        content.check(params)
    assert refused.value.field == "prompt" and refused.value.code == "content_policy_violation"
    assert refused.value.message == "The prompt was rejected by the content safety filter"
    assert content.refusals["prompt"] == 1
    ContentFilter(Settings(data_dir=tmp_path, content_policy_enabled=False)).check(params)
    listed = tmp_path / "list.txt"
    listed.write_text("# mine\nkazoo\n")
    replaced = ContentFilter(Settings(data_dir=tmp_path, content_policy_file=listed))
    with pytest.raises(ContentPolicyViolation):
        replaced.check(params)
