"""Credit movements, each an atomic UPDATE plus a ledger row, inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mixdown.errors import InsufficientCredits, NotFound
from mixdown.jobs.cost import from_milli
from mixdown.storage.models import ApiKey, CreditEntry


def _ledger(
    session: Session,
    key_id: str,
    job_id: str | None,
    kind: str,
    milli: int,
    now: datetime,
    note: str | None = None,
) -> None:
    session.add(
        CreditEntry(key_id=key_id, job_id=job_id, kind=kind, amount_milli=milli, note=note, created_at=now)
    )


def reserve(session: Session, *, key_id: str, job_id: str, milli: int, now: datetime) -> None:
    """Move ``milli`` from the balance to reserved; 402 if the balance is short.

    The balance check and the debit are one UPDATE, so concurrent submits cannot
    spend the same credits twice and the balance never goes negative.
    """
    result = session.execute(
        update(ApiKey)
        .where(ApiKey.id == key_id, ApiKey.balance_milli >= milli)
        .values(balance_milli=ApiKey.balance_milli - milli, reserved_milli=ApiKey.reserved_milli + milli)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        available = session.scalar(select(ApiKey.balance_milli).where(ApiKey.id == key_id)) or 0
        raise InsufficientCredits(
            f"This job needs {from_milli(milli)} credits; {from_milli(available)} are available.",
            needed=from_milli(milli),
            available=from_milli(available),
        )
    _ledger(session, key_id, job_id, "reserve", -milli, now)


def settle(session: Session, *, key_id: str, job_id: str, reserved: int, charged: int, now: datetime) -> None:
    """Turn a reservation into spending; any part not charged goes back to the balance."""
    if reserved <= 0:
        return
    charged = min(charged, reserved)
    session.execute(
        update(ApiKey)
        .where(ApiKey.id == key_id)
        .values(
            reserved_milli=ApiKey.reserved_milli - reserved,
            spent_milli=ApiKey.spent_milli + charged,
            balance_milli=ApiKey.balance_milli + (reserved - charged),
        )
    )
    _ledger(session, key_id, job_id, "charge", -charged, now)
    if reserved > charged:
        _ledger(session, key_id, job_id, "refund", reserved - charged, now, "unused reservation")


def refund(session: Session, *, key_id: str, job_id: str, reserved: int, now: datetime, reason: str) -> None:
    """Give a whole reservation back (failed or cancelled job); recorded in the ledger."""
    if reserved <= 0:
        return
    session.execute(
        update(ApiKey)
        .where(ApiKey.id == key_id)
        .values(
            reserved_milli=ApiKey.reserved_milli - reserved, balance_milli=ApiKey.balance_milli + reserved
        )
    )
    _ledger(session, key_id, job_id, "refund", reserved, now, reason)


def grant(session: Session, *, key_id: str, milli: int, now: datetime) -> int:
    """Add (or with a negative amount, remove) credits; returns the new balance."""
    result = session.execute(
        update(ApiKey)
        .where(ApiKey.id == key_id, ApiKey.balance_milli + milli >= 0)
        .values(balance_milli=ApiKey.balance_milli + milli)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        if session.get(ApiKey, key_id) is None:
            raise NotFound(f"No API key {key_id!r}")
        raise InsufficientCredits("The balance cannot go below zero.")
    _ledger(session, key_id, None, "grant", milli, now)
    return int(session.scalar(select(ApiKey.balance_milli).where(ApiKey.id == key_id)) or 0)
