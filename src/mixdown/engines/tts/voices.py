"""The voices this machine can speak with, found at run time from the installed engines.

Three engines are asked what they have: Festival (``voice.list`` and each voice's
``voice.description``: the folders under ``/usr/share/festival/voices``), Flite (``flite -lv``)
and eSpeak NG (``espeak-ng --voices``; each language is offered as a female and a male voice
through its ``+f5`` and ``+m1`` variants, the clearest under Whisper of those tried). An engine
that is not installed simply adds no voices and reports why in :attr:`Catalogue.engines`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Gender = Literal["female", "male", "unknown"]
EngineName = Literal["festival", "flite", "espeak-ng"]
Runner = Callable[[Sequence[str], str | None], str]
Which = Callable[[str], str | None]

ENGINES: tuple[EngineName, ...] = ("festival", "flite", "espeak-ng")
BINARIES: dict[EngineName, str] = {"festival": "festival", "flite": "flite", "espeak-ng": "espeak-ng"}
INSTALL_HINT: dict[EngineName, str] = {
    "festival": "apt-get install festival festvox-us-slt-hts festvox-kallpc16k",
    "flite": "apt-get install flite",
    "espeak-ng": "apt-get install espeak-ng",
}
# Lower is preferred when a voice is chosen by language and gender. Whisper WER on 20 Harvard
# sentences (bench/bench_tts.py): slt HTS 0.03, rms 0.04, awb 0.04, Flite slt 0.09, kal diphone
# 0.10, kal16 0.11, kal 0.16; eSpeak (0.08-0.13) comes last for English as it sounds least natural.
RANKS = {
    "festival-cmu_us_slt_arctic_hts": 0,
    "flite-slt": 1,
    "flite-rms": 2,
    "flite-awb": 3,
    "festival-kal_diphone": 4,
    "flite-kal16": 5,
    "flite-kal": 6,
}
DEFAULT_RANK = {"festival": 4, "flite": 6, "espeak-ng": 10}
# Whisper WER on 20 Harvard sentences (en-us): +m1 0.075, +m3 0.15; +f5 0.13, +f3 0.18, +f2 0.17.
ESPEAK_VARIANTS: tuple[tuple[Gender, str], ...] = (("female", "f5"), ("male", "m1"))
# Flite's built-in voices; ``awb_time`` is a limited-domain voice that can only tell the time.
FLITE_VOICES: dict[str, tuple[Gender, str, str]] = {
    "slt": ("female", "en-us", "SLT (Flite, US English)"),
    "rms": ("male", "en-us", "RMS (Flite, US English)"),
    "awb": ("male", "en-gb-scotland", "AWB (Flite, Scottish English)"),
    "kal16": ("male", "en-us", "KAL 16 kHz (Flite diphone, US English)"),
    "kal": ("male", "en-us", "KAL 8 kHz (Flite diphone, US English)"),
}
FLITE_SKIP = frozenset({"awb_time"})
FESTIVAL_LANGUAGES = {
    "english": "en",
    "spanish": "es",
    "welsh": "cy",
    "finnish": "fi",
    "czech": "cs",
    "italian": "it",
    "russian": "ru",
    "german": "de",
    "french": "fr",
    "polish": "pl",
    "hindi": "hi",
    "marathi": "mr",
    "telugu": "te",
}
FESTIVAL_DIALECTS = {"american": "us", "british": "gb", "scottish": "gb-scotland", "castilian": "es"}
FESTIVAL_LIST_SCHEME = (
    "(mapcar (lambda (v) (let ((d (cadr (voice.description v)))) "
    '(format t "VOICE|%s|%s|%s|%s\\n" v (cadr (assoc \'language d)) '
    "(cadr (assoc 'gender d)) (cadr (assoc 'dialect d))))) (voice.list))\n"
)
_ALIAS = re.compile(r"\(([\w-]+)\s+(\d+)\)")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{1,8})*$")


@dataclass(frozen=True, kw_only=True)
class Voice:
    """One voice: what the API shows, and what its engine is told (``engine_voice``)."""

    id: str
    name: str
    language: str
    gender: Gender
    engine: EngineName
    engine_voice: str
    aliases: tuple[tuple[str, int], ...] = ()
    rank: int = 10

    def view(self, sample_url: str | None = None) -> dict[str, Any]:
        """The voice as ``GET /v1/voices`` lists it."""
        return {
            "id": self.id,
            "name": self.name,
            "language": self.language,
            "gender": self.gender,
            "engine": self.engine,
            "sample": sample_url,
        }

    def words(self) -> set[str]:
        """Lower-case words a search query can match."""
        text = f"{self.id} {self.name} {self.engine} {self.language}"
        words = set(re.split(r"[^\w]+", text.lower())) | {self.language, self.gender}
        words |= {code for code, _ in self.aliases}
        return words - {""}


@dataclass(frozen=True, kw_only=True)
class EngineStatus:
    """Whether an engine runs here, and how many voices it brought."""

    engine: EngineName
    available: bool
    reason: str | None = None
    voices: int = 0

    def view(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "engine": self.engine,
            "available": self.available,
            "reason": self.reason,
            "voices": self.voices,
        }


def normalize_language(code: str) -> str:
    """``en_US`` -> ``en-us``; ``ValueError`` for what does not look like a language tag.

    Examples
    --------
    >>> normalize_language(" en_US ")
    'en-us'
    """
    value = code.strip().lower().replace("_", "-")
    if not _LANGUAGE.match(value):
        raise ValueError(f"{code!r} is not a language code such as 'en', 'en-us' or 'de'")
    return value


def parse_espeak_voices(output: str) -> list[dict[str, Any]]:
    """Rows of ``espeak-ng --voices``: language, name, file and other languages with priority."""
    rows = []
    for line in output.splitlines()[1:]:
        parts = line.split(None, 5)
        if len(parts) < 5 or not parts[0].isdigit():
            continue
        aliases = tuple(
            (code.lower(), int(prio)) for code, prio in _ALIAS.findall(parts[5] if len(parts) > 5 else "")
        )
        rows.append(
            {
                "language": parts[1].lower(),
                "name": parts[3].replace("_", " "),
                "file": parts[4],
                "aliases": aliases,
            }
        )
    return rows


def parse_flite_voices(output: str) -> list[str]:
    """Voice names from ``flite -lv`` ("Voices available: kal awb rms slt")."""
    _, _, names = output.partition(":")
    return names.split()


def parse_festival_voices(output: str) -> list[dict[str, str]]:
    """Rows printed by :data:`FESTIVAL_LIST_SCHEME`: name, language, gender, dialect."""
    rows = []
    for line in output.splitlines():
        parts = line.strip().split("|")
        if len(parts) == 5 and parts[0] == "VOICE":
            rows.append(dict(zip(("name", "language", "gender", "dialect"), parts[1:], strict=True)))
    return rows


def espeak_catalogue(rows: list[dict[str, Any]]) -> list[Voice]:
    """Two voices (female, male) per eSpeak language; a repeated code takes its file's name."""
    voices: list[Voice] = []
    seen: set[str] = set()
    for row in rows:
        key = row["language"] if row["language"] not in seen else row["file"].rsplit("/", 1)[-1].lower()
        seen.add(key)
        for gender, variant in ESPEAK_VARIANTS:
            voices.append(
                Voice(
                    id=f"espeak-{key}-{gender}",
                    name=f"{row['name']}, {gender} (eSpeak NG)",
                    language=row["language"],
                    gender=gender,
                    engine="espeak-ng",
                    engine_voice=f"{key}+{variant}",
                    aliases=row["aliases"],
                    rank=DEFAULT_RANK["espeak-ng"],
                )
            )
    return voices


