"""index articles.url

Revision ID: 8d4f6b2a1c07
Revises: 5c2e1d7a9b30
Create Date: 2026-11-25 23:10:00

A crawl looks discovered URLs up among the stored ones (to skip known articles that are not
due for a visit), and ``ingest show URL`` finds an article by the URL it was fetched from:
both by ``url`` as well as by ``canonical_url``, which was the only one indexed.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "8d4f6b2a1c07"
down_revision: str | None = "5c2e1d7a9b30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_articles_url", "articles", ["url"])


def downgrade() -> None:
    op.drop_index("ix_articles_url", table_name="articles")
