"""Hand-written lyrics for the lyrics tests: one song that meets AABB at 8 syllables, and replies
an OpenAI-compatible chat server might send."""

from __future__ import annotations

from mixdown.engines.lyrics.song import Section, Song

VERSE_1 = (
    "The summer sun is shining bright",
    "We drive along the coast tonight",
    "The radio is playing loud",
    "We sing together with the crowd",
)
CHORUS = (
    "Oh take me where the rivers flow",
    "And hold me close and don't let go",
    "The ocean calls us from the shore",
    "We never wanted something more",
)
VERSE_2 = (
    "Our hearts are open to the breeze",
    "We ride between the swaying trees",
    "We chase the sunset down the line",
    "And every mile feels like mine",
)
KINDS = ("verse", "chorus", "verse", "chorus")


def good_song() -> Song:
    """Verse, chorus, verse, chorus: AABB, 8 syllables a line (one has 9)."""
    return Song(
        (
            Section("verse", "Verse 1", VERSE_1),
            Section("chorus", "Chorus", CHORUS),
            Section("verse", "Verse 2", VERSE_2),
            Section("chorus", "Chorus", CHORUS),
        )
    )


def reply_text(*, repeat_marker: bool = False, decorated: bool = False) -> str:
    """The good song as a chat model might write it: tags, blank lines, maybe markdown around."""
    second_chorus = "(Repeat chorus)" if repeat_marker else "\n".join(CHORUS)
    parts = [
        ("Verse 1", "\n".join(VERSE_1)),
        ("Chorus", "\n".join(CHORUS)),
        ("Verse 2", "\n".join(VERSE_2)),
        ("Chorus", second_chorus),
    ]
    tag = "**[{}]**" if decorated else "[{}]"
    body = "\n\n".join(f"{tag.format(name)}\n{lines}" for name, lines in parts)
    return f"<think>Summer, road, rhymes.</think>\n```\n{body}\n```" if decorated else body
