"""The singer's view of a piece the music engine composed: read from its Score, not its audio.

Text-to-music with lyrics knows its own piece exactly: tempo, meter, bars, chords, form and mode
are in the :class:`~mixdown.engines.music.score.Score`. :func:`instrumental_from_score` turns
them into the :class:`~mixdown.engines.singing.instrumental.Instrumental` the placement and the
melody work on, so :func:`mixdown.engines.singing.pipeline.sing_over` can sing over the rendered
piece with no analysis and no analysis errors. Section loudness is the score's section energy
(0..1) spread over 30 dB, which only needs to rank the sections.
"""

from __future__ import annotations

from mixdown.engines.keybpm.chords import ChordSpan
from mixdown.engines.music.score import ChordEvent, Score
from mixdown.engines.music.theory import Scale
from mixdown.engines.singing.instrumental import Bar, Instrumental
from mixdown.engines.singing.structure import AudioSection

_ENERGY_RANGE_DB = 30.0


def _quality(event: ChordEvent) -> str:
    """major or minor from the voicing's third above the root (major without one)."""
    classes = {p % 12 for p in event.pitches}
    minor = (event.root + 3) % 12 in classes and (event.root + 4) % 12 not in classes
    return "minor" if minor else "major"


def _bars(score: Score) -> tuple[Bar, ...]:
    beats_per_bar = max(1, round(score.meter[0] * 4 / score.meter[1]))
    beat = score.bar_seconds / beats_per_bar
    count = int(score.metadata.get("bars") or (score.duration // score.bar_seconds))
    return tuple(
        Bar(
            tuple(index * score.bar_seconds + k * beat for k in range(beats_per_bar)),
            (index + 1) * score.bar_seconds,
        )
        for index in range(count)
        if (index + 1) * score.bar_seconds <= score.duration + 1e-6
    )


def instrumental_from_score(score: Score) -> Instrumental:
    """Bars, chords, key (with the mode's own scale) and sections of a composed piece.

    Examples
    --------
    >>> from mixdown.engines.music.score import Section
    >>> chords = [ChordEvent(start=0.0, end=4.0, symbol="Am", root=9, pitches=(57, 60, 64))]
    >>> form = [Section(name="verse", start_bar=0, bars=2, start=0.0, end=4.0, energy=0.5)]
    >>> score = Score(bpm=120, meter=(4, 4), key_tonic=9, mode="minor", duration=4.5, sections=form,
    ...               chords=chords, parts=[])
    >>> song = instrumental_from_score(score)
    >>> len(song.bars), song.bars[1].beats, song.chords[0].symbol, song.scale
    (2, (2.0, 2.5, 3.0, 3.5), 'Am', 'minor')
    >>> sorted(song.scale_classes()) == sorted((9 + s) % 12 for s in (0, 2, 3, 5, 7, 8, 10))
    True
    """
    scale = Scale.of(score.key_tonic, score.mode)
    bars = _bars(score)
    chords = tuple(ChordSpan(c.start, c.end, c.root, _quality(c)) for c in score.chords)
    sections = tuple(
        AudioSection(s.start_bar, min(s.bars, len(bars) - s.start_bar), _ENERGY_RANGE_DB * (s.energy - 1.0))
        for s in score.sections
        if s.start_bar < len(bars)
    )
    return Instrumental(
        duration=score.duration,
        bpm=score.bpm,  # quarter notes per minute, as the bars' beats
        beats_per_bar=len(bars[0].beats) if bars else 4,
        tonic=score.key_tonic,
        scale="minor" if scale.is_minor else "major",
        bars=bars,
        chords=chords,
        sections=sections,
        scale_steps=scale.intervals,
    )
