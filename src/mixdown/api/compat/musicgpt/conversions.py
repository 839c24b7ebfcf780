"""MusicGPT's conversion vocabulary: the ``conversionType`` enum, conversion ids and statuses.

A MusicGPT request answers with a ``task_id`` and one conversion id per output (two for Music AI,
Extend, Inpaint and Remix). Here the task id is the native job id and conversion ``n`` of a job is
``<job_id>-<n>``: job ids never contain ``-`` (see ``mixdown.ids``), so a conversion id names its
job and output without any stored mapping.
"""

from __future__ import annotations

from enum import StrEnum

from mixdown.errors import NotFound, ValidationFailed
from mixdown.jobs.states import JobStatus

METADATA_KEY = "musicgpt"  # the job metadata entry this layer keeps (see ``SubmitRequest.metadata``)


class ConversionType(StrEnum):
    """The ``conversionType`` values of ``GET /byId`` and ``GET /byUser``, as MusicGPT lists them."""

    MUSIC_AI = "MUSIC_AI"
    TEXT_TO_SPEECH = "TEXT_TO_SPEECH"
    VOICE_CONVERSION = "VOICE_CONVERSION"
    COVER = "COVER"
    EXTRACTION = "EXTRACTION"
    DENOISING = "DENOISING"
    DEECHO = "DEECHO"
    DEREVERB = "DEREVERB"
    SOUND_GENERATOR = "SOUND_GENERATOR"
    AUDIO_TRANSCRIPTION = "AUDIO_TRANSCRIPTION"
    AUDIO_SPEED_CHANGER = "AUDIO_SPEED_CHANGER"
    AUDIO_MASTERING = "AUDIO_MASTERING"
    AUDIO_CUTTER = "AUDIO_CUTTER"
    REMIX = "REMIX"
    FILE_CONVERT = "FILE_CONVERT"
    KEY_BPM_EXTRACTION = "KEY_BPM_EXTRACTION"
    AUDIO_TO_MIDI = "AUDIO_TO_MIDI"
    EXTEND = "EXTEND"
    INPAINT = "INPAINT"
    SING_OVER_INSTRUMENTAL = "SING_OVER_INSTRUMENTAL"
    LYRICS_GENERATOR = "LYRICS_GENERATOR"
    STEMS_SEPARATION = "STEMS_SEPARATION"
    VOCAL_EXTRACTION = "VOCAL_EXTRACTION"


# MusicGPT's statuses ("IN_QUEUE, ERROR, COMPLETED, or FAILED"); a running job is still IN_QUEUE
# there, its progress goes in status_msg.
STATUSES = {
    JobStatus.QUEUED: "IN_QUEUE",
    JobStatus.PROCESSING: "IN_QUEUE",
    JobStatus.COMPLETE: "COMPLETED",
    JobStatus.FAILED: "FAILED",
    JobStatus.CANCELLED: "FAILED",
}


def parse_conversion_type(raw: str | None, *, required: bool) -> ConversionType | None:
    """The ``conversionType`` query value (422 naming it when missing or unknown)."""
    if raw is None or not raw.strip():
        if required:
            raise ValidationFailed("conversionType: required", field="conversionType")
        return None
    try:
        return ConversionType(raw.strip().upper())
    except ValueError:
        allowed = ", ".join(t.value for t in ConversionType)
        raise ValidationFailed(
            f"conversionType: {raw!r} is not one of {allowed}", field="conversionType"
        ) from None


def conversion_id(job_id: str, index: int) -> str:
    """The id of output ``index`` (1-based) of a job.

    Examples
    --------
    >>> conversion_id("job_abc", 2)
    'job_abc-2'
    """
    return f"{job_id}-{index}"


def split_conversion_id(value: str) -> tuple[str, int]:
    """(job id, output index) of a conversion id; 404 naming ``conversion_id`` otherwise.

    Examples
    --------
    >>> split_conversion_id("job_abc-2")
    ('job_abc', 2)
    """
    job_id, _, index = value.strip().rpartition("-")
    if not job_id or not index.isdigit() or int(index) < 1:
        raise NotFound(f"No conversion {value!r}.", field="conversion_id")
    return job_id, int(index)


def status_message(status: JobStatus, progress: float, message: str | None, error: str | None) -> str:
    """``status_msg``: what the job is doing, or why it failed."""
    if status is JobStatus.COMPLETE:
        return "Conversion successful"
    if status is JobStatus.CANCELLED:
        return "Conversion cancelled"
    if status is JobStatus.FAILED:
        return error or "Conversion failed"
    if status is JobStatus.QUEUED:
        return "Waiting in queue"
    return f"Processing ({round(progress * 100)}%){': ' + message if message else ''}"
