"""The stem names a request may ask for, and which engine serves which.

The names are MusicGPT's Extraction list plus ``other``. Each engine splits a mixture into its
own *sources* (the embedded separator: drums, bass, vocals, rest; Demucs: drums, bass, other,
vocals, and guitar and piano in ``htdemucs_6s``; an exact generation: its parts and drum notes).
A requested stem is a set of those sources:

- ``instrumental`` is every source but the vocals;
- ``other`` is every source no other requested stem (``instrumental`` aside) takes, so the
  requested stems plus ``other`` add up to the mixture;
- a name an engine has no source for is refused (422 naming ``stems``), never approximated by a
  neighbouring stem.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from mixdown.errors import ValidationFailed

VOCALS = "vocals"
INSTRUMENTAL = "instrumental"
OTHER = "other"

STEM_NAMES: tuple[str, ...] = (
    "vocals",
    "instrumental",
    "drums",
    "bass",
    "other",
    "piano",
    "keys",
    "guitar",
    "strings",
    "winds",
    "male_vocal",
    "female_vocal",
    "lead_vocal",
    "back_vocal",
    "rhythm_guitar",
    "solo_guitar",
    "acoustic_guitar",
    "electric_guitar",
    "kick_drum",
    "snare_drum",
    "toms",
    "hi_hat",
    "ride",
    "crash",
)
"""Every stem name a request may use (MusicGPT's list plus ``other``)."""

# Spellings clients use for the same stem.
ALIASES = {
    "vocal": "vocals",
    "voice": "vocals",
    "accompaniment": "instrumental",
    "instrumentals": "instrumental",
    "music": "instrumental",
    "drum": "drums",
    "percussion": "drums",
    "keyboard": "keys",
    "keyboards": "keys",
    "piano/keys": "keys",
    "guitars": "guitar",
    "kick": "kick_drum",
    "snare": "snare_drum",
    "hihat": "hi_hat",
    "hi-hat": "hi_hat",
    "hats": "hi_hat",
    "backing_vocal": "back_vocal",
    "backing_vocals": "back_vocal",
    "lead_vocals": "lead_vocal",
    "wind": "winds",
    "brass": "winds",
}


def canonical(name: str) -> str:
    """The stem name ``name`` stands for (case, spaces and aliases folded); 422 if unknown.

    Examples
    --------
    >>> canonical(" Hi-Hat "), canonical("Vocals"), canonical("kick drum")
    ('hi_hat', 'vocals', 'kick_drum')
    """
    key = name.strip().lower().replace(" ", "_")
    key = ALIASES.get(key, key)
    if key not in STEM_NAMES:
        raise ValidationFailed(
            f"stems: unknown stem {name!r}; use some of {', '.join(STEM_NAMES)}", field="stems"
        )
    return key


def parse_stems(names: Iterable[str]) -> tuple[str, ...]:
    """The requested stem names, canonical, duplicates dropped, in request order (422 if empty).

    Examples
    --------
    >>> parse_stems(["Drums", "vocal", "drums"])
    ('drums', 'vocals')
    """
    out: list[str] = []
    for name in names:
        key = canonical(name)
        if key not in out:
            out.append(key)
    if not out:
        raise ValidationFailed("stems: name at least one stem", field="stems")
    return tuple(out)


def refuse(stems: Sequence[str], engine: str, served: Iterable[str], why: str = "") -> None:
    """422 naming ``stems`` when ``engine`` serves some of ``stems`` not; otherwise nothing."""
    allowed = set(served)
    missing = [s for s in stems if s not in allowed]
    if missing:
        reason = f" ({why})" if why else ""
        raise ValidationFailed(
            f"stems: the {engine} engine cannot extract {', '.join(missing)}{reason}; it serves "
            f"{', '.join(s for s in STEM_NAMES if s in allowed)}",
            field="stems",
        )


def assign(stems: Sequence[str], sources: Sequence[str], groups: dict[str, set[str]]) -> dict[str, set[str]]:
    """The sources of each requested stem; ``groups`` gives each named stem's sources.

    ``instrumental`` takes every source but the vocals; ``other`` takes what no other requested
    stem (``instrumental`` aside) takes.

    Examples
    --------
    >>> groups = {"drums": {"drums"}, "vocals": {"vocals"}, "bass": {"bass"}}
    >>> got = assign(["vocals", "other", "instrumental"], ["drums", "bass", "rest", "vocals"], groups)
    >>> sorted(got["other"]), sorted(got["instrumental"])
    (['bass', 'drums', 'rest'], ['bass', 'drums', 'rest'])
    """
    vocal_sources = groups.get(VOCALS, set())
    out: dict[str, set[str]] = {}
    for stem in stems:
        if stem == INSTRUMENTAL:
            out[stem] = {s for s in sources if s not in vocal_sources}
        elif stem != OTHER:
            out[stem] = set(groups[stem])
    if OTHER in stems:
        taken = set().union(*(v for k, v in out.items() if k != INSTRUMENTAL))
        out[OTHER] = {s for s in sources if s not in taken}
    return {stem: out[stem] for stem in stems}
