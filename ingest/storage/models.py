"""ORM classes for the writer (the crawl, re-extraction, learned boilerplate), mapped onto the
Core tables of ``ingest.storage.tables``, where the schema is declared.

Reading needs no ORM: the read commands query the tables themselves and never import this
module, which loads ``sqlalchemy.orm``. The attributes of each class are the columns of its
table.
"""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from ingest.storage import tables


class Base(DeclarativeBase):
    metadata = tables.metadata


class Article(Base):
    """One news article (``tables.articles``)."""

    __table__ = tables.articles


class ArticleRevision(Base):
    """An earlier version of an article (``tables.article_revisions``)."""

    __table__ = tables.article_revisions


class CrawlRun(Base):
    """One ``scrapy crawl`` run (``tables.crawl_runs``)."""

    __table__ = tables.crawl_runs


class BoilerplateParagraph(Base):
    """A paragraph or title part learned as a site's boilerplate
    (``tables.boilerplate_paragraphs``)."""

    __table__ = tables.boilerplate_paragraphs
