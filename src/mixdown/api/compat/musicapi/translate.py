"""MusicAPI requests as native submits: which task, which fields, what the views need to remember.

- ``create_music``: ``generate`` with two variations, stems and MIDI, stored as FLAC.
- ``extend_music``, ``extend_upload_music``: ``generate`` continuing the clip (``input_audio`` = the
  clip, ``continuation_start`` = ``continue_at``).
- ``cover_music``: ``generate`` ``operation: "remix"`` of the clip's hash (its form, harmony and
  melody in the new style).
- ``concat_music``: ``convert`` of the clip (a mixdown extension already holds the whole song).
- ``cover_upload_music``, ``persona_music``: 501 (no native cover of outside audio, no personas).

Lyrics (``prompt`` in custom mode) of a new song are sung unless ``make_instrumental`` is true:
native ``lyrics`` with ``instrumental: false``, ``vocal_gender`` (``f``/``m``) the voice. Songs
that are not sung (no lyrics given, or an extension or cover: those build on the clip's score)
are instrumental and say so in their ``notice``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.exceptions import HTTPException

from mixdown.api.compat.musicapi.clips import Clip
from mixdown.api.compat.musicapi.models import CreateRequest, TaskType, native_model
from mixdown.errors import MixdownError, ValidationFailed
from mixdown.service.submit import SubmitRequest

SHAPE = "musicapi"
SONGS_PER_TASK = 2
NATIVE_PROMPT_LIMIT = 3000
NOT_SUNG = (
    "mixdown sings the lyrics of new songs only (custom_mode with lyrics in 'prompt'): this song is "
    "instrumental (any lyrics are kept in 'lyrics' but not sung; vocal_gender does not apply)."
)
TOO_SHORT = (
    "this server's song length ({seconds:g} s) is too short to sing a line: this song is instrumental "
    "(lyrics are kept in 'lyrics' but not sung)."
)
VOCAL_GENDERS = {"f": "female", "female": "female", "m": "male", "male": "male"}
ClipLookup = Callable[[str, str], Clip]  # (clip id, field) -> the caller's clip (404 otherwise)

# Native field -> MusicAPI field, so errors name what the client sent.
RENAMES: dict[TaskType, dict[str, str]] = {
    TaskType.EXTEND: {
        "input_audio": "continue_clip_id",
        "continuation_start": "continue_at",
        "prompt": "tags",
    },
    TaskType.COVER: {"from_hash": "continue_clip_id", "prompt": "tags"},
    TaskType.CONCAT: {"input_audio": "continue_clip_id"},
    TaskType.CREATE: {"lyrics": "prompt", "gender": "vocal_gender"},
}
RENAMES[TaskType.EXTEND_UPLOAD] = RENAMES[TaskType.EXTEND]


def not_available(message: str) -> HTTPException:
    """A 501: the request is valid MusicAPI, but mixdown has no native capability for it."""
    return HTTPException(status_code=501, detail=message)


def to_submit(
    req: CreateRequest,
    *,
    clip: ClipLookup,
    song_seconds: float | None,
    idempotency_key: str | None,
) -> SubmitRequest:
    """The native submit of a ``sonic/create`` body (400/404/501 when it cannot be one)."""
    task, fields, info = _translate(req, clip, song_seconds)
    for name in ("webhook_url", "webhook_secret"):
        if getattr(req, name):
            fields[name] = getattr(req, name)
    return SubmitRequest(
        task=task,
        fields=fields,
        idempotency_key=idempotency_key,
        api_shape=SHAPE,
        metadata={"musicapi": info},
    )


def rename_field(error: MixdownError, req: CreateRequest) -> MixdownError:
    """``error`` naming the MusicAPI field instead of the native one."""
    names = {
        "prompt": "tags" if req.custom_mode else "gpt_description_prompt",
        **RENAMES.get(req.task_type, {}),
    }
    vendor = {"model": "mv", **names}.get(error.field or "")
    if vendor and error.field:
        error.message = error.message.replace(f"{error.field}:", f"{vendor}:", 1)
        error.field = vendor
    return error


def _translate(
    req: CreateRequest, clip: ClipLookup, song_seconds: float | None
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    kind = req.task_type
    if kind is TaskType.CREATE:
        fields = _create(req, song_seconds)
        info = _info(req, sung="lyrics" in fields)
        if req.lyrics() and not req.make_instrumental and "lyrics" not in fields:
            info["notice"] = TOO_SHORT.format(seconds=fields["duration"])
        return "generate", fields, info
    if kind in (TaskType.PERSONA, TaskType.COVER_UPLOAD):
        raise not_available(_MISSING[kind])
    source = clip(_required_clip(req), "continue_clip_id")
    if kind is TaskType.CONCAT:
        return "convert", {"input_audio": source.id, "target_format": "flac"}, _info(req, source, songs=1)
    if kind is TaskType.COVER:
        return "generate", _cover(req, source), _info(req, source)
    return "generate", _extend(req, source, song_seconds), _info(req, source)


_MISSING = {
    TaskType.PERSONA: "persona_music is not available: mixdown has no singing voices or personas.",
    TaskType.COVER_UPLOAD: "cover_upload_music is not available: mixdown has no native cover task for "
    "outside audio yet (cover_music works on clips generated here).",
}


def _required_clip(req: CreateRequest) -> str:
    if not req.continue_clip_id:
        raise ValidationFailed(
            f"continue_clip_id: required when task_type = {req.task_type.value}.", field="continue_clip_id"
        )
    return req.continue_clip_id


def _song_fields(req: CreateRequest, song_seconds: float | None) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "num_variations": SONGS_PER_TASK,
        "instrumental": True,
        "output_format": "flac",
        "stems": True,
    }
    seconds = req.duration or song_seconds
    if seconds is not None:
        fields["duration"] = seconds
    return fields


def _create(req: CreateRequest, song_seconds: float | None) -> dict[str, Any]:
    prompt = style_prompt(req)
    if not prompt:
        field = "prompt" if req.custom_mode else "gpt_description_prompt"
        raise ValidationFailed(f"{field}: description is required.", field=field)
    fields = {"prompt": prompt, "model": native_model(req.mv), **_song_fields(req, song_seconds)}
    if req.lyrics() and not req.make_instrumental and _long_enough(req.duration, song_seconds):
        _sung(req, fields)
    return fields


def _long_enough(asked: float | None, song_seconds: float | None) -> bool:
    """Whether a sung song fits: an asked ``duration`` is the native task's to check (422)."""
    from mixdown.engines.music.sung import MIN_SECONDS

    return bool(asked) or song_seconds is None or song_seconds >= MIN_SECONDS