def flite_catalogue(names: list[str]) -> list[Voice]:
    """Flite's voices; unknown ones are listed as English with an unknown gender."""
    voices = []
    for name in names:
        if name in FLITE_SKIP:
            continue
        gender, language, title = FLITE_VOICES.get(name, ("unknown", "en", f"{name.upper()} (Flite)"))
        voice_id = f"flite-{name}"
        voices.append(
            Voice(
                id=voice_id,
                name=title,
                language=language,
                gender=gender,
                engine="flite",
                engine_voice=name,
                rank=RANKS.get(voice_id, DEFAULT_RANK["flite"]),
            )
        )
    return voices


def festival_catalogue(rows: list[dict[str, str]]) -> list[Voice]:
    """Festival's voices with the language, dialect and gender their descriptions declare."""
    voices = []
    for row in rows:
        voice_id = f"festival-{row['name']}"
        gender: Gender = row["gender"] if row["gender"] in ("female", "male") else "unknown"  # type: ignore[assignment]
        hts = row["name"].endswith("_hts")
        voices.append(
            Voice(
                id=voice_id,
                name=festival_title(row, hts=hts),
                language=festival_language(row["language"], row["dialect"]),
                gender=gender,
                engine="festival",
                engine_voice=row["name"],
                rank=RANKS.get(voice_id, DEFAULT_RANK["festival"] - (1 if hts else 0)),
            )
        )
    return voices


