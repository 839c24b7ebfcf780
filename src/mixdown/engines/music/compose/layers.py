"""The extra layers: counter-line or arpeggio at high energy, call-and-response fills, the vocal
line or vocal texture, and FX (a riser across each build, a swell into the drop).
"""

from __future__ import annotations

from mixdown.engines.music.compose.context import Context, Event
from mixdown.engines.music.theory import nearest


def arpeggio(ctx: Context, bars: list[int]) -> list[Event]:
    """Sixteenth arpeggios over the chord tones an octave above the keyboard voicings."""
    out: list[Event] = []
    for bar in bars:
        vel = int(52 + 40 * ctx.energy(bar))
        base = bar * ctx.spb
        for k, at in enumerate(range(base, base + ctx.spb)):
            voicing = ctx.span_at(at).voicing
            notes = [p + 12 for p in voicing] + [voicing[0] + 24]
            out.append((float(at), 0.8, notes[(k * 2 + k // 4) % len(notes)], vel + 8 * (k % 4 == 0)))
    return out


def guide_tones(ctx: Context, bars: list[int], low: int = 67, high: int = 84) -> list[Event]:
    """A slow counter-line on the chords' thirds and sevenths, moving by the smallest step."""
    out: list[Event] = []
    prev = (low + high) // 2
    if not bars:
        return out
    first, end = bars[0] * ctx.spb, (bars[-1] + 1) * ctx.spb
    for span in ctx.spans_between(first, end):
        chord = span.chord
        tones = (
            tuple(
                pc
                for pc in (
                    (chord.third, *tuple((chord.root + i) % 12 for i in chord.intervals if i in (10, 11)))
                )
                if pc is not None
            )
            or chord.pcs
        )
        pitch = nearest(prev, tones)
        pitch = pitch + 12 if pitch < low else pitch - 12 if pitch > high else pitch
        prev = pitch
        at = max(span.start, first)
        out.append(
            (float(at), float(min(span.end, end) - at) - 0.5, pitch, int(50 + 36 * ctx.energy(at // ctx.spb)))
        )
    return out


def responses(ctx: Context, lead: list[Event], bars: set[int]) -> list[Event]:
    """Answers in the lead's rests: its last three notes echoed a third higher in a gap of at
    least a beat (call and response)."""
    out: list[Event] = []
    beat = 4.0
    for i in range(2, len(lead) - 1):
        start, length, _, vel = lead[i]
        gap_start = start + length
        gap = lead[i + 1][0] - gap_start
        bar = int(gap_start // ctx.spb)
        if gap < beat or bar not in bars:
            continue
        at = gap_start + 1
        for k, (_, note_len, pitch, _) in enumerate(lead[i - 2 : i + 1]):
            span = ctx.span_at(at)
            echo = nearest(pitch + 4, span.chord.pcs + tuple(span.scale.pcs))
            dur = 1.0 if gap < ctx.spb / 2 else min(note_len, 2.0)
            if at + dur > lead[i + 1][0] - 1:
                break
            out.append((at, dur, echo, max(30, vel - 18 + 4 * k)))
            at += dur
    return out


def vocal_line(ctx: Context, lead: list[Event], low: int, high: int) -> list[Event]:
    """The lead made singable: no notes shorter than a sixteenth pair, legato to the next note,
    phrases moved by octaves into the voice's range."""
    kept = [e for e in lead if e[1] >= 1.5 or int(e[0]) % 4 == 0]
    out: list[Event] = []
    for i, (start, _length, pitch, vel) in enumerate(kept):
        nxt = kept[i + 1][0] if i + 1 < len(kept) else start + _length
        legato = nxt - start if nxt - start - _length <= 2 else _length  # breaths stay
        while pitch > high:
            pitch -= 12
        while pitch < low:
            pitch += 12
        out.append((start, max(1.0, legato - 0.1), pitch, vel))
    return out


def vocal_texture(ctx: Context, bars: list[int]) -> list[Event]:
    """Choir "aahs": the top two voices of each chord an octave up, held and soft."""
    out: list[Event] = []
    if not bars:
        return out
    first, end = bars[0] * ctx.spb, (bars[-1] + 1) * ctx.spb
    for span in ctx.spans_between(first, end):
        at = max(span.start, first)
        vel = int(44 + 30 * ctx.energy(at // ctx.spb))
        for pitch in span.voicing[-2:]:
            out.append(
                (float(at), float(min(span.end, end) - at) - 0.5, pitch + 12 if pitch < 67 else pitch, vel)
            )
    return out


def riser(ctx: Context, start_bar: int, end_bar: int, impact: bool) -> list[Event]:
    """A long FX note across a build and, if ``impact``, a low swell in its last bar into the drop."""
    out: list[Event] = []
    length = float((end_bar - start_bar) * ctx.spb)
    tonic = 72 + ctx.scale.tonic % 12
    out.append((float(start_bar * ctx.spb), length - 0.5, tonic, 70))
    if impact:
        out.append((float((end_bar - 1) * ctx.spb), float(ctx.spb) - 0.25, 48 + ctx.scale.tonic % 12, 90))
    return out
