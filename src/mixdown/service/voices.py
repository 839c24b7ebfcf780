"""The voice list with search, and each voice's sample clip, made on first request and kept."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from mixdown.audio.codec import encode
from mixdown.audio.conform import conform
from mixdown.audio.pcm import DecodedAudio
from mixdown.engines.tts.catalogue import Catalogue, catalogue
from mixdown.engines.tts.speech import speak
from mixdown.engines.tts.voices import Voice
from mixdown.errors import NotFound, ValidationFailed
from mixdown.service.container import Services

# A greeting in the voice's language; other languages count to five, which every eSpeak
# language reads in its own words.
SAMPLE_TEXTS = {
    "en": "Hello! This is how I sound. I can read any text you give me.",
    "de": "Hallo! So klingt meine Stimme. Ich lese jeden Text vor.",
    "fr": "Bonjour ! Voici ma voix. Je peux lire tous vos textes.",
    "es": "¡Hola! Así suena mi voz. Puedo leer cualquier texto.",
    "it": "Ciao! Questa è la mia voce. Posso leggere qualsiasi testo.",
    "pt": "Olá! Esta é a minha voz. Posso ler qualquer texto.",
    "nl": "Hallo! Zo klinkt mijn stem. Ik kan elke tekst voorlezen.",
    "sv": "Hej! Så här låter min röst.",
    "da": "Hej! Sådan lyder min stemme.",
    "nb": "Hei! Slik høres stemmen min ut.",
    "fi": "Hei! Tältä minun ääneni kuulostaa.",
    "pl": "Cześć! Tak brzmi mój głos.",
    "cs": "Ahoj! Takhle zní můj hlas.",
    "ru": "Привет! Так звучит мой голос.",
    "uk": "Привіт! Так звучить мій голос.",
    "tr": "Merhaba! Sesim böyle duyuluyor.",
    "el": "Γεια σας! Έτσι ακούγεται η φωνή μου.",
    "hu": "Szia! Így hangzik a hangom.",
    "ro": "Salut! Așa sună vocea mea.",
}
COUNTING = "1, 2, 3, 4, 5."
SAMPLE_FORMAT = "mp3"
_sample_lock = threading.Lock()


def sample_text(voice: Voice) -> str:
    """What a voice's sample says."""
    return SAMPLE_TEXTS.get(voice.language.split("-")[0], COUNTING)


def sample_url(base_url: str, voice: Voice) -> str:
    """Where the voice's sample clip is served."""
    return f"{base_url}/v1/voices/{voice.id}/sample"


def voices_view(
    base_url: str,
    *,
    query: str | None = None,
    language: str | None = None,
    gender: str | None = None,
    engine: str | None = None,
    found: Catalogue | None = None,
) -> dict[str, Any]:
    """``GET /v1/voices``: matching voices and every engine's status."""
    found = found or catalogue()
    try:
        voices = found.search(query=query, language=language, gender=gender, engine=engine)
    except ValueError as exc:
        raise ValidationFailed(f"language: {exc}", field="language") from None
    return {
        "voices": [v.view(sample_url(base_url, v)) for v in voices],
        "count": len(voices),
        "engines": [e.view() for e in found.engines],
    }


def get_voice(voice_id: str, found: Catalogue | None = None) -> Voice:
    """A voice by id; 404 naming ``voice_id`` otherwise."""
    voice = (found or catalogue()).get(voice_id)
    if voice is None:
        raise NotFound(f"No voice {voice_id!r} on this server; see GET /v1/voices", field="voice_id")
    return voice


def sample_file(services: Services, voice: Voice) -> Path:
    """The voice's sample clip (MP3), synthesised on first request and cached in the data folder."""
    path = services.settings.data_dir / "cache" / "voice-samples" / f"{voice.id}.{SAMPLE_FORMAT}"
    if path.exists():
        return path
    with _sample_lock:  # one synthesis at a time: a burst of first requests makes each clip once
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_sample(voice, path, services.tmp_dir)
    return path


def _write_sample(voice: Voice, path: Path, tmp_dir: Path) -> None:
    # A one-shot Festival: the API process keeps no engine processes resident for rare samples.
    speech = speak(sample_text(voice), voice, warm=False)
    audio = conform(
        DecodedAudio(samples=speech.samples[:, None], sample_rate=speech.sample_rate), format=SAMPLE_FORMAT
    )
    partial = tmp_dir / f"{path.name}.part"
    encode(audio.samples, audio.sample_rate, partial, format=SAMPLE_FORMAT, bitrate=64)
    partial.replace(path)
