"""The read side: find, list, export and count articles, on SQLite and PostgreSQL alike.

Every query is a Core statement on ``ingest.storage.tables``, and every result a ``Row``
(its columns as attributes), never an ORM object: the read commands never load
``sqlalchemy.orm``, which was a third of their start-up time. So each function takes a
``Connection``, or the ORM ``Session`` of a caller that has one (the crawl); ``search``
takes a ``Connection`` (it asks it for the backend).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, String, case, cast, desc, exists, func, literal, or_, select

from ingest.fields import MAX_INTEGER
from ingest.storage import dialects, fulltext
from ingest.storage.dialects import json_array_length, json_elements, utc_day
from ingest.storage.tables import article_revisions, articles
from ingest.storage.tables import crawl_runs as runs

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from sqlalchemy import Connection, Row
    from sqlalchemy.orm import Session

    from ingest.raw import RecordLocation


@dataclass(frozen=True, slots=True, kw_only=True)
class Filters:
    """Restrictions shared by search, list and export; ``None`` means no restriction."""

    site: str | None = None
    edition: str | None = None
    language: str | None = None
    section: str | None = None
    author: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    article: Row[Any]
    rank: float
    snippet: str


def apply_filters(statement: Select[Any], filters: Filters) -> Select[Any]:
    """Add the filters to a SELECT over ``articles``."""
    for column, value in (
        (articles.c.site, filters.site),
        (articles.c.edition, filters.edition),
        (articles.c.language, filters.language),
    ):
        if value is not None:
            statement = statement.where(column == value)
    if filters.section is not None:
        statement = statement.where(func.lower(articles.c.section) == filters.section.lower())
    if filters.since is not None:
        statement = statement.where(articles.c.published_at >= filters.since)
    if filters.until is not None:
        statement = statement.where(articles.c.published_at < filters.until)
    if filters.author is not None:
        statement = statement.where(_author_matches(filters.author))
    return statement


def _author_matches(author: str) -> Any:
    """Any author whose name contains ``author``, ignoring case ("hama" finds "Hawre Hasan Hama")."""
    pattern = f"%{author.lower()}%"
    names = json_elements(articles.c.authors).table_valued("value")
    return exists(
        select(literal(1))
        .select_from(names)
        .where(func.lower(cast(names.c.value, String)).like(pattern))
    )


def search(connection: Connection, query: str, filters: Filters, *, limit: int = 20) -> list[Hit]:
    """Return the articles matching ``query``, best first, each with a highlighted snippet.

    Raises:
        fulltext.QuerySyntaxError: the query cannot be understood.
    """
    node = fulltext.parse(query)
    # Rank ids only, then load the few winning rows: sorting every match's whole row (its
    # text included) was most of a common word's search time on a large archive.
    ranked = dialects.for_connection(connection).ranked_matches(
        connection,
        node,
        articles,
        partial(apply_filters, filters=filters),
        filtered=filters != Filters(),
        limit=limit,
    )
    scores = {article_id: float(score) for article_id, score in connection.execute(ranked)}
    rows = connection.execute(select(articles).where(articles.c.id.in_(scores))).all()
    rows = sorted(rows, key=lambda a: (-scores[a.id], -a.id))
    terms = fulltext.positive_terms(node)
    return [Hit(a, scores[a.id], fulltext.snippet(a.text, terms)) for a in rows]


def list_articles(db: Connection | Session, filters: Filters, *, limit: int = 20) -> list[Row[Any]]:
    """Return the newest articles (by publication time, then by arrival) that pass the filters."""
    statement = apply_filters(select(articles), filters)
    statement = statement.order_by(
        articles.c.published_at.desc().nulls_last(), articles.c.id.desc()
    ).limit(limit)
    return list(db.execute(statement))


@dataclass(frozen=True, slots=True)
class Visit:
    """When the archive last fetched an article, and how old the article is."""

    first_seen_at: datetime
    last_seen_at: datetime
    published_at: datetime | None


#: URLs looked up per statement: well under SQLite's limit on bound parameters.
VISIT_CHUNK = 400


def visits(db: Connection | Session, urls: Iterable[str]) -> dict[str, Visit]:
    """Return the visit of every given URL that is a stored article's ``url`` or
    ``canonical_url``."""
    wanted = list(dict.fromkeys(urls))
    found: dict[str, Visit] = {}
    for start in range(0, len(wanted), VISIT_CHUNK):
        chunk = wanted[start : start + VISIT_CHUNK]
        keys = set(chunk)
        statement = select(
            articles.c.url,
            articles.c.canonical_url,
            articles.c.first_seen_at,
            articles.c.last_seen_at,
            articles.c.published_at,
        ).where(or_(articles.c.url.in_(chunk), articles.c.canonical_url.in_(chunk)))
        for url, canonical_url, first_seen, last_seen, published in db.execute(statement):
            visit = Visit(first_seen, last_seen, published)
            found.update({key: visit for key in (url, canonical_url) if key in keys})
    return found


def is_due(
    visit: Visit | None, lastmod: datetime | None, *, now: datetime, recheck: timedelta
) -> bool:
    """Whether to fetch an article: new, changed since our visit, or still young (news is
    edited in its first days, and each edit becomes a revision)."""
    if visit is None:
        return True
    if lastmod is not None and lastmod > visit.last_seen_at:
        return True
    return now - (visit.published_at or visit.first_seen_at) < recheck


def due_articles(
    db: Connection | Session,
    candidates: Sequence[tuple[Sequence[str], datetime | None]],
    *,
    now: datetime,
    recheck: timedelta,
) -> list[bool]:
    """For each discovered article (the URLs it may be stored under, its sitemap lastmod):
    is it due a visit? One lookup for them all."""
    known = visits(db, {url for keys, _ in candidates for url in keys})
    return [
        is_due(
            next((known[k] for k in keys if k in known), None), lastmod, now=now, recheck=recheck
        )
        for keys, lastmod in candidates
    ]


def get_article(db: Connection | Session, key: str) -> Row[Any] | None:
    """Return the article with this id, URL or canonical URL."""
    if key.isascii() and key.isdigit():
        number = int(key)
        if number > MAX_INTEGER:
            return None
        found = articles.c.id == number
    else:
        found = or_(articles.c.canonical_url == key, articles.c.url == key)
    return db.execute(select(articles).where(found).limit(1)).first()


def page_location(db: Connection | Session, canonical_url: str) -> RecordLocation | None:
    """Return where the raw store keeps the article's latest page, if it keeps one."""
    row = db.execute(
        select(
            articles.c.warc_file,
            articles.c.warc_offset,
            articles.c.warc_length,
            articles.c.warc_digest,
        ).where(articles.c.canonical_url == canonical_url)
    ).first()
    return location_of(row) if row else None


