"""A lyric line spoken by Festival, with where every phone of every syllable of every word lies.

The line goes to the warm Festival process of the voice (:mod:`mixdown.engines.tts.festival`)
as plain text of its sung words; a Scheme function of ours synthesises it, saves the wave and
prints each token's syllables and their segments (phone name, start, end, vowel, consonant
voicing) from Festival's own utterance structure. So the times are exactly those of the audio,
with no aligner in between. A token that does not come back as one word (Festival tokenises on
its own) makes the line be spoken word by word instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from mixdown.engines.tts.festival import FestivalError, festival_pool, scheme_string
from mixdown.engines.tts.text import ascii_text
from mixdown.errors import TaskError

# Prints "SEG name start end vc cvox" per segment, "SYL" after each syllable, "TOK" after each token.
SCHEME = r"""(define (mixdown_sing_line text out)
  (let ((utt (utt.synth (eval (list 'Utterance 'Text text)))))
    (utt.save.wave utt out 'riff)
    (mapcar
      (lambda (token)
        (mapcar
          (lambda (word)
            (mapcar
              (lambda (syl)
                (mapcar
                  (lambda (seg)
                    (format t "SEG %s %f %f %s %s\n" (item.name seg) (item.feat seg "segment_start")
                      (item.feat seg "end") (item.feat seg "ph_vc") (item.feat seg "ph_cvox")))
                  (item.daughters syl))
                (format t "SYL\n"))
              (item.daughters (item.relation word 'SylStructure))))
          (item.daughters token))
        (format t "TOK\n"))
      (utt.relation.items utt 'Token))
    t))"""
_SEG = re.compile(r"^SEG (\S+) ([-0-9.e]+) ([-0-9.e]+) (\S+) (\S+)\s*$")
_NOT_WORD = re.compile(r"[^a-z']+")


@dataclass(frozen=True)
class Phone:
    """One segment of the spoken line (seconds into its audio)."""

    name: str
    start: float
    end: float
    vowel: bool
    voiced: bool


Word = tuple[tuple[Phone, ...], ...]  # a word's syllables, each a run of phones


@dataclass(frozen=True)
class SpokenLine:
    """Mono float64 speech and, per sung word, its syllables' phones."""

    samples: np.ndarray
    sample_rate: int
    words: tuple[Word, ...]


def clean_word(word: str) -> str:
    """A sung word as Festival should read it: ASCII letters and apostrophes, never empty.

    Examples
    --------
    >>> clean_word("Café"), clean_word("'cause"), clean_word("...")
    ('cafe', "'cause", 'la')
    """
    text = _NOT_WORD.sub("", ascii_text(word).lower())
    return text if text.strip("'") else "la"


def parse_structure(output: str) -> list[Word]:
    """Festival's printout as words -> syllables -> phones.

    Examples
    --------
    >>> out = "SEG hh 0.1 0.2 - -\\nSEG ay 0.2 0.4 + 0\\nSYL\\nTOK\\n"
    >>> parse_structure(out)[0][0][1]
    Phone(name='ay', start=0.2, end=0.4, vowel=True, voiced=True)
    """
    words: list[Word] = []
    syllables: list[tuple[Phone, ...]] = []
    phones: list[Phone] = []
    for line in output.splitlines():
        text = line.strip()
        match = _SEG.match(text)
        if match:
            name, start, end, vc, cvox = match.groups()
            vowel = vc == "+"
            phones.append(Phone(name, float(start), float(end), vowel, vowel or cvox == "+"))
        elif text == "SYL":
            syllables.append(tuple(phones))
            phones = []
        elif text == "TOK":
            words.append(tuple(syllables))
            syllables = []
    return words


def _say(voice: str, text: str, out: Path) -> str:
    """Run our Scheme function in the voice's warm Festival; its printout."""
    command = f"{SCHEME}\n(mixdown_sing_line {scheme_string(text)} {scheme_string(str(out))})"
    try:
        return festival_pool().process(voice).call(command)
    except FestivalError as exc:
        raise TaskError(f"Festival ({voice}) could not speak {text[:60]!r}: {exc}") from exc


def _read(out: Path) -> tuple[np.ndarray, int]:
    if not out.is_file() or out.stat().st_size <= 44:
        raise TaskError(f"Festival wrote no audio to {out.name}")
    samples, rate = sf.read(out, dtype="float64", always_2d=True)
    return samples.mean(axis=1), int(rate)


def _shifted(word: Word, offset: float) -> Word:
    return tuple(
        tuple(Phone(p.name, p.start + offset, p.end + offset, p.vowel, p.voiced) for p in syllable)
        for syllable in word
    )


def _word_by_word(voice: str, words: list[str], folder: Path) -> SpokenLine:
    """Each word spoken alone and the pieces joined: for lines Festival tokenises differently."""
    pieces, found, rate, offset = [], [], 0, 0.0
    for index, word in enumerate(words):
        out = folder / f"word-{index}.wav"
        parsed = parse_structure(_say(voice, word, out))
        samples, rate = _read(out)
        syllables = tuple(s for w in parsed for s in w) or (
            (Phone("ax", 0.0, len(samples) / rate, True, True),),
        )
        found.append(_shifted(syllables, offset))
        pieces.append(samples)
        offset += len(samples) / rate
    return SpokenLine(np.concatenate(pieces), rate, tuple(found))


def speak_line(voice: str, words: list[str], folder: Path, name: str = "line") -> SpokenLine:
    """Festival voice ``voice`` (its engine name) speaking ``words``, with their structure.

    Examples
    --------
    >>> import tempfile
    >>> line = speak_line("kal_diphone", ["hello", "world"], Path(tempfile.mkdtemp()))
    >>> [[[p.name for p in s] for s in w] for w in line.words]
    [[['hh', 'ax'], ['l', 'ow']], [['w', 'er', 'l', 'd']]]
    """
    cleaned = [clean_word(w) for w in words]
    out = folder / f"{name}.wav"
    parsed = parse_structure(_say(voice, " ".join(cleaned), out))
    if len(parsed) != len(cleaned) or any(not w for w in parsed):
        return _word_by_word(voice, cleaned, folder)
    samples, rate = _read(out)
    return SpokenLine(samples, rate, tuple(parsed))
