"""The tag catalogue (``GET /v1/tags`` and Muzaic's ``getTags``): genres, moods, instruments, energy.

Ids are stable: never renumber or reuse one; add new tags with new ids. Genres are 1-99, moods
101-199, instruments 201-299, energy levels 301-399. ``TAG_RELATIONS`` lists the incompatible
pairs (Muzaic's ``tagRelations`` entries with ``value`` -1).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any


class TagCategory(StrEnum):
    """What a tag describes."""

    GENRE = "genre"
    MOOD = "mood"
    INSTRUMENT = "instrument"
    ENERGY = "energy"


@dataclass(frozen=True)
class Tag:
    """One tag and what it means to the engine."""

    id: int
    name: str
    category: TagCategory
    description: str
    styles: tuple[str, ...] = ()  # genre: the style profiles it selects
    mood: str = ""  # mood: the canonical mood name
    instruments: tuple[str, ...] = ()  # instrument: canonical instrument names
    energy: float | None = None  # energy: -1 (calm) .. +1 (intense)


@dataclass(frozen=True)
class TagHints:
    """What a set of tags asks of prompt understanding."""

    styles: dict[str, float]  # style -> vote (1 for a single-style genre tag)
    moods: tuple[str, ...] = ()
    instruments: tuple[str, ...] = ()
    energy: float | None = None
    text: str = ""  # the tag names, for the embedding match


GENRE, MOOD, INSTRUMENT, ENERGY = (
    TagCategory.GENRE,
    TagCategory.MOOD,
    TagCategory.INSTRUMENT,
    TagCategory.ENERGY,
)

_GENRES: tuple[tuple[int, str, str, tuple[str, ...]], ...] = (
    (1, "Ambient", "Slow evolving pads and drones without a beat", ("ambient",)),
    (2, "Cinematic", "Orchestral film score", ("cinematic_orchestral",)),
    (3, "Classical", "Classical piano and ballroom pieces", ("classical_piano", "waltz")),
    (4, "Corporate", "Positive background music for business videos", ("corporate",)),
    (
        5,
        "Electronic",
        "Club and synth-based electronic music",
        ("house", "techno", "edm_big_room", "synthwave"),
    ),
    (6, "Epic", "Trailer music with big drums, brass and choir", ("epic_trailer",)),
    (7, "Folk", "Acoustic folk and singer-songwriter", ("folk",)),
    (8, "Hip Hop", "Beats for rap: boom bap, lofi and trap", ("boom_bap", "lofi_hip_hop", "trap")),
    (9, "Jazz", "Swing jazz combo with walking bass", ("jazz_swing",)),
    (10, "Latin", "Salsa, bossa nova and reggaeton", ("salsa", "bossa_nova", "reggaeton")),
    (11, "Lo-fi", "Dusty, jazzy lofi hip hop beats", ("lofi_hip_hop",)),
    (12, "Pop", "Catchy radio pop", ("pop",)),
    (13, "Rock", "Guitar-driven rock band", ("rock", "indie")),
    (14, "Techno", "Driving four-on-the-floor techno", ("techno",)),
    (15, "House", "Four-on-the-floor house music", ("house", "deep_house")),
    (16, "Trap", "808s, half-time snares and hi-hat rolls", ("trap",)),
    (17, "Synthwave", "Retro 1980s synths and drums", ("synthwave",)),
    (18, "Drum & Bass", "Fast breakbeats at 170-176 BPM", ("drum_and_bass",)),
    (19, "Dubstep", "Half-time bass music at 140 BPM", ("dubstep",)),
    (20, "Funk", "Sixteenth-note grooves, slap bass and horns", ("funk",)),
    (21, "Soul & R&B", "Smooth Rhodes chords and laid-back grooves", ("soul_rnb",)),
    (22, "Reggae", "One-drop drums and offbeat skank", ("reggae",)),
    (23, "Bossa Nova", "Brazilian nylon guitar and brushes", ("bossa_nova",)),
    (24, "Blues", "Twelve-bar shuffle", ("blues",)),
    (25, "Country", "Twang, train beat and I-IV-V", ("country",)),
    (26, "Metal", "Distorted riffs and double kick", ("metal",)),
    (27, "Punk", "Fast, loud power chords", ("punk",)),
    (28, "Chiptune", "8-bit video game sounds", ("chiptune",)),
    (29, "Meditation", "Drones, bowls and calm pads", ("meditation",)),
    (30, "Disco", "Four-on-the-floor with strings and octave bass", ("disco",)),
    (31, "Trance", "Euphoric arpeggios and long build-ups", ("trance",)),
    (32, "EDM", "Big-room festival drops", ("edm_big_room",)),
    (33, "Afrobeats", "West African grooves and percussion", ("afrobeats",)),
    (34, "Reggaeton", "Dembow rhythm and 808 bass", ("reggaeton",)),
    (35, "Gospel", "Organ, choir and praise grooves", ("gospel",)),
    (36, "Waltz", "Three-four ballroom dance", ("waltz",)),
    (37, "Celtic", "Fiddle and whistle jigs in 6/8", ("celtic",)),
    (38, "Indie", "Jangly indie rock and pop", ("indie",)),
    (39, "Video Game", "Adventure and retro game music", ("video_game_adventure", "chiptune")),
    (40, "Deep House", "Smooth late-night house", ("deep_house",)),
    (
        41,
        "Orchestral",
        "Symphonic orchestra",
        ("cinematic_orchestral", "video_game_adventure", "epic_trailer"),
    ),
    (42, "Salsa", "Afro-Cuban dance music", ("salsa",)),
    (43, "Boom Bap", "90s sampled hip hop", ("boom_bap",)),
)
_MOODS: tuple[tuple[int, str, str], ...] = (
    (101, "Happy", "happy"), (102, "Sad", "sad"), (103, "Dark", "dark"), (104, "Uplifting", "uplifting"),
    (105, "Chill", "chill"), (106, "Dreamy", "dreamy"), (107, "Epic", "epic"), (108, "Romantic", "romantic"),
    (109, "Mysterious", "mysterious"), (110, "Tense", "tense"), (111, "Aggressive", "aggressive"),
    (112, "Peaceful", "peaceful"), (113, "Melancholic", "melancholic"), (114, "Nostalgic", "nostalgic"),
    (115, "Playful", "playful"), (116, "Inspiring", "inspiring"), (117, "Hopeful", "hopeful"),
    (118, "Groovy", "groovy"), (119, "Spooky", "spooky"), (120, "Triumphant", "triumphant"),
    (121, "Hypnotic", "hypnotic"), (122, "Emotional", "emotional"), (123, "Elegant", "elegant"),
    (124, "Heroic", "heroic"),
)  # fmt: skip
_INSTRUMENTS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (201, "Piano", ("piano",)), (202, "Acoustic Guitar", ("acoustic guitar",)),
    (203, "Electric Guitar", ("electric guitar",)), (204, "Strings", ("strings",)),
    (205, "Brass", ("brass",)), (206, "Synth", ("synth",)), (207, "Pads", ("pad",)),
    (208, "Choir", ("choir",)), (209, "Female Vocals", ("female vocals",)),
    (210, "Male Vocals", ("male vocals",)), (211, "808", ("808",)), (212, "Analog Bass", ("analog bass",)),
    (213, "Saxophone", ("saxophone",)), (214, "Flute", ("flute",)), (215, "Organ", ("organ",)),
    (216, "Bells", ("bells",)), (217, "Harp", ("harp",)), (218, "Violin", ("violin",)),
    (219, "Electric Piano", ("electric piano",)), (220, "Ukulele", ("ukulele",)),
    (221, "Percussion", ("percussion",)), (222, "Vinyl Crackle", ("vinyl crackle",)),
    (223, "Nature Sounds", ("nature sounds",)), (224, "Cello", ("cello",)), (225, "Trumpet", ("trumpet",)),
    (226, "Marimba", ("marimba",)), (227, "Distorted Guitar", ("distorted guitar",)),
)  # fmt: skip
_ENERGY: tuple[tuple[int, str, str, float], ...] = (
    (301, "Calm", "Very low energy", -0.7),
    (302, "Relaxed", "Low energy, laid back", -0.35),
    (303, "Moderate", "Medium energy", 0.0),
    (304, "Dynamic", "Lively, with movement", 0.35),
    (305, "Energetic", "High energy", 0.7),
    (306, "Intense", "Maximum energy", 1.0),
)

TAGS: tuple[Tag, ...] = (
    *(Tag(i, name, GENRE, desc, styles=styles) for i, name, desc, styles in _GENRES),
    *(Tag(i, name, MOOD, f"{name} mood", mood=mood) for i, name, mood in _MOODS),
    *(
        Tag(i, name, INSTRUMENT, f"Features {name.lower()}", instruments=inst)
        for i, name, inst in _INSTRUMENTS
    ),
    *(Tag(i, name, ENERGY, desc, energy=energy) for i, name, desc, energy in _ENERGY),
)
TAGS_BY_ID: dict[int, Tag] = {tag.id: tag for tag in TAGS}

_ENERGY_IDS = tuple(i for i, *_ in _ENERGY)
# Incompatible pairs (value -1 in Muzaic's tagRelations).
TAG_RELATIONS: tuple[tuple[int, int], ...] = (
    # opposite moods
    (101, 102), (101, 103), (101, 113), (101, 119), (104, 102), (104, 103), (104, 113), (105, 111),
    (105, 110), (112, 111), (112, 110), (112, 119), (115, 111), (108, 111), (108, 119), (120, 102),
    (120, 113),
    # moods against energy
    (301, 111), (302, 111), (112, 305), (112, 306), (105, 306),
    # genres against moods and energy
    (29, 304), (29, 305), (29, 306), (29, 111), (1, 306), (26, 301), (26, 302), (26, 112), (27, 301),
    (27, 112), (19, 301), (19, 112), (18, 301), (32, 301), (32, 112), (11, 306), (11, 111),
    # genres that cannot share a piece
    (29, 26), (29, 19), (29, 27), (29, 32), (29, 18), (3, 19), (11, 26),
    # one energy level at a time
    *((a, b) for n, a in enumerate(_ENERGY_IDS) for b in _ENERGY_IDS[n + 1 :]),
)  # fmt: skip


@lru_cache(maxsize=1)
def _incompatible() -> dict[int, frozenset[int]]:
    pairs: dict[int, set[int]] = {tag.id: set() for tag in TAGS}
    for a, b in TAG_RELATIONS:
        pairs[a].add(b)
        pairs[b].add(a)
    return {tag_id: frozenset(others) for tag_id, others in pairs.items()}


def get_tags() -> dict[str, Any]:
    """Muzaic's ``getTags`` shape: ``{"tags": [...], "tagRelations": [{"tag1", "tag2", "value": -1}]}``."""
    return {
        "tags": [
            {"id": t.id, "name": t.name, "description": t.description, "category": t.category.value}
            for t in TAGS
        ],
        "tagRelations": [{"tag1": a, "tag2": b, "value": -1} for a, b in TAG_RELATIONS],
    }


