"""Identifiers: a short prefix that says what the thing is, then random URL-safe text."""

from __future__ import annotations

import secrets


def new_id(prefix: str, nbytes: int = 12) -> str:
    """A new id such as ``job_3kq0V...``."""
    return f"{prefix}_{secrets.token_urlsafe(nbytes).replace('-', 'x').replace('_', 'y')}"
