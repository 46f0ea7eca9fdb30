"""Item pipelines, one class per stage: extract → dedupe paragraphs → strip boilerplate → validate → store.

Scrapy glue only: each stage calls the pure functions of ``ingest.extraction`` or
``ingest.storage`` and turns their "no" into a ``DropItem`` subclass, which Scrapy counts in
the ``item_dropped_reasons_count/<Class>`` stats.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem, NotConfigured
from sqlalchemy.exc import DBAPIError, OperationalError

from ingest import signals
from ingest.extract_pool import ExtractionPool, WorkerDied
from ingest.extraction.article import (
    Rejection,
    adopting_profile,
    build_article,
    dedupe_article,
    fall_back,
    rejection,
    site_rules,
    strip_article,
    strip_learned_article,
)
from ingest.items import ArticleItem, PageItem
from ingest.raw import FetchedPage, RecordLocation, WarcStore
from ingest.storage import boilerplate as learned_boilerplate
from ingest.storage.dialects import Timeouts
from ingest.storage.migrate import upgrade_in_child
from ingest.storage.queries import page_location
from ingest.storage.repository import row_values
from ingest.storage.revision import is_up_to_date
from ingest.storage.session import make_engine, make_sessionmaker
from ingest.storage.writer import SPOOLED, ArticleWriter, Refused

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

    from ingest.extraction.extracted import Extracted
    from ingest.profiles import SiteProfile

logger = logging.getLogger(__name__)


class NotHtml(DropItem):
    """The response is not an HTML page (a PDF, an image, a JSON API answer)."""


class UnparseableHtml(DropItem):
    """The body could not be parsed as HTML at all."""


class NoArticleBody(DropItem):
    """trafilatura found no main text on the page."""


class ExtractionCrashed(DropItem):
    """The page killed two extraction workers in a row (a crash in lxml, the CPU limit)."""


class NotAnArticle(DropItem):
    """The page says it is something else: a video, a live stream, a profile (og:type)."""


class TooShort(DropItem):
    """After cleaning, less text is left than ``INGEST_MIN_TEXT_CHARS``: not an article."""


class NoTitle(DropItem):
    """Neither the page's metadata nor its markup gives a title."""


