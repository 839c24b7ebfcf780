"""Vendor API shapes: one module per vendor (MusicGPT, MusicAPI, Muzaic), translating to native tasks.

A module may expose ``router`` (mounted by the app factory), ``ERROR_SHAPE`` with its path prefix,
and ``WEBHOOK_FORMAT`` (``mixdown.webhooks.formats``) for jobs it submits with its ``api_shape``.
"""