def tag_catalogue() -> dict[str, Any]:
    """The native ``GET /v1/tags`` shape: each tag with its meaning and the ids it cannot combine with."""
    incompatible = _incompatible()
    return {
        "categories": [c.value for c in TagCategory],
        "tags": [
            {
                "id": t.id,
                "name": t.name,
                "category": t.category.value,
                "description": t.description,
                "styles": list(t.styles),
                "mood": t.mood or None,
                "instruments": list(t.instruments),
                "energy": t.energy,
                "incompatible_with": sorted(incompatible[t.id]),
            }
            for t in TAGS
        ],
    }


def validate_tags(ids: Iterable[int]) -> tuple[int, ...]:
    """The ids without repeats, in order; ``ValueError`` naming unknown ids or an incompatible pair."""
    tag_ids = tuple(dict.fromkeys(ids))
    bad = [i for i in tag_ids if isinstance(i, bool) or not isinstance(i, int)]
    if bad:
        raise ValueError(f"tags must be integer ids, got {bad!r}")
    unknown = [i for i in tag_ids if i not in TAGS_BY_ID]
    if unknown:
        raise ValueError(f"unknown tag id{'s' if len(unknown) > 1 else ''}: {unknown} (see GET /v1/tags)")
    incompatible = _incompatible()
    for n, a in enumerate(tag_ids):
        for b in tag_ids[n + 1 :]:
            if b in incompatible[a]:
                name_a, name_b = TAGS_BY_ID[a].name, TAGS_BY_ID[b].name
                raise ValueError(f"tags {a} ({name_a}) and {b} ({name_b}) are incompatible")
    return tag_ids


def tag_hints(ids: Iterable[int]) -> TagHints:
    """What valid tag ids ask for: style votes, moods, instruments, an energy level."""
    tags = [TAGS_BY_ID[i] for i in ids]
    styles: dict[str, float] = {}
    for tag in tags:
        vote = 1.0 if len(tag.styles) == 1 else 0.6
        for style in tag.styles:
            styles[style] = max(styles.get(style, 0.0), vote)
    energies = [t.energy for t in tags if t.energy is not None]
    return TagHints(
        styles=styles,
        moods=tuple(dict.fromkeys(t.mood for t in tags if t.mood)),
        instruments=tuple(dict.fromkeys(i for t in tags for i in t.instruments)),
        energy=energies[0] if energies else None,
        text=" ".join(t.name.lower() for t in tags),
    )
