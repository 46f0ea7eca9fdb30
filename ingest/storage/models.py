"""The database schema as typed SQLAlchemy models; Alembic migrations create it, never ``create_all``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedColumn, mapped_column
from sqlalchemy.types import TypeEngine

from ingest import fields
from ingest.storage import dialects

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect


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


intpk = Annotated[
    int, mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
]
str_list = Annotated[list[str], mapped_column(JSONList, default=list)]

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar = {datetime: UTCDateTime(), str: String(), int: Integer()}


class Article(Base):
    """One news article, keyed by its canonical URL; the row holds its latest version.

    Its columns besides ``id`` are made from ``ingest.fields.ARTICLE`` (below the class),
    the one declaration of an article's fields. Full-text search lives outside the model, in
    the migrations: the SQLite FTS5 table ``articles_fts`` and the PostgreSQL generated column
    ``search_vector`` (see ``ingest.storage.fulltext``).
    """

    __tablename__ = "articles"

    id: Mapped[intpk]


def _column(field: fields.Field) -> MappedColumn[Any]:
    """Return the column that stores ``field``."""
    sql_type: TypeEngine[Any] = {
        "list": JSONList(),
        "time": UTCDateTime(),
        "int": BigInteger() if field.size == 8 else Integer(),
        "text": String(field.size) if field.size else Text(),
    }[field.kind]
    return mapped_column(
        sql_type,
        nullable=field.optional,
        index=field.index or None,
        unique=field.unique or None,
        default=list if field.kind == "list" else None,
    )


# Declarative takes columns added to a mapped class after its body, in this order.
for _field in fields.ARTICLE:
    setattr(Article, _field.name, _column(_field))
# Per-site counts (``ingest stats``) read these instead of every row.
Index("ix_articles_site_edition", Article.__table__.c.site, Article.__table__.c.edition)
Index("ix_articles_site_section", Article.__table__.c.site, Article.__table__.c.section)


class ArticleRevision(Base):
    """An earlier version of an article, kept when a re-crawl finds its title or text changed."""

    __tablename__ = "article_revisions"

    id: Mapped[intpk]
    article_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("articles.id", ondelete="CASCADE"),
        index=True,
    )
    title: Mapped[str] = mapped_column(Text)
    lead: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    #: The page's own modified time for this version, if it gave one.
    modified_at: Mapped[datetime | None]
    #: When this version was last seen by a crawl, and when a newer one replaced it.
    seen_at: Mapped[datetime]
    replaced_at: Mapped[datetime]
    #: "edit": a crawl found the page changed; "reextract": newer code made it again.
    reason: Mapped[str] = mapped_column(String(16), server_default="edit")
    warc_file: Mapped[str | None] = mapped_column(String(255))
    warc_offset: Mapped[int | None] = mapped_column(BigInteger)
    warc_length: Mapped[int | None]
    warc_digest: Mapped[str | None] = mapped_column(String(64))


class CrawlRun(Base):
    """One ``scrapy crawl`` run: what it fetched, stored and dropped, and how it ended.

    A row with no ``finished_at`` is a run still going, or one that was killed.
    """

    __tablename__ = "crawl_runs"

    id: Mapped[intpk]
    spider: Mapped[str] = mapped_column(String(64))
    site: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None]
    finish_reason: Mapped[str | None] = mapped_column(String(64))
    #: The shared run (several workers on one Redis queue) this row is one worker of.
    shared_run: Mapped[str | None] = mapped_column(String(64), index=True)
    pages_fetched: Mapped[int] = mapped_column(default=0)
    articles_new: Mapped[int] = mapped_column(default=0)
    articles_updated: Mapped[int] = mapped_column(default=0)
    articles_unchanged: Mapped[int] = mapped_column(default=0)
    #: Items dropped, by reason: {"TooShort": 2, "NoArticleBody": 1}.
    items_dropped: Mapped[dict[str, int]] = mapped_column(JSONList, default=dict)
    #: Fetch failures and logged errors.
    errors: Mapped[int] = mapped_column(default=0)
    #: Every Scrapy stat of the run, for whoever needs more than the columns above.
    stats: Mapped[dict[str, Any]] = mapped_column(JSONList, default=dict)
    #: "healthy", "unhealthy" or "killed" (``ingest.health``), and why; empty while running.
    verdict: Mapped[str | None] = mapped_column(String(16))
    verdict_reason: Mapped[str | None] = mapped_column(Text)
    #: The crawl's process: the next run on the same host marks this one killed if it is gone.
    pid: Mapped[int | None]
    host: Mapped[str | None] = mapped_column(String(255))


class BoilerplateParagraph(Base):
    """A paragraph or title part learned as boilerplate of one edition of a site
    (``ingest.storage.boilerplate``).

    Only the digest of its normalised text is matched; ``sample`` is one printing of it, for
    people. ``edition`` is "" on sites without editions, so the unique key holds on every backend.
    """

    __tablename__ = "boilerplate_paragraphs"
    __table_args__ = (UniqueConstraint("site", "edition", "digest"),)

    id: Mapped[intpk]
    site: Mapped[str] = mapped_column(String(64))
    edition: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(16))
    #: Distinct articles of the edition it was found in, out of ``out_of`` read, when learned.
    articles: Mapped[int]
    out_of: Mapped[int]
    #: Its usual place, counted from the end of the text (-1: the last line).
    position: Mapped[int]
    #: "recurs" (on its own edition's articles), "cross-edition" (where another edition's is),
    #: "title-suffix" or "title-prefix" (a title part; ``position`` 0, ``sample`` the part).
    rule: Mapped[str] = mapped_column(String(16))
    sample: Mapped[str] = mapped_column(Text)
    learned_at: Mapped[datetime]
    #: Stored articles re-cleaned of it when it was learned.
    recleaned: Mapped[int] = mapped_column(default=0)
