"""Instrument phrases from the prompt ("analog bass", "airy pads", "808") to parts and GM programs.

Each phrase is split on "and", commas and "&", and every piece is matched against a table of
keywords (longest first). A match names the role it plays, the General MIDI program, what a
listener would call it and, for some, a bass style or drum kit ("808" -> sub_808 bass, tr808
kit). Roles the prompt did not name come from the style's ``instruments``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mixdown.engines.music.score import Stem
from mixdown.engines.music.style import StyleProfile


@dataclass(frozen=True)
class Voice:
    """One instrument the piece uses."""

    role: str  # bass, chords, lead, pad, vocals, fx, drums
    program: int
    name: str
    bass_style: str = ""
    kit: str = ""
    chord_style: str = ""


# keyword -> (role, program, name, extras)
_TABLE: dict[str, tuple[str, int, str, dict[str, str]]] = {
    "808": ("bass", 38, "808 bass", {"bass_style": "sub_808", "kit": "tr808"}),
    "sub bass": ("bass", 38, "sub bass", {"bass_style": "sustained"}),
    "analog bass": ("bass", 39, "analog bass", {}),
    "synth bass": ("bass", 38, "synth bass", {}),
    "acid bass": ("bass", 87, "acid bass", {}),
    "reese": ("bass", 39, "reese bass", {}),
    "slap bass": ("bass", 36, "slap bass", {}),
    "fretless": ("bass", 35, "fretless bass", {}),
    "upright bass": ("bass", 32, "upright bass", {"bass_style": "walking"}),
    "double bass": ("bass", 32, "double bass", {}),
    "acoustic bass": ("bass", 32, "acoustic bass", {}),
    "bass guitar": ("bass", 33, "bass guitar", {}),
    "electric bass": ("bass", 33, "electric bass", {}),
    "bass": ("bass", 33, "bass", {}),
    "electric piano": ("chords", 4, "electric piano", {}),
    "rhodes": ("chords", 4, "rhodes", {}),
    "wurlitzer": ("chords", 5, "wurlitzer", {}),
    "piano": ("chords", 0, "grand piano", {}),
    "keys": ("chords", 4, "keys", {}),
    "organ": ("chords", 16, "organ", {}),
    "church organ": ("pad", 19, "church organ", {}),
    "harpsichord": ("chords", 6, "harpsichord", {}),
    "clavinet": ("chords", 7, "clavinet", {}),
    "accordion": ("chords", 21, "accordion", {}),
    "acoustic guitar": ("chords", 25, "acoustic guitar", {"chord_style": "strum"}),
    "nylon guitar": ("chords", 24, "nylon guitar", {}),
    "classical guitar": ("chords", 24, "classical guitar", {}),
    "electric guitar": ("chords", 27, "electric guitar", {}),
    "clean guitar": ("chords", 27, "clean guitar", {}),
    "distorted guitar": ("chords", 30, "distorted guitar", {}),
    "guitar": ("chords", 25, "guitar", {}),
    "jazz guitar": ("chords", 26, "jazz guitar", {}),
    "muted guitar": ("chords", 28, "muted guitar", {}),
    "overdrive": ("chords", 29, "overdriven guitar", {}),
    "power chords": ("chords", 30, "power chords", {}),
    "harp": ("chords", 46, "harp", {"chord_style": "arpeggio"}),
    "banjo": ("chords", 105, "banjo", {}),
    "ukulele": ("chords", 24, "ukulele", {}),
    "mandolin": ("chords", 25, "mandolin", {}),
    "pluck": ("chords", 45, "plucks", {}),
    "stab": ("chords", 81, "synth stabs", {"chord_style": "stabs"}),
    "brass": ("chords", 61, "brass section", {}),
    "horns": ("chords", 60, "horns", {}),
    "synth brass": ("chords", 62, "synth brass", {}),
    "strings": ("pad", 48, "strings", {}),
    "string ensemble": ("pad", 48, "string ensemble", {}),
    "orchestra": ("pad", 48, "orchestral strings", {"kit": "orchestra"}),
    "pad": ("pad", 89, "warm pad", {}),
    "airy pad": ("pad", 91, "airy pad", {}),
    "warm pad": ("pad", 89, "warm pad", {}),
    "synth pad": ("pad", 90, "synth pad", {}),
    "choir": ("vocals", 52, "choir", {}),
    "vocal": ("vocals", 53, "vocal textures", {}),
    "voice": ("vocals", 53, "voice", {}),
    "vox": ("vocals", 54, "synth voice", {}),
    "female vocal": ("vocals", 53, "female vocal textures", {}),
    "male vocal": ("vocals", 52, "male choir", {}),
    "violin": ("lead", 40, "violin", {}),
    "viola": ("lead", 41, "viola", {}),
    "cello": ("lead", 42, "cello", {}),
    "fiddle": ("lead", 110, "fiddle", {}),
    "pizzicato": ("chords", 45, "pizzicato strings", {}),
    "trumpet": ("lead", 56, "trumpet", {}),
    "trombone": ("lead", 57, "trombone", {}),
    "french horn": ("lead", 60, "french horn", {}),
    "tuba": ("bass", 58, "tuba", {}),
    "saxophone": ("lead", 65, "saxophone", {}),
    "sax": ("lead", 65, "saxophone", {}),
    "tenor sax": ("lead", 66, "tenor sax", {}),
    "flute": ("lead", 73, "flute", {}),
    "piccolo": ("lead", 72, "piccolo", {}),
    "clarinet": ("lead", 71, "clarinet", {}),
    "oboe": ("lead", 68, "oboe", {}),
    "bassoon": ("lead", 70, "bassoon", {}),
    "pan flute": ("lead", 75, "pan flute", {}),
    "whistle": ("lead", 78, "whistle", {}),
    "ocarina": ("lead", 79, "ocarina", {}),
    "harmonica": ("lead", 22, "harmonica", {}),
    "sitar": ("lead", 104, "sitar", {}),
    "koto": ("lead", 107, "koto", {}),
    "kalimba": ("lead", 108, "kalimba", {}),
    "bagpipe": ("lead", 109, "bagpipe", {}),
    "steel drum": ("lead", 114, "steel drums", {}),
    "marimba": ("lead", 12, "marimba", {}),
    "vibraphone": ("lead", 11, "vibraphone", {}),
    "xylophone": ("lead", 13, "xylophone", {}),
    "glockenspiel": ("lead", 9, "glockenspiel", {}),
    "celesta": ("lead", 8, "celesta", {}),
    "music box": ("lead", 10, "music box", {}),
    "bell": ("lead", 14, "bells", {}),
    "lead": ("lead", 81, "synth lead", {}),
    "synth lead": ("lead", 81, "synth lead", {}),
    "saw": ("lead", 81, "saw lead", {}),
    "square": ("lead", 80, "square lead", {}),
    "chiptune": ("lead", 80, "chip lead", {}),
    "arp": ("lead", 81, "arpeggiator", {}),
    "synth": ("chords", 90, "synth", {}),
    "riser": ("fx", 122, "riser", {}),
    "fx": ("fx", 102, "fx", {}),
    "drum machine": ("drums", 0, "drum machine", {"kit": "electronic"}),
    "live drums": ("drums", 0, "live drums", {"kit": "room"}),
    "acoustic drums": ("drums", 0, "acoustic drums", {"kit": "standard"}),
    "brushes": ("drums", 0, "brushed drums", {"kit": "brush"}),
    "jazz drums": ("drums", 0, "jazz drums", {"kit": "jazz"}),
    "909": ("drums", 0, "909 drums", {"kit": "electronic"}),
    "timpani": ("drums", 0, "timpani", {"kit": "orchestra"}),
    "drums": ("drums", 0, "drums", {}),
    "percussion": ("drums", 0, "percussion", {}),
}
_KEYS = sorted(_TABLE, key=len, reverse=True)

STEMS = {
    "bass": Stem.BASS,
    "chords": Stem.CHORDS,
    "lead": Stem.MELODY,
    "pad": Stem.PADS,
    "vocals": Stem.VOCALS,
    "fx": Stem.FX,
    "drums": Stem.DRUMS,
    "counter": Stem.MELODY,
}
# The General MIDI program names, as a listener would say them (for roles filled from the style).
_GM = """
grand piano|bright piano|electric grand|honky-tonk piano|electric piano|electric piano|harpsichord|clavinet|
celesta|glockenspiel|music box|vibraphone|marimba|xylophone|tubular bells|dulcimer|drawbar organ|
percussive organ|rock organ|church organ|reed organ|accordion|harmonica|bandoneon|nylon guitar|
acoustic guitar|jazz guitar|clean guitar|muted guitar|overdriven guitar|distorted guitar|guitar harmonics|
acoustic bass|bass guitar|picked bass|fretless bass|slap bass|slap bass|synth bass|analog bass|violin|viola|
cello|contrabass|tremolo strings|pizzicato strings|harp|timpani|strings|slow strings|synth strings|
synth strings|choir aahs|voice oohs|synth voice|orchestra hit|trumpet|trombone|tuba|muted trumpet|
french horn|brass section|synth brass|synth brass|soprano sax|alto sax|tenor sax|baritone sax|oboe|
english horn|bassoon|clarinet|piccolo|flute|recorder|pan flute|blown bottle|shakuhachi|whistle|ocarina|
square lead|saw lead|calliope lead|chiff lead|charang lead|voice lead|fifths lead|bass and lead|
new age pad|warm pad|polysynth pad|choir pad|bowed pad|metallic pad|halo pad|sweep pad|rain fx|
soundtrack fx|crystal fx|atmosphere fx|brightness fx|goblins fx|echoes fx|sci-fi fx|sitar|banjo|shamisen|
koto|kalimba|bagpipe|fiddle|shanai|tinkle bell|agogo|steel drums|woodblock|taiko drum|melodic tom|
synth drum|reverse cymbal|guitar fret noise|breath noise|seashore|bird tweet|telephone ring|helicopter|
applause|gunshot"""
GM_NAMES = dict(enumerate(_GM.replace("\n", "").split("|")))


def split_phrases(phrases: tuple[str, ...]) -> list[str]:
    """Single instruments from the prompt's phrases ("strings and brass" -> two)."""
    out = []
    for phrase in phrases:
        out += [p.strip() for p in re.split(r",|&|\+|\band\b|\bwith\b", phrase.lower()) if p.strip()]
    return out


