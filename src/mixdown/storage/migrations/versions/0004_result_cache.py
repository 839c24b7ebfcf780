"""result cache: a deterministic job's cache key

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("cache_key", sa.String(length=64), nullable=True))
    op.create_index("ix_jobs_cache", "jobs", ["cache_key", "status"])


def downgrade() -> None:
    op.drop_index("ix_jobs_cache", table_name="jobs")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("cache_key")