def location_of(row: Any) -> RecordLocation | None:
    """Return the page location an article or revision row holds, or None if it holds none."""
    if row.warc_file is None:
        return None
    from ingest.raw import RecordLocation  # warcio: loaded for the commands that read pages

    return RecordLocation(row.warc_file, row.warc_offset, row.warc_length, row.warc_digest or "")


def pages_kept(db: Connection | Session) -> int:
    """Return how many articles have their latest page in the raw store."""
    return (
        db.scalar(
            select(func.count()).select_from(articles).where(articles.c.warc_file.is_not(None))
        )
        or 0
    )


def revisions(db: Connection | Session, article_id: int) -> list[Row[Any]]:
    """Return an article's earlier versions, oldest first."""
    statement = (
        select(article_revisions)
        .where(article_revisions.c.article_id == article_id)
        .order_by(article_revisions.c.replaced_at, article_revisions.c.id)
    )
    return list(db.execute(statement))


def stored_in_earlier_runs(db: Connection | Session, *, spider: str, site: str | None) -> bool:
    """Say whether a finished run of this spider and site stored (or saw again) an article."""
    stored = runs.c.articles_new + runs.c.articles_updated + runs.c.articles_unchanged
    statement = select(runs.c.id).where(
        runs.c.spider == spider,
        runs.c.site.is_(None) if site is None else runs.c.site == site,
        runs.c.finished_at.is_not(None),
        stored > 0,
    )
    return db.scalar(statement.limit(1)) is not None


def crawl_runs(db: Connection | Session, *, last: int = 10) -> list[Row[Any]]:
    """Return the most recent crawl runs, newest first."""
    return list(
        db.execute(select(runs).order_by(runs.c.started_at.desc(), runs.c.id.desc()).limit(last))
    )


def distinct_values(db: Connection | Session, column: Any) -> list[Any]:
    """Return the distinct values of an (indexed) column, nulls included."""
    return list(db.scalars(select(column).distinct()))


def count_by(db: Connection | Session, *columns: Any) -> list[tuple[Any, ...]]:
    """Return ``(*values, count)`` rows grouped by the columns, largest groups first."""
    statement = (
        select(*columns, func.count()).group_by(*columns).order_by(desc(func.count()), *columns)
    )
    return [tuple(row) for row in db.execute(statement)]


def articles_per_day(db: Connection | Session, *, days: int = 14) -> list[tuple[str, int]]:
    """Return ``(YYYY-MM-DD, count)`` for the latest ``days`` publication days that have articles."""
    day = utc_day(articles.c.published_at)
    statement = (
        select(day.label("day"), func.count())
        .where(articles.c.published_at.is_not(None))
        .group_by("day")
        .order_by(desc("day"))
        .limit(days)
    )
    return [(str(d), int(n)) for d, n in reversed(list(db.execute(statement)))]


def field_coverage(db: Connection | Session) -> dict[str, float]:
    """Return, per optional field, the share of articles that have it (0 to 1).

    One pass over the table for every field: each pass reads every row, whole articles
    included, so eight separate counts took eight times as long.
    """
    checks = {
        "authors": json_array_length(articles.c.authors) > 0,
        "published_at": articles.c.published_at.is_not(None),
        "modified_at": articles.c.modified_at.is_not(None),
        "section": articles.c.section.is_not(None),
        "tags": json_array_length(articles.c.tags) > 0,
        "image_url": articles.c.image_url.is_not(None),
        "image_caption": articles.c.image_caption.is_not(None),
        "language": articles.c.language.is_not(None),
    }
    counts = (func.coalesce(func.sum(case((c, 1), else_=0)), 0) for c in checks.values())
    total, *present = db.execute(select(func.count(), *counts).select_from(articles)).one()
    if not total:
        return {}
    return {name: count / total for name, count in zip(checks, present, strict=True)}
