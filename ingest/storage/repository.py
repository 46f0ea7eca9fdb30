"""The write side: store an extracted article, idempotently, keyed by its canonical URL."""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy import select

from ingest import fields
from ingest.storage import dialects
from ingest.storage.models import Article, ArticleRevision, CrawlRun

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session

#: Columns a re-crawl may change; ``first_seen_at`` and ``id`` never change after insert.
CONTENT_COLUMNS = fields.names(fields.Role.CONTENT)
#: Where the article's page is kept in the raw store (``ingest.raw``); all None without one.
RAW_COLUMNS = fields.names(fields.Role.RAW)
_WRITTEN = fields.names(fields.Role.KEY, fields.Role.CONTENT, fields.Role.RAW)


def row_values(item: Any) -> dict[str, Any]:
    """Return what ``upsert_article`` takes from an extracted article (an ``ArticleItem``):
    its canonical URL, content and raw-store fields."""
    return {name: getattr(item, name) for name in _WRITTEN}


class Outcome(enum.StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def content_hash(title: str, text: str) -> str:
    """Return the sha256 of what a reader sees: a changed hash means the article was edited."""
    return hashlib.sha256(f"{title}\n\n{text}".encode()).hexdigest()


def upsert_article(session: Session, values: dict[str, Any], seen_at: datetime) -> Outcome:
    """Insert the article, or bring its row up to date; return what happened.

    ``values`` holds ``canonical_url``, the ``CONTENT_COLUMNS`` and, when the page was kept,
    the ``RAW_COLUMNS``: the row then points at the page it was last made from. The caller owns the
    transaction. A row whose content hash is unchanged only gets its ``last_seen_at`` moved,
    so crawling the same site twice adds and rewrites nothing; a changed one keeps its previous
    version as an ``ArticleRevision``. A twin page (AMP, or any URL whose path is not the
    canonical one) is stored only while the article is not: the canonical page's content wins.

    The insert is ``INSERT … ON CONFLICT (canonical_url) DO NOTHING``: when two crawls store
    the same new article at once, the database lets one insert and makes the other wait for
    it and then find the row, which it updates under a row lock (PostgreSQL ``FOR UPDATE``;
    a SQLite writer holds the database's write lock). Neither fails.
    """
    digest = content_hash(values["title"], values["text"])
    table = Article.__table__
    insert = (
        dialects.for_connection(session.connection())
        .insert(table)
        .values(
            canonical_url=values["canonical_url"],
            content_hash=digest,
            first_seen_at=seen_at,
            last_seen_at=seen_at,
            **{c: values.get(c) for c in CONTENT_COLUMNS},
            # Only when given: a row stored without a page names no raw columns at all.
            **{c: values[c] for c in RAW_COLUMNS if values.get(c) is not None},
        )
        .on_conflict_do_nothing(index_elements=[table.c.canonical_url])
        .returning(table.c.id)
    )
    if session.execute(insert).scalar_one_or_none() is not None:
        return Outcome.NEW
    row = session.scalars(
        select(Article).where(Article.canonical_url == values["canonical_url"]).with_for_update()
    ).one()
    previously_seen_at = row.last_seen_at
    row.last_seen_at = seen_at
    if _path(values["url"]) != _path(values["canonical_url"]):
        return Outcome.UNCHANGED
    # A row first stored from a twin (AMP, mirror path) takes the canonical page's content
    # when that arrives; that is no edit, so no revision is kept for it.
    from_twin = _path(row.url) != _path(row.canonical_url)
    changed = row.content_hash != digest
    if not changed and not from_twin:
        _point_at_page(row, values)
        return Outcome.UNCHANGED
    if changed and not from_twin:
        session.add(_revision_of(row, seen_at=previously_seen_at, replaced_at=seen_at))
    _point_at_page(row, values)
    for column in CONTENT_COLUMNS:
        setattr(row, column, values.get(column))
    row.content_hash = digest
    return Outcome.UPDATED if changed else Outcome.UNCHANGED


def _point_at_page(row: Article, values: dict[str, Any]) -> None:
    """Point the row at the page just stored, if one was (a revisit keeps the same place)."""
    if values.get("warc_file"):
        for column in RAW_COLUMNS:
            setattr(row, column, values[column])


def _revision_of(
    row: Article, *, seen_at: datetime, replaced_at: datetime, reason: str = "edit"
) -> ArticleRevision:
    """Return the row's current version as a revision, with the page it was made from."""
    return ArticleRevision(
        article_id=row.id,
        title=row.title,
        lead=row.lead,
        text=row.text,
        content_hash=row.content_hash,
        modified_at=row.modified_at,
        seen_at=seen_at,
        replaced_at=replaced_at,
        reason=reason,
        **{column: getattr(row, column) for column in RAW_COLUMNS},
    )


def apply_reextraction(
    session: Session, article_id: int, values: dict[str, Any], replaced_at: datetime
) -> bool:
    """Give an article what extracting its stored page again yielded; return whether it changed.

    ``values`` holds the ``CONTENT_COLUMNS``. The canonical URL is the row's key and stays. A
    changed article keeps its previous version as a revision marked ``reextract``: the site
    did not edit it, the code that read it changed.
    """
    row = session.get_one(Article, article_id, with_for_update=True)
    if all(getattr(row, c) == values.get(c) for c in CONTENT_COLUMNS):
        return False
    session.add(
        _revision_of(row, seen_at=row.last_seen_at, replaced_at=replaced_at, reason="reextract")
    )
    for column in CONTENT_COLUMNS:
        setattr(row, column, values.get(column))
    row.content_hash = content_hash(values["title"], values["text"])
    return True


def _path(url: str) -> str:
    return urlsplit(url).path.rstrip("/")


def start_crawl_run(
    session: Session,
    *,
    spider: str,
    site: str | None,
    started_at: datetime,
    shared_run: str | None = None,
    pid: int | None = None,
    host: str | None = None,
) -> int:
    """Record that a run started; return its id. The row stays unfinished if the run is killed."""
    run = CrawlRun(
        spider=spider,
        site=site,
        started_at=started_at,
        shared_run=shared_run,
        items_dropped={},
        stats={},
        pid=pid,
        host=host,
    )
    session.add(run)
    session.flush()
    return run.id


def mark_killed_runs(session: Session, *, host: str, is_running: Callable[[int], bool]) -> int:
    """Mark this host's unfinished runs whose process is gone as killed; return how many.

    Only the host that ran a crawl can ask whether its process lives, so runs of other hosts
    are left alone.
    """
    unfinished = session.scalars(
        select(CrawlRun).where(
            CrawlRun.finished_at.is_(None),
            CrawlRun.verdict.is_(None),
            CrawlRun.host == host,
            CrawlRun.pid.is_not(None),
        )
    )
    killed = 0
    for run in unfinished:
        if run.pid is not None and not is_running(run.pid):
            run.verdict = "killed"
            run.verdict_reason = f"process {run.pid} on {host} ended without finishing the run"
            killed += 1
    return killed


def finish_crawl_run(
    session: Session,
    run_id: int,
    *,
    finished_at: datetime,
    reason: str,
    stats: dict[str, Any],
    verdict: str | None = None,
    verdict_reason: str | None = None,
) -> None:
    """Fill in a run's outcome from its final Scrapy stats."""
    run = session.get_one(CrawlRun, run_id)
    run.verdict = verdict
    run.verdict_reason = verdict_reason
    dropped_prefix = "item_dropped_reasons_count/"
    run.finished_at = finished_at
    run.finish_reason = reason
    run.pages_fetched = int(stats.get("ingest/fetch/pages", 0))
    run.articles_new = int(stats.get("ingest/store/new", 0))
    run.articles_updated = int(stats.get("ingest/store/updated", 0))
    run.articles_unchanged = int(stats.get("ingest/store/unchanged", 0))
    run.items_dropped = {
        key.removeprefix(dropped_prefix): int(value)
        for key, value in stats.items()
        if key.startswith(dropped_prefix)
    }
    run.errors = int(stats.get("log_count/ERROR", 0)) + sum(
        int(v) for k, v in stats.items() if k.startswith("ingest/fetch/failed/")
    )
    run.stats = {
        k: v if isinstance(v, (int, float, str, bool)) else str(v) for k, v in stats.items()
    }


def finish_reextract_run(
    session: Session,
    run_id: int,
    *,
    finished_at: datetime,
    reason: str,
    read: int,
    changed: int,
    unchanged: int,
    failed: dict[str, int],
) -> None:
    """Fill in an ``ingest reextract`` run: pages read, articles changed, failures by reason."""
    run = session.get_one(CrawlRun, run_id)
    run.finished_at = finished_at
    run.finish_reason = reason
    run.pages_fetched = read
    run.articles_updated = changed
    run.articles_unchanged = unchanged
    run.items_dropped = dict(failed)
    run.errors = sum(failed.values())
    run.stats = {"read": read, "changed": changed, "unchanged": unchanged, "failed": dict(failed)}
