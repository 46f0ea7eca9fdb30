"""read-side indexes: articles.url, and (site, edition) and (site, section)

Revision ID: c3a7e91f5b22
Revises: 5c2e1d7a9b30
Create Date: 2026-11-25 23:10:00

- ``url``: a crawl looks discovered URLs up among the stored ones (to skip known articles
  not due a visit), and ``ingest show URL`` finds an article by the URL it was fetched
  from; only ``canonical_url`` was indexed.
- ``(site, edition)``, ``(site, section)``: ``ingest stats`` counts articles per site and
  edition or section; with these it reads two small indexes instead of every row of a table
  whose rows carry whole articles.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c3a7e91f5b22"
down_revision: str | None = "5c2e1d7a9b30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_articles_url", "articles", ["url"])
    op.create_index("ix_articles_site_edition", "articles", ["site", "edition"])
    op.create_index("ix_articles_site_section", "articles", ["site", "section"])


def downgrade() -> None:
    op.drop_index("ix_articles_site_section", table_name="articles")
    op.drop_index("ix_articles_site_edition", table_name="articles")
    op.drop_index("ix_articles_url", table_name="articles")
