"""Item pipelines, one class per stage: extract → dedupe paragraphs → strip boilerplate → validate → store.

Scrapy glue only: each stage calls the pure functions of ``ingest.extraction`` or
``ingest.storage`` and turns their "no" into a ``DropItem`` subclass, which Scrapy counts in
the ``item_dropped_reasons_count/<Class>`` stats.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem, NotConfigured
from sqlalchemy.exc import DBAPIError, OperationalError

from ingest.extract_worker import exit_with_parent, extract_page
from ingest.extraction.article import (
    Rejection,
    adopting_profile,
    build_article,
    dedupe_article,
    rejection,
    site_rules,
    strip_article,
)
from ingest.items import ArticleItem, PageItem
from ingest.raw import FetchedPage, RecordLocation, WarcStore
from ingest.storage import migrate
from ingest.storage.queries import page_location
from ingest.storage.repository import CONTENT_COLUMNS, RAW_COLUMNS, upsert_article
from ingest.storage.session import make_engine, make_sessionmaker

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

    from ingest.extraction.extract import Extracted
    from ingest.profiles import SiteProfile

logger = logging.getLogger(__name__)


class NotHtml(DropItem):
    """The response is not an HTML page (a PDF, an image, a JSON API answer)."""


class UnparseableHtml(DropItem):
    """The body could not be parsed as HTML at all."""


class NoArticleBody(DropItem):
    """trafilatura found no main text on the page."""


class NotAnArticle(DropItem):
    """The page says it is something else: a video, a live stream, a profile (og:type)."""


class TooShort(DropItem):
    """After cleaning, less text is left than ``INGEST_MIN_TEXT_CHARS``: not an article."""


class NoTitle(DropItem):
    """Neither the page's metadata nor its markup gives a title."""


class StoreFailed(DropItem):
    """The database refused the article (a lost connection is retried once first); logged."""


_HTML_TYPES = ("text/html", "application/xhtml+xml")


class _Stage:
    """Base of the stages: keeps the crawler for stats and settings."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)


class ExtractPipeline(_Stage):
    """``PageItem`` → ``ArticleItem``: decode, extract text and metadata, fill in from the profile.

    Settings: ``INGEST_EXTRACT_WORKERS``: extraction is CPU-bound and Scrapy runs in one
    thread, so pages are extracted in this many worker processes while the crawl goes on
    fetching (0: in the crawl's own thread).
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.workers = crawler.settings.getint("INGEST_EXTRACT_WORKERS")
        self.pool: ProcessPoolExecutor | None = None

    def open_spider(self) -> None:
        if self.workers > 0:
            # "spawn": a forked copy of a running Twisted reactor is not safe to use.
            self.pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=exit_with_parent,
                initargs=(os.getpid(),),
            )

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    async def _extract(self, item: PageItem, profile: SiteProfile | None) -> Extracted | None:
        if self.pool is None:
            return extract_page(item.body, item.content_type, item.url, profile)
        future = self.pool.submit(extract_page, item.body, item.content_type, item.url, profile)
        try:
            return await asyncio.wrap_future(future)
        except BrokenProcessPool:
            # A worker died (killed by the OOM killer, a crash in lxml): start a new pool and
            # do this page here, so one bad page costs one page, not the run.
            logger.error("extraction worker died on %s; restarting the worker pool", item.url)
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.open_spider()
            return extract_page(item.body, item.content_type, item.url, profile)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        content_type = (item.content_type or "text/html").split(";")[0].strip().lower()
        if content_type not in _HTML_TYPES:
            raise NotHtml(f"{item.url} is {content_type}, not HTML")
        profile = site_rules(item.site).profile
        try:
            extracted = await self._extract(item, profile)
        except ValueError as exc:
            raise UnparseableHtml(f"{item.url}: {exc}") from exc
        if extracted is None:
            raise NoArticleBody(f"no main text found on {item.url}")
        site, edition_key = item.site, item.edition
        if adopted := adopting_profile(profile, extracted):
            profile, edition_key = adopted
            site = profile.key
            extracted = await self._extract(item, profile) or extracted
        article = build_article(
            url=item.url,
            site=site,
            edition=edition_key,
            fetched_at=item.fetched_at,
            extracted=extracted,
            profile=profile,
        )
        article.page = item
        return article


def _lines(text: str) -> int:
    return text.count("\n") + 1 if text else 0


class DedupeParagraphsPipeline(_Stage):
    """Keep each paragraph once, at its first position. Stat: ``ingest/clean/repeated_paragraphs``."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        cleaned = dedupe_article(item)
        if removed := _lines(item.text) - _lines(cleaned.text):
            self.stats.inc_value("ingest/clean/repeated_paragraphs", removed)
        return cleaned


class BoilerplatePipeline(_Stage):
    """Strip comment blocks, widgets, header labels; move the caption out of the text.

    Stat: ``ingest/clean/boilerplate_lines``.
    """

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        cleaned = strip_article(item)
        if removed := _lines(item.text) - _lines(cleaned.text):
            self.stats.inc_value("ingest/clean/boilerplate_lines", removed)
        return cleaned


class ValidatePipeline(_Stage):
    """Drop what is not an article, so that nothing half-empty is stored: pages that declare
    another type, bodies too short once cleaned, pages without a title.

    Settings: ``INGEST_MIN_TEXT_CHARS``.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.min_chars = crawler.settings.getint("INGEST_MIN_TEXT_CHARS")

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        if found := rejection(item, self.min_chars):
            reason, message = found
            raise _REJECTIONS[reason](message)
        return item


