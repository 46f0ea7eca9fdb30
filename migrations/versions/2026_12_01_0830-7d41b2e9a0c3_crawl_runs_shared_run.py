"""crawl_runs.shared_run: the shared run a worker's crawl belonged to

Revision ID: 7d41b2e9a0c3
Revises: c3a7e91f5b22
Create Date: 2026-12-01 08:30:00

Several workers on one Redis queue make one crawl with one row each; this column names the
crawl they shared (empty for a crawl of its own), so its rows can be read together.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7d41b2e9a0c3"
down_revision: str | None = "c3a7e91f5b22"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        batch.add_column(sa.Column("shared_run", sa.String(64), nullable=True))
        batch.create_index("ix_crawl_runs_shared_run", ["shared_run"])


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_index("ix_crawl_runs_shared_run")
        batch.drop_column("shared_run")
