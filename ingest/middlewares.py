"""Spider middlewares: which discovered articles are due a visit (the deltafetch pattern).

Without this a scheduled run fetches every article the sitemaps list, years of them, every
time. A known article is due when it is recent (published, or else first seen, less than
``INGEST_RECHECK_DAYS`` ago) or when its sitemap ``<lastmod>`` is later than our last visit
(``ingest.storage.queries.is_due``).
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from sqlalchemy.exc import SQLAlchemyError
from twisted.internet.threads import deferToThread

from ingest.storage.dialects import Timeouts
from ingest.storage.queries import due_articles
from ingest.storage.session import make_engine, make_sessionmaker

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Sequence
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from sqlalchemy import Engine

logger = logging.getLogger(__name__)

#: Request meta of a discovered article: ``{"keys": URLs it may be stored under,
#: "lastmod": its sitemap lastmod or None, "source": sitemap|feed|listing}``.
DUE = "ingest_due"


def parse_lastmod(text: str | None) -> datetime | None:
    """Read a sitemap ``<lastmod>`` (W3C datetime: a date, or a time with an offset or Z)."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        try:
            value = datetime.combine(date.fromisoformat(text.strip()[:10]), datetime.min.time())
        except ValueError:
            return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class DueVisitsMiddleware:
    """Of the article requests (meta ``DUE``) a response yields, pass on those due a visit.

    They are looked up together, in the archive, off the reactor thread, so discovery never
    waits on the database. On a shared run the filter holds across workers: discovery is done
    by one worker, before a request enters the shared queue, against the one shared database.
    A database it cannot read (not created yet, gone away) makes every article due: a crawl
    fetches too much rather than miss one.

    Settings: ``INGEST_SKIP_KNOWN`` (off when false: every discovered article is fetched),
    ``INGEST_RECHECK_DAYS``, ``INGEST_DATABASE_URL``, the ``INGEST_DB_*_TIMEOUT`` settings. Stats:
    ``ingest/discover/<source>/known_skipped``.
    """

    def __init__(
        self, crawler: Crawler, database_url: str, *, recheck: timedelta, timeouts: Timeouts
    ) -> None:
        self.crawler = crawler
        self.database_url = database_url
        self.recheck = recheck
        self.timeouts = timeouts
        self.now = datetime.now(UTC)
        self._engine: Engine | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("INGEST_SKIP_KNOWN"):
            raise NotConfigured  # off by setting: nothing to warn about
        middleware = cls(
            crawler,
            crawler.settings.get("INGEST_DATABASE_URL"),
            recheck=timedelta(days=crawler.settings.getfloat("INGEST_RECHECK_DAYS")),
            timeouts=Timeouts.from_settings(crawler.settings),
        )
        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        return middleware

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        found = []
        async for output in result:
            if isinstance(output, Request) and DUE in output.meta:
                found.append(output)
            else:
                yield output
        if not found:
            return
        candidates = [(r.meta[DUE]["keys"], r.meta[DUE]["lastmod"]) for r in found]
        due = await maybe_deferred_to_future(deferToThread(self.due, candidates))
        for request, fetch in zip(found, due, strict=True):
            if fetch:
                yield request
            else:
                source = request.meta[DUE]["source"]
                self.crawler.stats.inc_value(f"ingest/discover/{source}/known_skipped")

    def due(self, candidates: Sequence[tuple[Sequence[str], datetime | None]]) -> list[bool]:
        """For each candidate (the URLs it may be stored under, its lastmod): fetch it?"""
        try:
            if self._engine is None:
                self._engine = make_engine(self.database_url, timeouts=self.timeouts)
            with make_sessionmaker(self._engine)() as session:
                return due_articles(session, candidates, now=self.now, recheck=self.recheck)
        except SQLAlchemyError as exc:
            logger.warning("could not look up known articles (%s); fetching them all", exc)
            return [True] * len(candidates)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
