"""boilerplate_paragraphs: paragraphs learned as boilerplate of a site's edition

Revision ID: 9d4b6e2f1a73
Revises: 7d41c0b9e2a6
Create Date: 2026-12-01 09:40:00

A new table only (see ``ingest.storage.boilerplate``): code that does not know it keeps
working. ``edition`` is "" on sites without editions, so that the unique key on
(site, edition, digest) holds on SQLite and PostgreSQL alike (NULLs never collide).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9d4b6e2f1a73"
down_revision: str | None = "7d41c0b9e2a6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "boilerplate_paragraphs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("site", sa.String(64), nullable=False),
        sa.Column("edition", sa.String(64), nullable=False),
        sa.Column("digest", sa.String(16), nullable=False),
        sa.Column("articles", sa.Integer(), nullable=False),
        sa.Column("out_of", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(16), nullable=False),
        sa.Column("sample", sa.Text(), nullable=False),
        sa.Column("learned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recleaned", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_boilerplate_paragraphs"),
        sa.UniqueConstraint(
            "site", "edition", "digest", name="uq_boilerplate_paragraphs_site_edition_digest"
        ),
    )


def downgrade() -> None:
    op.drop_table("boilerplate_paragraphs")
