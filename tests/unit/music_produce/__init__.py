"""Tests of the music producer, MIDI export and quality report."""
