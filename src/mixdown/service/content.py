"""The content policy as the submit path applies it: which fields, which list, what is counted."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

from mixdown.errors import ContentPolicyViolation
from mixdown.jobs.content_policy import ContentPolicy, default_phrases, read_phrases
from mixdown.settings import Settings

# Parameters that carry words a person wrote: what the policy reads.
TEXT_FIELDS = ("prompt", "lyrics", "text", "title", "align_text")


class ContentFilter:
    """Checks a task's text parameters; counts refusals by field (for ``/metrics``)."""

    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.content_policy_enabled
        base = (
            read_phrases(settings.content_policy_file.read_text())
            if settings.content_policy_file is not None
            else default_phrases()
        )
        self.policy = ContentPolicy(
            [*base, *settings.content_policy_extra],
            settings.content_policy_patterns,
            settings.content_policy_max_length,
        )
        self.refusals: Counter[str] = Counter()
        self._lock = threading.Lock()

    def check(self, params: Any) -> None:
        """Raise ``ContentPolicyViolation`` (400) naming the first refused field."""
        if not self.enabled:
            return
        for field in TEXT_FIELDS:
            value = getattr(params, field, None)
            if isinstance(value, str) and value and self.policy.check(value) is not None:
                with self._lock:
                    self.refusals[field] += 1
                raise ContentPolicyViolation(
                    f"The {field} was rejected by the content safety filter", field=field
                )


class ContentPolicyCollector(Collector):
    """``mixdown_content_policy_rejections_total`` by field, for this API process."""

    def __init__(self, content: ContentFilter) -> None:
        self.content = content

    def collect(self) -> Iterator[Metric]:
        metric = CounterMetricFamily(
            "mixdown_content_policy_rejections", "Requests refused by the content policy", labels=["field"]
        )
        for field, count in sorted(self.content.refusals.items()):
            metric.add_metric([field], count)
        yield metric