def festival_title(row: dict[str, str], *, hts: bool) -> str:
    """A readable name: ``cmu_us_slt_arctic_hts`` -> "SLT (Festival HTS, American English)"."""
    parts = row["name"].split("_")
    speaker = parts[2] if parts[0] == "cmu" and len(parts) > 2 else parts[0]
    spoken = " ".join(w.title() for w in (row["dialect"], row["language"]) if w and w != "nil")
    kind = "HTS" if hts else "diphone" if "diphone" in row["name"] else "unit selection"
    return f"{speaker.upper()} (Festival {kind}, {spoken})"


def festival_language(language: str, dialect: str) -> str:
    """A language tag from Festival's words: ("english", "american") -> ``en-us``."""
    base = FESTIVAL_LANGUAGES.get(language.lower(), language.lower()[:2])
    region = FESTIVAL_DIALECTS.get(dialect.lower())
    return f"{base}-{region}" if region else base


def run_command(args: Sequence[str], stdin: str | None = None) -> str:
    """Stdout of a short command; raises ``OSError`` or ``subprocess`` errors on failure."""
    done = subprocess.run(list(args), input=stdin, capture_output=True, text=True, timeout=30, check=True)
    return done.stdout


def engine_voices(engine: EngineName, runner: Runner) -> list[Voice]:
    """Ask one installed engine for its voices."""
    if engine == "festival":
        return festival_catalogue(parse_festival_voices(runner(["festival", "--pipe"], FESTIVAL_LIST_SCHEME)))
    if engine == "flite":
        return flite_catalogue(parse_flite_voices(runner(["flite", "-lv"], None)))
    return espeak_catalogue(parse_espeak_voices(runner(["espeak-ng", "--voices"], None)))


def discover_engine(engine: EngineName, runner: Runner, which: Which) -> tuple[EngineStatus, list[Voice]]:
    """The engine's status and voices; a missing or broken engine brings none."""
    if which(BINARIES[engine]) is None:
        reason = f"{BINARIES[engine]} is not installed ({INSTALL_HINT[engine]})"
        return EngineStatus(engine=engine, available=False, reason=reason), []
    try:
        voices = engine_voices(engine, runner)
    except (OSError, subprocess.SubprocessError) as exc:
        return EngineStatus(engine=engine, available=False, reason=f"listing voices failed: {exc}"), []
    if not voices:
        return EngineStatus(engine=engine, available=False, reason="no voices installed"), []
    return EngineStatus(engine=engine, available=True, voices=len(voices)), voices


def discover_voices(
    *, runner: Runner = run_command, which: Which = shutil.which, engines: Sequence[EngineName] = ENGINES
) -> tuple[list[EngineStatus], list[Voice]]:
    """Every engine's status and all voices, in engine order."""
    statuses: list[EngineStatus] = []
    voices: list[Voice] = []
    for engine in engines:
        status, found = discover_engine(engine, runner, which)
        statuses.append(status)
        voices.extend(found)
    return statuses, voices
