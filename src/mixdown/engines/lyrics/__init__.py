"""Lyrics: an embedded writer (grammar, word bank, CMUdict rhymes, MiniLM theme words) and a
client for any OpenAI-compatible chat server, both checked the same way.

Modules: ``pronounce`` (CMUdict syllables and rhymes), ``bank`` (word lists and line templates
in ``data/``), ``theme`` (prompt similarity of the bank's words), ``grammar`` (filling a template
to a syllable count), ``compose`` (the embedded writer), ``structure`` (sections and rhyme
letters), ``song`` (the written song), ``check`` (the report), ``chat`` and ``prompting`` (the
chat engine), ``writer`` (either engine, one JSON body), ``engines`` (``GET /v1/models`` entries).
"""

from mixdown.engines.lyrics.writer import LyricsSpec, Written, write_embedded, write_with_chat

__all__ = ["LyricsSpec", "Written", "write_embedded", "write_with_chat"]
