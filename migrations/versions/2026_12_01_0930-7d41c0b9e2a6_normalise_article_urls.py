"""normalise article urls

Revision ID: 7d41c0b9e2a6
Revises: 7d4b2e9c1f06
Create Date: 2026-12-01 09:30:00

Rules for every migration of this project:
- it must work with the previous release's code still running (add first, drop later);
- renames and drops ship in two releases;
- data migrations are separate revisions from schema changes;
- it must run on SQLite (batch mode) and PostgreSQL alike.

A data migration. Crawls now store ``url`` and ``canonical_url`` in the normal form of
``ingest.urls.normalise_url``; rows stored before keep the form they were written in (a
WordPress canonical URL with its trailing slash, a tracking parameter), and their next crawl
would add a second row under the normal form. This rewrites them. Where the normal form of a
row's canonical URL is already another row's, the two were one article stored twice before
this release: the row keeps its canonical URL (the next crawl updates the normalised one) and
the count is logged.
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ingest.urls import normalise_url

revision: str = "7d41c0b9e2a6"
down_revision: str | None = "7d4b2e9c1f06"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

logger = logging.getLogger("alembic.runtime.migration")

_ARTICLES = sa.table("articles", sa.column("id"), sa.column("url"), sa.column("canonical_url"))


def upgrade() -> None:
    connection = op.get_bind()
    # Only the rows that change are kept in memory: on an archive written by this project's
    # crawls almost none do.
    changed = []
    rows = connection.execute(
        sa.select(_ARTICLES.c.id, _ARTICLES.c.url, _ARTICLES.c.canonical_url),
        execution_options={"yield_per": 10_000},
    )
    for row_id, url, canonical in rows:
        if normalise_url(url) != url or normalise_url(canonical) != canonical:
            changed.append((row_id, url, canonical))
    claimed: set[str] = set()
    updates, kept = [], 0
    for row_id, url, canonical in changed:
        new_canonical = normalise_url(canonical)
        if new_canonical != canonical:
            taken = connection.scalar(
                sa.select(_ARTICLES.c.id).where(_ARTICLES.c.canonical_url == new_canonical)
            )
            if taken is not None or new_canonical in claimed:
                new_canonical, kept = canonical, kept + 1
            claimed.add(new_canonical)
        updates.append(
            {"row_id": row_id, "new_url": normalise_url(url), "new_canonical": new_canonical}
        )
    if updates:
        connection.execute(
            _ARTICLES.update()
            .where(_ARTICLES.c.id == sa.bindparam("row_id"))
            .values(url=sa.bindparam("new_url"), canonical_url=sa.bindparam("new_canonical")),
            updates,
        )
    logger.info(
        "normalised the URLs of %d articles; %d kept their canonical URL, whose normal form"
        " another row already has",
        len(updates),
        kept,
    )


def downgrade() -> None:
    # The forms the URLs had before are not kept anywhere; the normal form is valid for the
    # previous release's code too, so there is nothing to undo.
    pass
