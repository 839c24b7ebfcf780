"""Which voices can sing: the English Festival voices (their segment times are exact, see
:mod:`.speech`). On a Debian install with ``festvox-us-slt-hts`` and ``festvox-kallpc16k`` that is
``festival-cmu_us_slt_arctic_hts`` (female) and ``festival-kal_diphone`` (male).
"""

from __future__ import annotations

from mixdown.engines.tts.catalogue import catalogue
from mixdown.engines.tts.voices import Voice
from mixdown.errors import EngineUnavailable, ValidationFailed
from mixdown.tasks.base import Availability

SINGING_ENGINE = "festival"
# F0 search range of the analysis (Hz) by voice gender: spoken pitch, not the sung notes.
F0_RANGES = {"female": (100.0, 500.0), "male": (55.0, 300.0), "unknown": (55.0, 500.0)}
_INSTALL = "apt-get install festival festvox-us-slt-hts festvox-kallpc16k"


def singing_voices() -> list[Voice]:
    """Voices that can sing here, best first."""
    voices = [v for v in catalogue().voices if v.engine == SINGING_ENGINE and v.language.startswith("en")]
    return sorted(voices, key=lambda v: (v.rank, v.id))


def _names() -> str:
    return ", ".join(v.id for v in singing_voices()) or "none"


def choose_voice(*, voice_id: str | None, gender: str | None) -> Voice:
    """The singing voice a request asks for; ``ValidationFailed`` naming the field otherwise."""
    voices = singing_voices()
    if not voices:
        raise EngineUnavailable(f"No singing voice is installed ({_INSTALL}).")
    if voice_id:
        voice = next((v for v in voices if v.id == voice_id), None)
        if voice is None:
            raise ValidationFailed(
                f"voice_id: {voice_id!r} cannot sing; singing voices: {_names()}", field="voice_id"
            )
        if gender and voice.gender != gender:
            raise ValidationFailed(
                f"gender: voice {voice_id!r} is {voice.gender}, not {gender}", field="gender"
            )
        return voice
    if gender:
        voices = [v for v in voices if v.gender == gender]
        if not voices:
            raise ValidationFailed(
                f"gender: no {gender} singing voice is installed ({_names()})", field="gender"
            )
    return voices[0]


def availability() -> Availability:
    """Available when Festival brought at least one English voice."""
    if singing_voices():
        return Availability(True)
    return Availability(False, f"no English Festival voice is installed ({_INSTALL})")
