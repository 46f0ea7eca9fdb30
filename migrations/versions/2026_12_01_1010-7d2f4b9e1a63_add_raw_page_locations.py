"""add raw page locations to articles and revisions, and why a revision was made

Revision ID: 7d2f4b9e1a63
Revises: 7d41e0b9c2a6
Create Date: 2026-12-01 10:10:00

Rules for every migration of this project:
- it must work with the previous release's code still running (add first, drop later);
- renames and drops ship in two releases;
- data migrations are separate revisions from schema changes;
- it must run on SQLite (batch mode) and PostgreSQL alike.

Each article and revision points at the WARC record of the page it was made from (file name
inside ``INGEST_RAW_DIR``, offset and length of the record's gzip member) and keeps the page's
payload digest, so that a re-fetch of the same page is written as a ``revisit``. All nullable:
rows stored before this revision, or with the raw store off, have no page.

``article_revisions.reason`` says why a version was replaced: ``edit`` (a crawl found the site
changed it, the only reason before this revision) or ``reextract`` (``ingest reextract``
made it again from the same page with newer code).

Plain ``add_column``, not batch mode: SQLite adds columns in place, and a batch copy of
``articles`` would drop the full-text triggers that live on it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7d2f4b9e1a63"
down_revision: str | None = "7d41e0b9c2a6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("articles", "article_revisions")


def upgrade() -> None:
    for table in _TABLES:
        op.add_column(table, sa.Column("warc_file", sa.String(length=255), nullable=True))
        op.add_column(table, sa.Column("warc_offset", sa.BigInteger(), nullable=True))
        op.add_column(table, sa.Column("warc_length", sa.Integer(), nullable=True))
        op.add_column(table, sa.Column("warc_digest", sa.String(length=64), nullable=True))
    op.add_column(
        "article_revisions",
        sa.Column("reason", sa.String(length=16), server_default="edit", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("article_revisions", "reason")
    for table in reversed(_TABLES):
        for column in ("warc_digest", "warc_length", "warc_offset", "warc_file"):
            op.drop_column(table, column)