_REJECTIONS: dict[Rejection, type[DropItem]] = {
    Rejection.NOT_AN_ARTICLE: NotAnArticle,
    Rejection.TOO_SHORT: TooShort,
    Rejection.NO_TITLE: NoTitle,
}


class RawPagePipeline(_Stage):
    """Keep the page of each article about to be stored, as WARC records (``ingest.raw``).

    Settings: ``INGEST_RAW_DIR`` (off when empty), ``INGEST_RAW_MAX_BYTES``,
    ``INGEST_DATABASE_URL`` (to find the page stored last time: the same payload is written
    as a ``revisit`` record). Needs ``StorePipeline`` after it, which stores the location.
    Stats: ``ingest/raw/<response|revisit|failed>``. A page that cannot be written is logged
    as an error and its article is still stored, without a page.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        directory = crawler.settings.get("INGEST_RAW_DIR")
        if not directory:
            raise NotConfigured  # turned off by setting: nothing to warn about
        self.store = WarcStore(Path(directory), crawler.settings.getint("INGEST_RAW_MAX_BYTES"))
        self.url = crawler.settings.get("INGEST_DATABASE_URL")

    def open_spider(self) -> None:
        self.store.open()
        self.engine = make_engine(self.url)
        self.sessions = make_sessionmaker(self.engine)

    def close_spider(self) -> None:
        self.store.close()
        self.engine.dispose()

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem) or item.page is None:
            return item
        page, item.page = item.page, None
        try:
            # Off the reactor thread: a database read, then a write and an fsync.
            location, revisit = await asyncio.to_thread(self._keep, item.canonical_url, page)
        except OSError as exc:
            logger.error("could not keep the page of %s: %s", item.url, exc)
            self.stats.inc_value("ingest/raw/failed")
            return item
        self.stats.inc_value("ingest/raw/revisit" if revisit else "ingest/raw/response")
        item.warc_file, item.warc_offset = location.file, location.offset
        item.warc_length, item.warc_digest = location.length, location.digest
        return item

    def _keep(self, canonical_url: str, page: PageItem) -> tuple[RecordLocation, bool]:
        """Write the page; return where it is, and whether it was a revisit of that place."""
        with self.sessions() as session:
            previous = page_location(session, canonical_url)
        fetched = FetchedPage(
            url=page.url,
            fetched_at=page.fetched_at,
            status=page.status,
            protocol=page.protocol,
            request_headers=page.request_headers,
            response_headers=page.response_headers,
            body=page.body,
        )
        location = self.store.write(fetched, previous)
        return location, location == previous


class StorePipeline(_Stage):
    """Store articles in ``INGEST_DATABASE_URL``, migrating a fresh database first.

    Settings: ``INGEST_DATABASE_URL``, ``INGEST_AUTO_MIGRATE`` (default true).
    Stats: ``ingest/store/<new|updated|unchanged>``. A database error is retried once on a
    fresh connection, then the item is dropped as ``StoreFailed`` and the crawl goes on.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.url = crawler.settings.get("INGEST_DATABASE_URL")
        self.auto_migrate = crawler.settings.getbool("INGEST_AUTO_MIGRATE", True)

    def open_spider(self) -> None:
        if self.auto_migrate:
            migrate.upgrade(self.url)
        elif not migrate.is_up_to_date(self.url):
            raise RuntimeError(
                "the database is behind its migrations; run `ingest db upgrade`"
                " or set INGEST_AUTO_MIGRATE"
            )
        self.engine = make_engine(self.url)
        self.sessions = make_sessionmaker(self.engine)

    def close_spider(self) -> None:
        self.engine.dispose()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        values = {c: getattr(item, c) for c in (*CONTENT_COLUMNS, *RAW_COLUMNS)}
        values["canonical_url"] = item.canonical_url
        for attempt in (1, 2):
            try:
                with self.sessions.begin() as session:
                    outcome = upsert_article(session, values, item.fetched_at)
                break
            except DBAPIError as exc:
                # Only a lost connection is worth a second try; a value the database refuses
                # (too long, wrong type) would be refused again.
                transient = exc.connection_invalidated or isinstance(exc, OperationalError)
                if attempt == 2 or not transient:
                    logger.error("could not store %s: %s", item.url, exc.orig or exc)
                    raise StoreFailed(f"{item.url}: {type(exc.orig or exc).__name__}") from exc
                logger.warning(
                    "database error storing %s, retrying once: %s", item.url, exc.orig or exc
                )
        self.stats.inc_value(f"ingest/store/{outcome}")
        return item
