"""What a task is: its parameters, its cost rule, and ``run(inputs, params, ctx)``.

A task never knows which queue, storage or API shape called it. It reads its
inputs from local files, reports progress through ``ctx`` (which raises
:class:`~mixdown.errors.JobCancelled` once the job is cancelled) and writes its
outputs with ``ctx.add_result``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal, Protocol, get_args, get_origin

from pydantic import BaseModel, ConfigDict, model_validator

from mixdown.jobs.cost import CostBasis, CostRule
from mixdown.jobs.states import TaskCategory
from mixdown.storage.streams import StreamSink


class TaskParams(BaseModel):
    """Base of every task's parameters: unknown fields are an error (422)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _form_numbers(cls, data: Any) -> Any:
        """Form bodies carry only text: ``"44100"`` fills a ``Literal[22050, 44100]`` field.

        Pydantic coerces text to ``int`` fields but not to integer literals, which would make
        multipart clients fail where JSON ones pass.
        """
        if not isinstance(data, dict):
            return data
        choices = _integer_literals(cls)
        return {
            key: int(value)
            if key in choices and isinstance(value, str) and value.strip().lstrip("-").isdigit()
            else value
            for key, value in data.items()
        }


@cache
def _integer_literals(model: type[BaseModel]) -> frozenset[str]:
    """Names of the fields whose type admits integer literal values."""
    return frozenset(name for name, info in model.model_fields.items() if _has_int_literal(info.annotation))


def _has_int_literal(annotation: Any) -> bool:
    if get_origin(annotation) is Literal:
        return any(isinstance(arg, int) and not isinstance(arg, bool) for arg in get_args(annotation))
    return any(_has_int_literal(arg) for arg in get_args(annotation))


@dataclass(frozen=True, kw_only=True)
class InputAudio:
    """One audio input of a job, already fetched and probed, as a local file."""

    path: Path
    filename: str
    format: str
    duration: float
    sample_rate: int
    channels: int
    size_bytes: int


MAIN_AUDIO = "audio"


def audio_field(name: str) -> str:
    """The request field of a named audio input other than the main one: ``melody`` -> ``melody_audio``.

    The main input (``audio``) comes from ``audio_url``, ``audio_file`` or ``input_audio``; every
    other input takes base64, a data URL, an http(s) URL or a result id in ``<name>_audio``.
    """
    return f"{name}_audio"


@dataclass(frozen=True, kw_only=True)
class TaskInputs:
    """The inputs a task receives, by name (``audio`` for the main audio input)."""

    audio: Mapping[str, InputAudio] = field(default_factory=dict)

    @property
    def main(self) -> InputAudio:
        """The main audio input; tasks with ``takes_audio`` always have it."""
        return self.audio["audio"]

    def seconds(self) -> float:
        """Total duration of the audio inputs."""
        return sum(a.duration for a in self.audio.values())


class TaskContext(Protocol):
    """What a running task may do: report progress, write results, use scratch space."""

    @property
    def job_id(self) -> str: ...

    @property
    def work_dir(self) -> Path:
        """A private scratch folder, deleted after the job."""
        ...

    def progress(self, fraction: float, message: str | None = None) -> None:
        """Report progress in 0..1; raises ``JobCancelled`` when the job was cancelled."""
        ...

    def check_cancelled(self) -> None:
        """Raise ``JobCancelled`` if the job was cancelled."""
        ...

    def add_result(self, path: Path, *, kind: str, format: str, **meta: Any) -> str:
        """Store the file at ``path`` as a result; returns the result id."""
        ...

    def set_metadata(self, **values: Any) -> None:
        """Add to the job's ``metadata`` (engine, inference_time, ...)."""
        ...

    def remember(self, namespace: str, key: str, value: dict[str, Any]) -> None:
        """Keep a small record for later jobs of the same API key (e.g. a generation's spec by hash)."""
        ...

    def recall(self, namespace: str, key: str) -> dict[str, Any] | None:
        """A record kept by ``remember`` for this API key, or None."""
        ...

    def open_stream(self) -> StreamSink:
        """Start this job's live stream (``WebSocket /v1/stream`` forwards it)."""
        ...


RunFn = Callable[[TaskInputs, Any, TaskContext], None]
CostFn = Callable[[Any, TaskInputs], float]


@dataclass(frozen=True)
class Availability:
    """Whether a task (or engine) can run here, and why not."""

    available: bool
    reason: str | None = None


def always_cacheable(_params: Any) -> bool:
    """``TaskSpec.cacheable`` of tasks whose output depends only on their inputs and parameters."""
    return True


def seeded_cacheable(params: Any) -> bool:
    """``TaskSpec.cacheable`` of generators: deterministic when a seed is given and not streamed."""
    return getattr(params, "seed", None) is not None and not getattr(params, "stream", False)


def always_available() -> Availability:
    """Availability of tasks that need nothing beyond the base install."""
    return Availability(True)


@dataclass(frozen=True, kw_only=True)
class TaskSpec:
    """A registered task: name, parameter model, cost, and the function that does the work."""

    name: str
    summary: str
    params_model: type[TaskParams]
    run: RunFn
    cost_rule: CostRule
    cost_seconds: Callable[[Any, TaskInputs], float] | None = None
    category: TaskCategory = TaskCategory.CONVERSION
    takes_audio: bool = True
    # Named audio inputs the task accepts (``audio`` first: the main one; see ``audio_field``), and
    # whether the main one must be given.
    audio_inputs: tuple[str, ...] = (MAIN_AUDIO,)
    audio_required: bool = True
    queue: str = "audio"
    engine: str = "dsp"
    estimate_seconds: Callable[[Any, TaskInputs], float] = lambda _params, _inputs: 1.0
    availability: Callable[[], Availability] = always_available
    warm_up: Callable[[], None] | None = None  # loads models once per worker process, in the background
    # Whether a request (these parameters) always gives the same results from the same inputs, so
    # the result cache may answer it; None: never cached (the default for plugin tasks).
    cacheable: Callable[[Any], bool] | None = None

    @property
    def extra_audio_fields(self) -> dict[str, str]:
        """Request field -> input name, for the audio inputs besides the main one."""
        if not self.takes_audio:
            return {}
        return {audio_field(name): name for name in self.audio_inputs if name != MAIN_AUDIO}

    def credits(self, params: Any, inputs: TaskInputs) -> float:
        """Credits this job costs, by the task's cost rule."""
        if self.cost_seconds is not None:
            seconds = self.cost_seconds(params, inputs)
        elif self.cost_rule.basis is CostBasis.INPUT:
            seconds = inputs.seconds()
        else:
            seconds = 0.0
        return self.cost_rule.credits(seconds)

    def parse_params(self, raw: Mapping[str, Any]) -> TaskParams:
        """Validate raw parameters (raises pydantic's ValidationError)."""
        return self.params_model.model_validate(dict(raw))

    def check_params(self, params: Any, inputs: TaskInputs) -> None:
        """Hook for checks that need the inputs; see ``TaskParams.check_inputs``."""
        check = getattr(params, "check_inputs", None)
        if check is not None:
            check(inputs)
