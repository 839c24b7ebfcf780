"""Theory: scales and modes, Roman numerals, chord symbols and voice leading."""

from __future__ import annotations

import pytest

from mixdown.engines.music.theory import (
    MODES,
    Scale,
    TheoryError,
    chord_symbol,
    nearest,
    normalise_mode,
    parse_numeral,
    pitch_class,
    voice,
)

C_MAJOR = Scale.of(0, "major")
A_MINOR = Scale.of(9, "minor")


@pytest.mark.parametrize(
    ("mode", "pcs"),
    [
        ("major", {0, 2, 4, 5, 7, 9, 11}),
        ("minor", {0, 2, 3, 5, 7, 8, 10}),
        ("dorian", {0, 2, 3, 5, 7, 9, 10}),
        ("phrygian", {0, 1, 3, 5, 7, 8, 10}),
        ("lydian", {0, 2, 4, 6, 7, 9, 11}),
        ("mixolydian", {0, 2, 4, 5, 7, 9, 10}),
        ("locrian", {0, 1, 3, 5, 6, 8, 10}),
        ("harmonic_minor", {0, 2, 3, 5, 7, 8, 11}),
        ("Aeolian", {0, 2, 3, 5, 7, 8, 10}),
    ],
)
def test_modes(mode: str, pcs: set[int]) -> None:
    assert Scale.of(0, mode).pcs == pcs


def test_unknown_mode_is_named() -> None:
    with pytest.raises(TheoryError, match="bebop"):
        normalise_mode("bebop")


def test_pentatonic_and_blues_keep_a_seven_note_parent() -> None:
    penta = Scale.of(9, "minor_pentatonic")
    assert len(penta.intervals) == 7 and penta.melodic == (0, 2, 3, 4, 6)
    assert Scale.of(0, "blues").intervals == MODES["dorian"]


def test_scale_index_round_trip() -> None:
    scale = Scale.of(2, "dorian")
    for index in range(20, 60):
        assert scale.index(scale.pitch(index)) == index
    assert scale.pitch(35) == 62  # degree 0 in octave 5 is D4


def test_pitch_class_names() -> None:
    assert [pitch_class(n) for n in ("C", "C#", "Db", "Bb", "B#", "e")] == [0, 1, 1, 10, 0, 4]
    with pytest.raises(TheoryError, match="H"):
        pitch_class("H")


@pytest.mark.parametrize(
    ("numeral", "scale", "symbol", "pcs"),
    [
        ("I", C_MAJOR, "C", {0, 4, 7}),
        ("ii7", C_MAJOR, "Dm7", {2, 5, 9, 0}),
        ("V7", C_MAJOR, "G7", {7, 11, 2, 5}),
        ("Imaj7", C_MAJOR, "Cmaj7", {0, 4, 7, 11}),
        ("IV/5", C_MAJOR, "F/G", {5, 9, 0}),
        ("vii", C_MAJOR, "Bdim", {11, 2, 5}),
        ("viiø7", C_MAJOR, "Bm7b5", {11, 2, 5, 9}),
        ("bVI", C_MAJOR, "Ab", {8, 0, 3}),
        ("bVII", C_MAJOR, "Bb", {10, 2, 5}),
        ("V/V", C_MAJOR, "D", {2, 6, 9}),
        ("V7/IV", C_MAJOR, "C7", {0, 4, 7, 10}),
        ("Isus2", C_MAJOR, "Csus2", {0, 2, 7}),
        ("I5", C_MAJOR, "C5", {0, 7}),
        ("i", A_MINOR, "Am", {9, 0, 4}),
        ("III", A_MINOR, "C", {0, 4, 7}),
        ("VI", A_MINOR, "F", {5, 9, 0}),
        ("VII", A_MINOR, "G", {7, 11, 2}),
        ("V", A_MINOR, "E", {4, 8, 11}),
        ("ii", A_MINOR, "Bdim", {11, 2, 5}),
        ("bII", A_MINOR, "Bb", {10, 2, 5}),
        ("i9", A_MINOR, "Am9", {9, 0, 4, 7, 11}),
    ],
)
def test_roman_numerals(numeral: str, scale: Scale, symbol: str, pcs: set[int]) -> None:
    chord = parse_numeral(numeral, scale)
    assert chord.symbol == symbol
    assert set(chord.pcs) == pcs


def test_inversion_puts_the_fifth_in_the_bass() -> None:
    chord = parse_numeral("I64", C_MAJOR)
    assert chord.bass == 7 and chord.symbol == "C/G"


@pytest.mark.parametrize("bad", ["X", "V7z", "IIII", "", "v/q"])
def test_unknown_numeral_error_names_it(bad: str) -> None:
    with pytest.raises(TheoryError, match="roman numeral"):
        parse_numeral(bad, C_MAJOR)


def test_chord_symbol_spelling() -> None:
    assert chord_symbol(10, (0, 4, 7, 10), 10, flats=True) == "Bb7"
    assert chord_symbol(9, (0, 3, 7, 10, 14), 9) == "Am9"


def test_voicing_stays_in_register_and_moves_little() -> None:
    progression = ["I", "vi", "IV", "V7", "I", "iii", "ii7", "V", "I"]
    prev = None
    movements = []
    for numeral in progression:
        chord = parse_numeral(numeral, C_MAJOR)
        voicing = voice(chord, prev, low=52, high=79, voices=4)
        assert all(52 <= p <= 79 for p in voicing)
        assert {p % 12 for p in voicing} <= set(chord.pcs)
        assert len(set(voicing)) == len(voicing)
        if prev is not None:
            movements.append(sum(abs(a - b) for a, b in zip(voicing, prev, strict=True)) / 4)
        prev = voicing
    assert sum(movements) / len(movements) < 2.5


def test_voicing_keeps_the_third_and_seventh() -> None:
    chord = parse_numeral("V13", C_MAJOR)
    voicing = voice(chord, None, voices=4)
    pcs = {p % 12 for p in voicing}
    assert {11, 5} <= pcs  # B and F define G13


def test_nearest() -> None:
    assert nearest(61, (0,)) == 60
    assert nearest(66, (0, 7)) == 67
    assert nearest(66, (0, 6)) == 66