def _sung(req: CreateRequest, fields: dict[str, Any]) -> None:
    """Sing the lyrics: native ``lyrics``, ``instrumental: false``, the voice from ``vocal_gender``.

    Without ``duration`` (or a configured song length) the native task fits the piece to them.
    """
    fields.update(lyrics=req.lyrics(), instrumental=False)
    gender = (req.vocal_gender or "").strip().lower()
    if gender in VOCAL_GENDERS:
        fields["gender"] = VOCAL_GENDERS[gender]
    elif gender:
        raise ValidationFailed("vocal_gender: must be 'f' or 'm'.", field="vocal_gender")


def _extend(req: CreateRequest, source: Clip, song_seconds: float | None) -> dict[str, Any]:
    prompt = style_prompt(req) or str(source.job.params.get("prompt") or "")
    if not prompt:
        raise ValidationFailed(
            "tags: give the style of the extension (tags or gpt_description_prompt): "
            "the clip has no prompt to continue from.",
            field="tags",
        )
    fields = {"prompt": prompt, "input_audio": source.id, **_song_fields(req, song_seconds)}
    if req.continue_at is not None:
        fields["continuation_start"] = req.continue_at
    return fields


def _cover(req: CreateRequest, source: Clip) -> dict[str, Any]:
    if not source.generated:
        raise not_available(
            "cover_music needs a clip generated here by mixdown-composer (it is remixed from its "
            "score); mixdown has no native cover task for other audio yet."
        )
    prompt = style_prompt(req, lyrics=False)
    if not prompt:
        raise ValidationFailed(
            "tags: give the style of the cover (tags or gpt_description_prompt).", field="tags"
        )
    song = _song_fields(req, None)
    song.pop("duration", None)  # a remix keeps the original's length
    return {"from_hash": source.mix.meta["hash"], "operation": "remix", "prompt": prompt, **song}


def style_prompt(req: CreateRequest, *, lyrics: bool = True) -> str:
    """The native prompt: the description (or the style tags, title, then lyrics), minus negative tags."""
    if req.custom_mode:
        texts = [req.tags, req.title] if req.tags or req.title or not lyrics else [req.lyrics()]
    else:
        texts = [req.gpt_description_prompt, req.tags]
    text = ", ".join(t.strip() for t in texts if t and t.strip())
    if text and req.negative_tags:
        avoided = [t.strip() for t in req.negative_tags.split(",") if t.strip()]
        text += ", without " + " or ".join(avoided) if avoided else ""
    return text[:NATIVE_PROMPT_LIMIT]


def _info(
    req: CreateRequest, source: Clip | None = None, *, songs: int = SONGS_PER_TASK, sung: bool = False
) -> dict[str, Any]:
    """What the views show later: the request's own fields (the native job does not keep them)."""
    inherited = source.info if source is not None else {}
    info: dict[str, Any] = {
        "task_type": req.task_type.value,
        "mv": req.mv,
        "title": req.title or inherited.get("title") or default_title(req),
        "tags": req.tags or inherited.get("tags") or "",
        "lyrics": req.lyrics() or inherited.get("lyrics", ""),
        "gpt_description_prompt": req.gpt_description_prompt,
        "negative_tags": req.negative_tags,
        "songs": songs,
    }
    if source is not None:
        info.update(source_clip_id=source.id, continue_at=req.continue_at)
    if not sung and (not req.make_instrumental or inherited.get("notice")):
        info["notice"] = NOT_SUNG
    return info


def default_title(req: CreateRequest) -> str:
    """A title from the description when none was given (Sonic writes one; mixdown does not)."""
    text = " ".join((req.gpt_description_prompt or req.tags or "Untitled").split())
    if len(text) > 80:
        text = text[:80].rsplit(" ", 1)[0]
    return text[:1].upper() + text[1:]