class StoreFailed(DropItem):
    """The database refused the article (a value it rejects, not a lost connection); logged."""


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
    fetching (0: in the crawl's own thread); ``INGEST_EXTRACT_CPU_SECONDS``: the CPU time
    one page may take in a worker. A dead worker is replaced and its page tried once more
    (``ExtractionPool``); stat ``ingest/extract/worker_died``.
    """

    def __init__(self, crawler: Crawler, workers: int, cpu_seconds: int) -> None:
        super().__init__(crawler)
        self.workers = workers
        self.cpu_seconds = cpu_seconds
        self.pool: ExtractionPool | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        return cls(
            crawler,
            settings.getint("INGEST_EXTRACT_WORKERS"),
            settings.getint("INGEST_EXTRACT_CPU_SECONDS"),
        )

    def open_spider(self) -> None:
        if self.workers > 0:
            self.pool = ExtractionPool(self.workers, self.cpu_seconds, self._worker_died)
            self.pool.start()

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.close()

    def _worker_died(self, reason: str) -> None:
        self.stats.inc_value("ingest/extract/worker_died")
        logger.error("extraction worker replaced: %s", reason)

    async def _extract(self, item: PageItem, profile: SiteProfile | None) -> Extracted | None:
        if self.pool is None:
            # Imported here: with workers, the crawl process never loads trafilatura.
            from ingest.extract_worker import extract_page

            return extract_page(item.body, item.content_type, item.url, profile)
        try:
            return await self.pool.run(item.body, item.content_type, item.url, profile)
        except WorkerDied as exc:
            raise ExtractionCrashed(f"{item.url} killed two extraction workers: {exc}") from exc

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


class SiteBoilerplatePipeline(_Stage):
    """Strip the paragraphs learned as the site's boilerplate (see ``LearnBoilerplatePipeline``).

    Reads what was learned once, when the run opens; a database that does not answer then
    means nothing is stripped this run (logged; the next learning re-cleans what got in).
    Settings: ``INGEST_DATABASE_URL`` and the ``INGEST_DB_*_TIMEOUT`` settings. Stats:
    ``ingest/clean/learned_boilerplate_lines``, ``ingest/clean/learned_title_parts`` (titles
    cut of a learned part).
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.url = crawler.settings.get("INGEST_DATABASE_URL")
        self.timeouts = Timeouts.from_settings(crawler.settings)
        self.learned: dict[tuple[str, str], frozenset[str]] = {}

    def open_spider(self) -> None:
        engine = make_engine(self.url, timeouts=self.timeouts)
        try:
            with make_sessionmaker(engine)() as session:
                self.learned = learned_boilerplate.load_learned(session)
        except OperationalError as exc:
            logger.error("learned boilerplate not loaded, database unavailable: %s", exc.orig)
            self.stats.inc_value("ingest/boilerplate/load_failed")
        finally:
            engine.dispose()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        digests = self.learned.get((item.site, item.edition or ""))
        cleaned = strip_learned_article(item, digests or ())
        if removed := _lines(item.text) - _lines(cleaned.text):
            self.stats.inc_value("ingest/clean/learned_boilerplate_lines", removed)
        if cleaned.title != item.title:
            self.stats.inc_value("ingest/clean/learned_title_parts")
        return cleaned


class LearnBoilerplatePipeline(_Stage):
    """When the run closes, learn each crawled site's boilerplate from its stored articles and
    re-clean the stored articles that carry what was newly learned.

    Runs on the ``run_stored`` signal, once ``StorePipeline``'s writer has finished, so it
    counts what this run stored; works in a thread, off the reactor. A database error is logged and counted
    (``ingest/boilerplate/failed``); the next run learns again. Settings:
    ``INGEST_BOILERPLATE_LEARN``, ``INGEST_BOILERPLATE_MIN_ARTICLES``,
    ``INGEST_BOILERPLATE_MIN_SHARE``, ``INGEST_BOILERPLATE_WINDOW``, and the
    ``INGEST_DB_*_TIMEOUT`` settings. Stats:
    ``ingest/boilerplate/learned``, ``ingest/boilerplate/recleaned``.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        if not settings.getbool("INGEST_BOILERPLATE_LEARN"):
            raise NotConfigured("INGEST_BOILERPLATE_LEARN is off")
        self.url = settings.get("INGEST_DATABASE_URL")
        self.timeouts = Timeouts.from_settings(settings)
        self.thresholds = learned_boilerplate.Thresholds(
            min_articles=settings.getint("INGEST_BOILERPLATE_MIN_ARTICLES"),
            min_share=settings.getfloat("INGEST_BOILERPLATE_MIN_SHARE"),
            window=settings.getint("INGEST_BOILERPLATE_WINDOW"),
        )
        self.sites: set[str] = set()
        crawler.signals.connect(self._run_stored, signal=signals.run_stored)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleItem):
            self.sites.add(item.site)
        return item

    async def _run_stored(self) -> None:
        if self.sites:
            await asyncio.to_thread(self._learn)

    def _learn(self) -> None:
        engine = make_engine(self.url, timeouts=self.timeouts)
        try:
            for site in sorted(self.sites):
                try:
                    with make_sessionmaker(engine).begin() as session:
                        found, recleaned = learned_boilerplate.learn_site(
                            session, site, self.thresholds
                        )
                except DBAPIError as exc:
                    logger.error("could not learn the boilerplate of %s: %s", site, exc.orig)
                    self.stats.inc_value("ingest/boilerplate/failed")
                    continue
                if found:
                    logger.info(
                        "learned %d boilerplate paragraphs of %s; re-cleaned %d stored articles",
                        found,
                        site,
                        recleaned,
                    )
                    self.stats.inc_value("ingest/boilerplate/learned", found)
                    self.stats.inc_value("ingest/boilerplate/recleaned", recleaned)
        finally:
            engine.dispose()


class FallbackPipeline(_Stage):
    """Keep trafilatura's own text where pruning and cleaning kept much less of it than
    trafilatura finds on the whole page, once that is cleaned of identified boilerplate the
    same way (``ingest.extraction.fallback``). Stat: ``ingest/clean/fallback``.
    """

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        article, fell_back = fall_back(item)
        if fell_back:
            self.stats.inc_value("ingest/clean/fallback")
            logger.info(
                "%s: cleaning kept %d of the %d characters trafilatura finds; keeping those",
                item.url,
                len(item.text),
                len(article.text),
            )
        return article


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
    as a ``revisit`` record) and the ``INGEST_DB_*_TIMEOUT`` settings: a look-up the database
    does not answer in time is given up on, as when it is away. Needs ``StorePipeline``
    after it, which stores the location.
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
        self.timeouts = Timeouts.from_settings(crawler.settings)

    def open_spider(self) -> None:
        self.store.open()
        self.engine = make_engine(self.url, timeouts=self.timeouts)
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
        try:
            with self.sessions() as session:
                previous = page_location(session, canonical_url)
        except DBAPIError as exc:
            # The database is away (the store spools meanwhile): keep the whole page, not a
            # revisit of a place that cannot be looked up.
            logger.warning("previous page of %s not looked up: %s", canonical_url, exc.orig)
            previous = None
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

    The writes happen in ``ingest.storage.writer.ArticleWriter``'s thread, in batches, so the
    crawl never waits for the database. While the database is away (refused, lost or timed
    out connections) articles go to a local spool under ``INGEST_SPOOL_DIR`` and the database
    is retried with backoff; the spool is replayed when it answers again, at the end of the
    run, or by the next run. Only an article the database refuses (a value it rejects) is
    dropped, as ``StoreFailed``, and logged.

    Settings: ``INGEST_DATABASE_URL``, ``INGEST_AUTO_MIGRATE``, ``INGEST_SPOOL_DIR``,
    ``INGEST_STORE_BATCH``, ``INGEST_STORE_RETRY_BACKOFF``, ``INGEST_STORE_RETRY_BACKOFF_MAX``
    and the ``INGEST_DB_*_TIMEOUT`` settings.
    Stats: ``ingest/store/<new|updated|unchanged>``, ``ingest/spool/written`` (articles
    spooled), ``ingest/spool/replayed`` (spooled articles stored, this run's or earlier ones),
    ``ingest/spool/pending`` (left in the spool at the end: the run is not complete).
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.url = settings.get("INGEST_DATABASE_URL")
        self.auto_migrate = settings.getbool("INGEST_AUTO_MIGRATE", True)
        self.timeouts = Timeouts.from_settings(settings)
        self.writer = ArticleWriter(
            self.url,
            timeouts=self.timeouts,
            spool_dir=Path(settings.get("INGEST_SPOOL_DIR")),
            batch_size=settings.getint("INGEST_STORE_BATCH"),
            backoff_s=settings.getfloat("INGEST_STORE_RETRY_BACKOFF"),
            backoff_max_s=settings.getfloat("INGEST_STORE_RETRY_BACKOFF_MAX"),
            prepare=self._prepare,
        )

    def _prepare(self) -> None:
        # The check runs under the crawl's call deadline (a stall is a lost database); only a
        # migration, which may rightly take long, runs without one, and only when one is due.
        if is_up_to_date(self.url, self.timeouts):
            return
        if self.auto_migrate:
            # In a child process: Alembic is 11 MB that the crawl would hold for the whole run.
            # A failure stops the crawl (as a migration error in this process did), also one
            # of a database that went away after answering the check just above.
            upgrade_in_child(self.url)
        else:
            raise RuntimeError(
                "the database is behind its migrations; run `ingest db upgrade`"
                " or set INGEST_AUTO_MIGRATE"
            )

    def open_spider(self) -> None:
        # Once, before the crawl starts: a schema that cannot be migrated stops it here; an
        # unreachable database does not (the articles are spooled until it answers).
        self.writer.connect()
        self.writer.start()

    async def close_spider(self) -> None:
        await asyncio.to_thread(self.writer.close)
        replayed = self.writer.replayed
        for outcome, count in replayed.items():
            self.stats.inc_value(f"ingest/store/{outcome}", count)
        self.stats.set_value("ingest/spool/replayed", replayed.total())
        self.stats.set_value("ingest/spool/pending", self.writer.pending)
        if self.writer.refused_on_replay:
            self.stats.inc_value(
                "item_dropped_reasons_count/StoreFailed", self.writer.refused_on_replay
            )
        # Pipelines close concurrently: what reads the run's articles back starts now.
        await self.crawler.signals.send_catch_log_async(signals.run_stored)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        values = row_values(item)
        try:
            outcome = await asyncio.wrap_future(self.writer.submit(values, item.fetched_at))
        except Refused as exc:
            logger.error("the database refuses %s: %s", item.url, exc)
            raise StoreFailed(f"{item.url}: {exc}") from exc
        if outcome == SPOOLED:
            self.stats.inc_value("ingest/spool/written")
        else:
            self.stats.inc_value(f"ingest/store/{outcome}")
        return item
