"""Finding voices: by id, by search words, or the best one for a language and gender."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from mixdown.engines.tts.voices import EngineStatus, Voice, discover_voices, normalize_language
from mixdown.errors import EngineUnavailable, ValidationFailed

DEFAULT_LANGUAGE = "en"
ENGINE_ALIASES = {"espeak": "espeak-ng", "espeakng": "espeak-ng", "espeak-ng": "espeak-ng"}


def language_level(voice: Voice, wanted: str) -> int | None:
    """How well ``voice`` speaks language ``wanted`` (0 best), or None if it does not.

    0: the same tag; 1: a regional form of it (``en-us`` for ``en``); 2: the tag is a regional
    form of the voice's (``de`` for ``de-at``); 3: eSpeak lists it among the voice's languages.

    Examples
    --------
    >>> from mixdown.engines.tts.voices import Voice
    >>> v = Voice(id="x", name="x", language="en-us", gender="male", engine="flite", engine_voice="x")
    >>> [language_level(v, code) for code in ("en-us", "en", "en-us-nyc", "de")]
    [0, 1, 2, None]
    """
    if voice.language == wanted:
        return 0
    if voice.language.startswith(wanted + "-"):
        return 1
    if wanted.startswith(voice.language + "-"):
        return 2
    if any(code == wanted for code, _ in voice.aliases):
        return 3
    return None


def _alias_priority(voice: Voice, wanted: str) -> int:
    return min((prio for code, prio in voice.aliases if code == wanted), default=99)


def matches_query(voice: Voice, query: str) -> bool:
    """Every word of ``query`` starts a word of the voice (so ``male`` does not find ``female``)."""
    words = voice.words()
    return all(any(word.startswith(token) for word in words) for token in query.lower().split())


@dataclass(frozen=True)
class Catalogue:
    """The voices found on this machine and the status of each engine."""

    voices: tuple[Voice, ...]
    engines: tuple[EngineStatus, ...]

    def get(self, voice_id: str) -> Voice | None:
        """The voice with this id."""
        return next((v for v in self.voices if v.id == voice_id), None)

    def search(
        self,
        *,
        query: str | None = None,
        language: str | None = None,
        gender: str | None = None,
        engine: str | None = None,
    ) -> list[Voice]:
        """Voices matching every filter given; with a language, best speakers of it first."""
        found: Iterable[Voice] = self.voices
        if query:
            found = [v for v in found if matches_query(v, query)]
        if gender:
            found = [v for v in found if v.gender == gender.lower()]
        if engine:
            name = ENGINE_ALIASES.get(engine.lower(), engine.lower())
            found = [v for v in found if v.engine == name]
        if language:
            return self.for_language(normalize_language(language), found)
        return list(found)

    def for_language(self, wanted: str, voices: Iterable[Voice] | None = None) -> list[Voice]:
        """Voices that speak ``wanted``, best first: closest tag, then engine rank."""
        scored = []
        for voice in self.voices if voices is None else voices:
            level = language_level(voice, wanted)
            if level is not None:
                scored.append(((level, voice.rank, _alias_priority(voice, wanted), voice.id), voice))
        return [voice for _, voice in sorted(scored, key=lambda pair: pair[0])]

    def choose(self, *, voice_id: str | None, language: str | None, gender: str | None) -> Voice:
        """The voice a request asks for; ``ValidationFailed`` naming the field that cannot be met."""
        if not self.voices:
            raise EngineUnavailable("No speech engine is installed (festival, flite or espeak-ng).")
        if voice_id:
            return self._named(voice_id, language, gender)
        wanted = normalize_language(language or DEFAULT_LANGUAGE)
        speakers = self.for_language(wanted)
        if not speakers:
            raise ValidationFailed(
                f"language: no installed voice speaks {wanted!r}; see GET /v1/voices", field="language"
            )
        if gender:
            speakers = [v for v in speakers if v.gender == gender]
            if not speakers:
                raise ValidationFailed(f"gender: no {gender} voice speaks {wanted!r}", field="gender")
        return speakers[0]

    def _named(self, voice_id: str, language: str | None, gender: str | None) -> Voice:
        voice = self.get(voice_id)
        if voice is None:
            raise ValidationFailed(
                f"voice_id: no voice {voice_id!r} on this server; see GET /v1/voices", field="voice_id"
            )
        if language and language_level(voice, normalize_language(language)) is None:
            raise ValidationFailed(
                f"language: voice {voice_id!r} speaks {voice.language!r}, not {language!r}", field="language"
            )
        if gender and voice.gender != gender:
            raise ValidationFailed(
                f"gender: voice {voice_id!r} is {voice.gender}, not {gender}", field="gender"
            )
        return voice


_lock = threading.Lock()
_catalogue: Catalogue | None = None


def catalogue() -> Catalogue:
    """This process's catalogue, discovered once (about half a second, mostly Festival)."""
    global _catalogue
    with _lock:
        if _catalogue is None:
            engines, voices = discover_voices()
            _catalogue = Catalogue(tuple(voices), tuple(engines))
        return _catalogue


def forget_catalogue() -> None:
    """Discover again on next use (after installing an engine)."""
    global _catalogue
    with _lock:
        _catalogue = None
