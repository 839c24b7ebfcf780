"""Singing over an instrumental: lyrics in, a sung vocal and the song out (see docs/sing.md).

Modules, in the order a song goes through them: ``lyrics`` (tags, lines, words), ``syllables``
(maximal onset and stress on the shared CMU dictionary, :mod:`mixdown.engines.text.cmu`),
``instrumental`` + ``structure`` (beats, bars, key, chords, sections; chords from
:mod:`mixdown.engines.keybpm.chords`), ``placement`` (lines onto bars),
``melody`` (one note per syllable), ``speech`` (Festival with segment times), ``timing`` (phones
onto notes), ``render`` (WORLD re-timing and re-pitching), ``vocal`` (the vocal track), ``mix``
(vocal chain and mix), ``midi``; ``style`` reads the prompt, ``voices`` lists who can sing, and
``pipeline.sing`` runs it all (``pipeline.sing_vocal`` sings the vocal alone: text-to-music mixes
it into the piece's stems before mastering, :mod:`mixdown.engines.music.sung`).
"""

from mixdown.engines.singing.instrumental import Instrumental, analyse_instrumental
from mixdown.engines.singing.lyrics import LyricSection, parse_lyrics
from mixdown.engines.singing.pipeline import SungSong, WordTiming, sing
from mixdown.engines.singing.style import SingingStyle, read_style
from mixdown.engines.singing.voices import choose_voice, singing_voices

__all__ = [
    "Instrumental",
    "LyricSection",
    "SingingStyle",
    "SungSong",
    "WordTiming",
    "analyse_instrumental",
    "choose_voice",
    "parse_lyrics",
    "read_style",
    "sing",
    "singing_voices",
]
