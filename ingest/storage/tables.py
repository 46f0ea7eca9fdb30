"""The database schema as SQLAlchemy Core tables; Alembic migrations create it, never ``create_all``.

The schema is declared here once, without the ORM: ``ingest search`` and the other read
commands query these tables directly, and importing ``sqlalchemy.orm`` (and mapping the
classes) was a third of their start-up time. The writer's ORM classes
(``ingest.storage.models``) are mapped onto these same tables. tests/test_layering.py checks
that this module does not load the ORM.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)

from ingest import fields
from ingest.storage import dialects

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect
    from sqlalchemy.types import TypeEngine


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC on every backend.

    PostgreSQL keeps the offset itself; SQLite has no time type, so values are normalised to
    UTC on the way in and marked as UTC on the way out, and both backends return aware values.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the archive stores aware UTC times only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class JSONList(TypeDecorator[Any]):
    """Lists (authors, tags) and stat maps: JSON, and JSONB on PostgreSQL so that they can be
    indexed and queried (``dialects``)."""

    impl = JSON
    cache_ok = True
    # As JSON's: None is stored as JSON null, never left out of an INSERT.
    should_evaluate_none = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return dialect.type_descriptor(dialects.for_dialect(dialect).json_type())


NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _id() -> Column[int]:
    """The surrogate key every table has: 64-bit, and SQLite's rowid alias there."""
    return Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True)


def _column(field: fields.Field) -> Column[Any]:
    """Return the column that stores an article ``field``."""
    sql_type: TypeEngine[Any] = {
        "list": JSONList(),
        "time": UTCDateTime(),
        "int": BigInteger() if field.size == 8 else Integer(),
        "text": String(field.size) if field.size else Text(),
    }[field.kind]
    return Column(
        field.name,
        sql_type,
        nullable=field.optional,
        index=field.index or None,
        unique=field.unique or None,
        default=list if field.kind == "list" else None,
    )


#: One news article, keyed by its canonical URL; the row holds its latest version.
#:
#: Its columns besides ``id`` are made from ``ingest.fields.ARTICLE``, the one declaration
#: of an article's fields. Full-text search lives outside this table, in the migrations: the
#: SQLite FTS5 table ``articles_fts`` and the PostgreSQL generated column ``search_vector``
#: (see ``ingest.storage.fulltext``).
articles = Table(
    "articles",
    metadata,
    _id(),
    *(_column(field) for field in fields.ARTICLE),
    # Per-site counts (``ingest stats``) read these instead of every row.
    Index("ix_articles_site_edition", "site", "edition"),
    Index("ix_articles_site_section", "site", "section"),
)

#: An earlier version of an article, kept when a re-crawl finds its title or text changed.
article_revisions = Table(
    "article_revisions",
    metadata,
    _id(),
    Column(
        "article_id",
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("articles.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("title", Text, nullable=False),
    Column("lead", Text),
    Column("text", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    # The page's own modified time for this version, if it gave one.
    Column("modified_at", UTCDateTime()),
    # When this version was last seen by a crawl, and when a newer one replaced it.
    Column("seen_at", UTCDateTime(), nullable=False),
    Column("replaced_at", UTCDateTime(), nullable=False),
    # "edit": a crawl found the page changed; "reextract": newer code made it again.
    Column("reason", String(16), nullable=False, server_default="edit"),
    Column("warc_file", String(255)),
    Column("warc_offset", BigInteger),
    Column("warc_length", Integer),
    Column("warc_digest", String(64)),
)

#: One ``scrapy crawl`` run: what it fetched, stored and dropped, and how it ended. A row
#: with no ``finished_at`` is a run still going, or one that was killed.
crawl_runs = Table(
    "crawl_runs",
    metadata,
    _id(),
    Column("spider", String(64), nullable=False),
    Column("site", String(64)),
    Column("started_at", UTCDateTime(), nullable=False, index=True),
    Column("finished_at", UTCDateTime()),
    Column("finish_reason", String(64)),
    # The shared run (several workers on one Redis queue) this row is one worker of.
    Column("shared_run", String(64), index=True),
    Column("pages_fetched", Integer, nullable=False, default=0),
    Column("articles_new", Integer, nullable=False, default=0),
    Column("articles_updated", Integer, nullable=False, default=0),
    Column("articles_unchanged", Integer, nullable=False, default=0),
    # Items dropped, by reason: {"TooShort": 2, "NoArticleBody": 1}.
    Column("items_dropped", JSONList(), nullable=False, default=dict),
    # Fetch failures and logged errors.
    Column("errors", Integer, nullable=False, default=0),
    # Every Scrapy stat of the run, for whoever needs more than the columns above.
    Column("stats", JSONList(), nullable=False, default=dict),
    # "healthy", "unhealthy" or "killed" (``ingest.health``), and why; empty while running.
    Column("verdict", String(16)),
    Column("verdict_reason", Text),
    # The crawl's process: the next run on the same host marks this one killed if it is gone.
    Column("pid", Integer),
    Column("host", String(255)),
)

#: A paragraph or title part learned as boilerplate of one edition of a site
#: (``ingest.storage.boilerplate``). Only the digest of its normalised text is matched;
#: ``sample`` is one printing of it, for people. ``edition`` is "" on sites without editions,
#: so the unique key holds on every backend.
boilerplate_paragraphs = Table(
    "boilerplate_paragraphs",
    metadata,
    _id(),
    Column("site", String(64), nullable=False),
    Column("edition", String(64), nullable=False),
    Column("digest", String(16), nullable=False),
    # Distinct articles of the edition it was found in, out of ``out_of`` read, when learned.
    Column("articles", Integer, nullable=False),
    Column("out_of", Integer, nullable=False),
    # Its usual place, counted from the end of the text (-1: the last line).
    Column("position", Integer, nullable=False),
    # "recurs" (on its own edition's articles), "cross-edition" (where another edition's is),
    # "title-suffix" or "title-prefix" (a title part; ``position`` 0, ``sample`` the part).
    Column("rule", String(16), nullable=False),
    Column("sample", Text, nullable=False),
    Column("learned_at", UTCDateTime(), nullable=False),
    # Stored articles re-cleaned of it when it was learned.
    Column("recleaned", Integer, nullable=False, default=0),
    UniqueConstraint("site", "edition", "digest"),
)
