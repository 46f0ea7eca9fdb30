"""The write side: store an extracted article, idempotently, keyed by its canonical URL."""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ingest.storage.models import Article

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: Columns a re-crawl may change; ``first_seen_at`` and ``id`` never change after insert.
CONTENT_COLUMNS = (
    "url",
    "site",
    "edition",
    "language",
    "section",
    "title",
    "lead",
    "text",
    "authors",
    "published_at",
    "modified_at",
    "tags",
    "image_url",
    "image_caption",
)


class Outcome(enum.StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def content_hash(title: str, text: str) -> str:
    """Return the sha256 of what a reader sees: a changed hash means the article was edited."""
    return hashlib.sha256(f"{title}\n\n{text}".encode()).hexdigest()


def upsert_article(
    session: Session, values: dict[str, Any], seen_at: datetime, *, primary: bool = True
) -> Outcome:
    """Insert the article, or bring its row up to date; return what happened.

    ``values`` holds ``canonical_url`` and the ``CONTENT_COLUMNS``. The caller owns the
    transaction. A row whose content hash is unchanged only gets its ``last_seen_at`` moved,
    so crawling the same site twice adds and rewrites nothing. A page that is not
    ``primary`` (an AMP twin, a mirror under another path) is stored only when the article
    is not stored yet: the canonical page's own content wins.
    """
    digest = content_hash(values["title"], values["text"])
    row = session.scalars(
        select(Article).where(Article.canonical_url == values["canonical_url"]).with_for_update()
    ).one_or_none()
    if row is None:
        session.add(
            Article(
                canonical_url=values["canonical_url"],
                content_hash=digest,
                first_seen_at=seen_at,
                last_seen_at=seen_at,
                **{c: values.get(c) for c in CONTENT_COLUMNS},
            )
        )
        session.flush()
        return Outcome.NEW
    row.last_seen_at = seen_at
    if row.content_hash == digest or not primary:
        return Outcome.UNCHANGED
    for column in CONTENT_COLUMNS:
        setattr(row, column, values.get(column))
    row.content_hash = digest
    return Outcome.UPDATED
