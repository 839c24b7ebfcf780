"""``generate`` with ``lyrics``: the checks at submit and what the task hands to the music engine.

Lyrics are sung on new pieces of the embedded engine (``engines/music/sung.py``), whole (not
streamed); without a ``duration`` the piece is made long enough for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mixdown.engines.music.engine import DEFAULT_MODEL
from mixdown.errors import ValidationFailed

if TYPE_CHECKING:
    from mixdown.engines.music.sung import VocalRequest
    from mixdown.tasks.generate import GenerateParams

VOICE_FIELDS = ("gender", "voice_id", "vocal_level_db")
# Festival and WORLD take ~0.2-0.45 s per second of music on two busy cores (docs/sing.md).
_SINGING_SECONDS_PER_SECOND = 0.4
_SINGING_OVERHEAD_SECONDS = 2.0


def singable(value: str | None) -> str | None:
    """The lyrics field: blank means none; words that cannot be sung are a ``ValueError``."""
    if value is None or not value.strip():
        return None
    from mixdown.engines.singing.lyrics import parse_lyrics

    try:
        parse_lyrics(value)
    except ValidationFailed as exc:
        raise ValueError(exc.message.removeprefix("lyrics: ")) from None
    return value


def vocal_request(params: GenerateParams) -> VocalRequest:
    """What to sing: the lyrics, the voice fields and the prompt (its singing words)."""
    from mixdown.engines.music.sung import VocalRequest

    assert params.lyrics is not None
    return VocalRequest(
        lyrics=params.lyrics,
        gender=params.gender,
        voice_id=params.voice_id,
        prompt=params.prompt,
        vocal_level_db=params.vocal_level_db,
    )


def fitted_seconds(params: GenerateParams) -> float:
    """A length that holds every lyric line (see ``sung.fitted_seconds``)."""
    from mixdown.engines.music.sung import fitted_seconds as fitted

    return fitted(vocal_request(params).sections())


def check_lyrics(params: GenerateParams, building: list[str]) -> None:
    """422 naming ``lyrics`` (or ``duration``) when they cannot be sung; a voice that cannot sing
    is a 422 naming ``voice_id`` or ``gender``."""
    refusal = _refusal(params, building)
    if refusal:
        raise ValidationFailed(f"lyrics: {refusal}", field="lyrics")
    _check_length(params)
    vocal_request(params).voice()


def _refusal(params: GenerateParams, building: list[str]) -> str | None:
    if params.model != DEFAULT_MODEL:
        return f"only the {DEFAULT_MODEL} model sings lyrics (or sing over a result with POST /v1/sing)"
    if params.instrumental and "instrumental" in params.model_fields_set:
        return "instrumental is true; set it to false (or leave it out) to have the lyrics sung"
    if params.stream:
        return "a sung generation is not streamed; leave out stream (the song arrives whole)"
    if building or params.from_hash:
        return "lyrics are sung on new generations only (not with audio inputs, operations or from_hash)"
    return None


def _check_length(params: GenerateParams) -> None:
    from mixdown.engines.music.sung import MAX_SECONDS, MIN_SECONDS

    seconds = params.seconds()
    if not MIN_SECONDS <= seconds <= MAX_SECONDS:
        field = "duration" if "duration" in params.model_fields_set else "lyrics"
        raise ValidationFailed(
            f"{field}: a sung piece lasts {MIN_SECONDS:g} to {MAX_SECONDS:g} s, not {seconds:g}", field=field
        )


def check_no_voice(params: GenerateParams) -> None:
    """The voice fields without lyrics would do nothing: 422 naming the first one given."""
    for name in VOICE_FIELDS:
        if getattr(params, name) is not None:
            raise ValidationFailed(f"{name}: applies to sung lyrics; give lyrics too", field=name)


def with_vocal(engine: object, plan: Any, params: GenerateParams) -> Any:
    """The composer's plan with the lyrics to sing."""
    from mixdown.engines.music.composer_engine import ComposerEngine

    assert isinstance(engine, ComposerEngine)  # check_lyrics refuses lyrics for other models
    return engine.with_vocal(plan, vocal_request(params))


def singing_estimate(seconds: float) -> float:
    """Extra compute seconds for singing over ``seconds`` of music."""
    return _SINGING_OVERHEAD_SECONDS + _SINGING_SECONDS_PER_SECOND * seconds
