"""key quotas: a plan per key and the key's own limits

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 10:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("plan", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("quotas", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("quotas")
        batch.drop_column("plan")
