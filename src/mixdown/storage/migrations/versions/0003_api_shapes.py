"""api shapes: which API shape submitted a job, and how its webhooks are formatted

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 09:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(
            sa.Column("api_shape", sa.String(length=16), nullable=False, server_default="native")
        )
    with op.batch_alter_table("webhook_deliveries") as batch:
        batch.add_column(sa.Column("format", sa.String(length=16), nullable=False, server_default="native"))


def downgrade() -> None:
    with op.batch_alter_table("webhook_deliveries") as batch:
        batch.drop_column("format")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("api_shape")
