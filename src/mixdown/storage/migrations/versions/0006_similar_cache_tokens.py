"""similar-prompt cache and token limits: a job's similar key, prompt embedding and token id

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("similar_key", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("prompt_embedding", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("token_id", sa.String(length=32), nullable=True))
    op.create_index("ix_jobs_similar", "jobs", ["similar_key", "status"])
    op.create_index("ix_jobs_token", "jobs", ["token_id"])


def downgrade() -> None:
    op.drop_index("ix_jobs_token", table_name="jobs")
    op.drop_index("ix_jobs_similar", table_name="jobs")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("token_id")
        batch.drop_column("prompt_embedding")
        batch.drop_column("similar_key")
