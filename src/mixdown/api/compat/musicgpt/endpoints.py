"""The MusicGPT endpoints: path, conversion type, native task, translator, and error field names.

The native task of an endpoint is looked up in the running server's registry at request time:
the first of ``tasks`` that is registered runs it, and when none is, the endpoint answers 501
naming the missing capability. So an endpoint starts working as soon as its native task lands
in ``BUILTIN_TASKS``, with no change here.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass, field

from mixdown.api.compat.musicgpt import translate as tr
from mixdown.api.compat.musicgpt.conversions import ConversionType as T
from mixdown.api.compat.musicgpt.fields import CapabilityMissing, NativeCall, VendorRequest

Translator = Callable[[VendorRequest], NativeCall]

# Native field -> MusicGPT field, for every endpoint (errors name the field the client sent).
COMMON_NAMES = {"input_audio": "audio_url", "output_format": "output_extension"}


@dataclass(frozen=True, kw_only=True)
class Endpoint:
    """One MusicGPT submit endpoint."""

    path: str
    conversion_type: T
    tasks: tuple[str, ...]  # native task names that can serve it, in order of preference
    capability: str  # what it does, for the 501 when no native task is installed
    translate: Translator = tr.passthrough
    names: Mapping[str, str] = field(default_factory=dict)  # native field -> MusicGPT field
    pair: bool = False  # answers conversion_id_1 / conversion_id_2 (two songs)

    def task_in(self, registry: Container[str]) -> str:
        """The native task to run; 501 naming the missing capability when none is installed."""
        for name in self.tasks:
            if name in registry:
                return name
        raise CapabilityMissing(
            f"{self.capability} is not available on this server: no native task "
            f"{' or '.join(repr(t) for t in self.tasks)} is installed (MusicGPT endpoint /{self.path}).",
            capability=self.capability,
            native_task=self.tasks[0],
        )

    def vendor_field(self, native: str | None) -> str | None:
        """The MusicGPT name of a native field, for error messages."""
        if native is None:
            return None
        return self.names.get(native) or COMMON_NAMES.get(native, native)


_GENERATED = {"num_variations": "num_outputs"}
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        path="MusicAI",
        conversion_type=T.MUSIC_AI,
        tasks=("generate",),
        capability="Music generation",
        translate=tr.music_ai,
        names={"duration": "output_length", "instrumental": "make_instrumental"},
        pair=True,
    ),
    Endpoint(
        path="Cover",
        conversion_type=T.COVER,
        tasks=("cover",),
        capability="Cover songs (singing-voice conversion of a song)",
    ),
    Endpoint(
        path="TextToSpeech",
        conversion_type=T.TEXT_TO_SPEECH,
        tasks=("tts",),
        capability="Text to speech",
        translate=tr.text_to_speech,
    ),
    Endpoint(
        path="sound_generator",
        conversion_type=T.SOUND_GENERATOR,
        tasks=("sfx",),
        capability="Sound generation",
        translate=tr.sound_generator,
        names={"duration": "audio_length"},
    ),
    Endpoint(
        path="Extraction",
        conversion_type=T.EXTRACTION,
        tasks=("extract", "separate", "stems", "extraction"),
        capability="Stem extraction (source separation)",
        translate=tr.extraction,
    ),
    Endpoint(
        path="VoiceChanger",
        conversion_type=T.VOICE_CONVERSION,
        tasks=("voice-change", "voice-changer", "voice-conversion"),
        capability="Voice changing (voice conversion)",
        translate=tr.voice_changer,
    ),
    Endpoint(path="denoise", conversion_type=T.DENOISING, tasks=("denoise",), capability="Denoising"),
    Endpoint(path="deecho", conversion_type=T.DEECHO, tasks=("deecho",), capability="Echo removal"),
    Endpoint(path="dereverb", conversion_type=T.DEREVERB, tasks=("dereverb",), capability="Reverb removal"),
    Endpoint(
        path="file_convert", conversion_type=T.FILE_CONVERT, tasks=("convert",), capability="File conversion"
    ),
    Endpoint(
        path="audio_transcribe",
        conversion_type=T.AUDIO_TRANSCRIPTION,
        tasks=("transcribe",),
        capability="Audio transcription",
        translate=tr.transcribe,
        names={"format": "transcription_format"},
    ),
    Endpoint(
        path="extract_key_bpm",
        conversion_type=T.KEY_BPM_EXTRACTION,
        tasks=("key-bpm",),
        capability="Key and BPM extraction",
    ),
    Endpoint(
        path="audio_to_midi",
        conversion_type=T.AUDIO_TO_MIDI,
        tasks=("audio-to-midi",),
        capability="Audio to MIDI",
    ),
    Endpoint(
        path="audio_cutter",
        conversion_type=T.AUDIO_CUTTER,
        tasks=("cut",),
        capability="Audio cutting",
        translate=tr.audio_cutter,
    ),
    Endpoint(
        path="audio_speed_changer",
        conversion_type=T.AUDIO_SPEED_CHANGER,
        tasks=("speed",),
        capability="Speed changing",
        translate=tr.speed_changer,
    ),
    Endpoint(
        path="audio_mastering",
        conversion_type=T.AUDIO_MASTERING,
        tasks=("master",),
        capability="Mastering",
        translate=tr.mastering,
        names={"reference_audio": "reference_audio_url"},
    ),
    Endpoint(
        path="Remix",
        conversion_type=T.REMIX,
        tasks=("generate",),
        capability="Remixing",
        translate=tr.remix,
        names={"from_hash": "audio_url"},
        pair=True,
    ),
    Endpoint(
        path="extend",
        conversion_type=T.EXTEND,
        tasks=("generate",),
        capability="Song extension",
        translate=tr.extend,
        names={"continuation_start": "extend_after"},
        pair=True,
    ),
    Endpoint(
        path="inpaint",
        conversion_type=T.INPAINT,
        tasks=("generate",),
        capability="Inpainting",
        translate=tr.inpaint,
        names={
            "replace_start": "replace_start_at",
            "replace_end": "replace_end_at",
            "from_hash": "audio_url",
            **_GENERATED,
        },
        pair=True,
    ),
    Endpoint(
        path="sing_over_instrumental",
        conversion_type=T.SING_OVER_INSTRUMENTAL,
        tasks=("sing", "sing-over", "sing-over-instrumental"),
        capability="Singing over an instrumental (lyrics to a sung vocal)",
        translate=tr.sing_over,
    ),
)

# GET /prompt_to_lyrics: synchronous in MusicGPT; here a job of the first registered task, awaited.
LYRICS = Endpoint(
    path="prompt_to_lyrics",
    conversion_type=T.LYRICS_GENERATOR,
    tasks=("lyrics", "prompt-to-lyrics"),
    capability="Lyrics generation",
)
ALIASES = {"KeyBpmExtract": "extract_key_bpm"}  # the name in an older cURL sample of the docs
BY_PATH = {e.path: e for e in ENDPOINTS}


def endpoint_for_job(task: str, conversion_type: str | None) -> Endpoint | None:
    """The endpoint a job belongs to: by its stored conversion type, else by its native task."""
    for endpoint in (*ENDPOINTS, LYRICS):
        if endpoint.conversion_type.value == conversion_type:
            return endpoint
    return next((e for e in (*ENDPOINTS, LYRICS) if task in e.tasks), None)
