"""crawl_runs: the run's verdict and its reason, and the process that ran it

Revision ID: 7d41e0b9c2a6
Revises: 9d4b6e2f1a73
Create Date: 2026-12-01 10:00:00

Rules for every migration of this project:
- it must work with the previous release's code still running (add first, drop later);
- renames and drops ship in two releases;
- data migrations are separate revisions from schema changes;
- it must run on SQLite (batch mode) and PostgreSQL alike.

- ``verdict``, ``verdict_reason``: "healthy", "unhealthy" or "killed" and why
  (``ingest.health``); the crawl's exit status follows the verdict.
- ``pid``, ``host``: the crawl's process, so that the next run on that host can tell a run
  that is still going from one that was killed (its process is gone) and mark it.
All nullable: rows of earlier runs have none of these.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7d41e0b9c2a6"
down_revision: str | None = "9d4b6e2f1a73"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        batch.add_column(sa.Column("verdict", sa.String(16), nullable=True))
        batch.add_column(sa.Column("verdict_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("host", sa.String(255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_column("host")
        batch.drop_column("pid")
        batch.drop_column("verdict_reason")
        batch.drop_column("verdict")