def match(phrase: str) -> Voice | None:
    """The instrument a single phrase names, or None."""
    text = re.sub(r"[^a-z0-9 ]+", " ", phrase.lower())
    for key in _KEYS:
        if re.search(rf"\b{re.escape(key)}s?\b", text):  # "pads" matches "pad"
            role, program, name, extra = _TABLE[key]
            label = name if key in ("808", "sax", "bass", "pad", "synth", "lead") else phrase.strip() or name
            if role == "vocals" and "female" in text:
                program = 53
            return Voice(role=role, program=program, name=label, **extra)
    return None


def named_voices(phrases: tuple[str, ...]) -> list[Voice]:
    """Every instrument the prompt named, in order."""
    return [v for v in (match(p) for p in split_phrases(phrases)) if v is not None]


def style_voice(style: StyleProfile, role: str, brightness: float = 0.0) -> Voice:
    """The style's instrument for ``role``: its first choice, or a brighter/darker alternative."""
    programs = style.instruments.get(role) or DEFAULT_PROGRAMS[role]
    index = 0
    if abs(brightness) > 0.5 and len(programs) > 1:  # a strong tone request picks among the alternatives
        index = 1 if brightness > 0 else len(programs) - 1
    program = programs[min(index, len(programs) - 1)]
    return Voice(role=role, program=program, name=GM_NAMES.get(program, f"program {program}"))


DEFAULT_PROGRAMS: dict[str, tuple[int, ...]] = {
    "bass": (33,),
    "chords": (0,),
    "lead": (81,),
    "pad": (89,),
    "vocals": (53,),
    "fx": (102,),
    "counter": (48,),
}
