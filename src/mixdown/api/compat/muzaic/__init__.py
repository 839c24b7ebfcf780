"""Muzaic drop-in API (``api_shape`` "muzaic"): root paths, key in ``MuzaicAPI-Secret-Key``.

Muzaic answers synchronously, so each call submits ordinary ``generate`` jobs (credits, limits and
history as ``POST /v1/generate``), waits for them (``service.waiting``) and answers Muzaic's JSON:

- ``POST /singleFile``: one job; ``{apiVersion, mp3, hash, motiveId, status, tokensUsed,
  executionTime}``.
- ``POST /soundtrack``: one job per region, assembled on a timeline (``service.soundtrack``).
- ``POST /audioFromHash``: the stored MP3 of a hash, or the piece regenerated exactly.
- ``GET /getTags``, ``GET /accountDetails`` (1 token = 1 second of generated music).
- ``GET /result/{day}/{id}.mp3``: the MP3s those answers link to. Like Muzaic's, these URLs need no
  key; only results made through this shape are served, by their unguessable ids.

Errors are Muzaic's ``{"Error": message}`` (plus ``field``), 400 for a bad request. Muzaic has no
webhooks, so there is no ``WEBHOOK_FORMAT``.
"""

from mixdown.api.compat.muzaic.routes import API_VERSION, SHAPE, install, muzaic_error, router

__all__ = ["API_VERSION", "SHAPE", "install", "muzaic_error", "router"]
