"""Item pipelines, one class per stage: extract → dedupe paragraphs → strip boilerplate → validate → store.

Scrapy glue only: each stage calls the pure functions of ``ingest.extraction`` or
``ingest.storage`` and turns their "no" into a ``DropItem`` subclass, which Scrapy counts in
the ``item_dropped_reasons_count/<Class>`` stats.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.exceptions import DropItem, NotConfigured
from sqlalchemy.exc import DBAPIError, OperationalError

from ingest.extract_pool import ExtractionPool, WorkerDied
from ingest.extract_worker import extract_page
from ingest.extraction.boilerplate import BoilerplateRules, strip_boilerplate
from ingest.extraction.fallback import should_fall_back
from ingest.extraction.paragraphs import dedupe_paragraphs
from ingest.extraction.site_boilerplate import strip_learned
from ingest.items import ArticleItem, PageItem
from ingest.profiles import PROFILES, Edition, SiteProfile, profile_for_url
from ingest.storage import boilerplate as learned_boilerplate
from ingest.storage import migrate
from ingest.storage.dialects import Timeouts
from ingest.storage.repository import CONTENT_COLUMNS
from ingest.storage.session import make_engine, make_sessionmaker
from ingest.storage.writer import SPOOLED, ArticleWriter, Refused

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

    from ingest.extraction.extract import Extracted

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


@dataclass(frozen=True, slots=True)
class _Rules:
    profile: SiteProfile | None
    boilerplate: BoilerplateRules


_GENERIC = _Rules(profile=None, boilerplate=BoilerplateRules())
_RULES = {
    key: _Rules(profile, BoilerplateRules(profile.boilerplate, profile.comment_markers))
    for key, profile in PROFILES.items()
}
_HTML_TYPES = ("text/html", "application/xhtml+xml")
# og:type values of pages that are not articles. Not "website": many news sites put it on
# their articles too.
_NON_ARTICLE_TYPES = ("video.", "music.", "profile", "book")


def _rules(site: str | None) -> _Rules:
    return _RULES.get(site or "", _GENERIC)


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
        profile = _rules(item.site).profile
        try:
            extracted = await self._extract(item, profile)
        except ValueError as exc:
            raise UnparseableHtml(f"{item.url}: {exc}") from exc
        if extracted is None:
            raise NoArticleBody(f"no main text found on {item.url}")
        site, edition_key = item.site, item.edition
        if profile is None and extracted.canonical_url:
            # A page listed from a mirror or an unknown host whose canonical URL is a known
            # site's: it is that site's article, extracted again under that site's rules.
            profile = profile_for_url(extracted.canonical_url)
            if profile is not None:
                site = profile.key
                found = profile.edition_for(extracted.canonical_url)
                edition_key = found.key if found else None
                extracted = await self._extract(item, profile) or extracted
        edition = (
            next((e for e in profile.editions if e.key == edition_key), None) if profile else None
        )
        canonical = extracted.canonical_url
        if canonical and profile and profile.owns(canonical) and not profile.is_article(canonical):
            # A canonical link to a section or tag page is a template bug, not a merge order.
            logger.info("ignoring canonical %s of %s: not an article URL", canonical, item.url)
            canonical = None
        authors = list(extracted.authors)
        if profile is not None:
            authors = list(dict.fromkeys(profile.canonical_author(a) for a in authors))
        return ArticleItem(
            url=item.url,
            canonical_url=canonical or item.url,
            site=site or (urlsplit(item.url).hostname or "unknown"),
            edition=edition_key,
            language=_language(extracted.language, edition),
            section=extracted.section or (profile.section_from_url(item.url) if profile else None),
            title=extracted.title or "",
            text="\n".join(extracted.lines),
            authors=authors,
            published_at=extracted.published_at,
            modified_at=extracted.modified_at,
            tags=list(extracted.tags),
            image_url=extracted.image_url,
            image_caption=extracted.image_caption,
            fetched_at=item.fetched_at,
            page_type=extracted.page_type,
            reference_text="\n".join(extracted.reference_lines),
        )


# "ku" is the Kurdish macrolanguage: an edition that knows its variety (Sorani) refines it.
_KURDISH = frozenset({"ku", "ckb", "kmr", "sdh"})


def _language(page_language: str | None, edition: Edition | None) -> str | None:
    """Return the page's own language, or the edition's where the page is silent or vaguer."""
    if edition is None:
        return page_language
    if page_language is None or (page_language == "ku" and edition.language in _KURDISH):
        return edition.language
    return page_language


class DedupeParagraphsPipeline(_Stage):
    """Keep each paragraph once, at its first position. Stat: ``ingest/clean/repeated_paragraphs``."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        lines = item.text.split("\n")
        kept = dedupe_paragraphs(lines)
        if removed := len(lines) - len(kept):
            self.stats.inc_value("ingest/clean/repeated_paragraphs", removed)
        item.text = "\n".join(kept)
        return item


class BoilerplatePipeline(_Stage):
    """Strip comment blocks, widgets, header labels; move the caption out of the text.

    Stat: ``ingest/clean/boilerplate_lines``.
    """

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        lines = item.text.split("\n")
        cleaned = strip_boilerplate(
            lines,
            _rules(item.site).boilerplate,
            title=item.title,
            section=item.section,
            authors=item.authors,
            image_caption=item.image_caption,
        )
        if removed := len(lines) - len(cleaned.lines):
            self.stats.inc_value("ingest/clean/boilerplate_lines", removed)
        item.text = "\n".join(cleaned.lines)
        item.image_caption = cleaned.image_caption
        item.lead = cleaned.lines[0] if cleaned.lines else None
        return item


class SiteBoilerplatePipeline(_Stage):
    """Strip the paragraphs learned as the site's boilerplate (see ``LearnBoilerplatePipeline``).

    Reads what was learned once, when the run opens; a database that does not answer then
    means nothing is stripped this run (logged; the next learning re-cleans what got in).
    Stat: ``ingest/clean/learned_boilerplate_lines``.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.url = crawler.settings.get("INGEST_DATABASE_URL")
        self.learned: dict[tuple[str, str], frozenset[str]] = {}

    def open_spider(self) -> None:
        engine = make_engine(self.url)
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
        if not digests:
            return item
        lines = item.text.split("\n")
        kept = strip_learned(lines, digests)
        if removed := len(lines) - len(kept):
            self.stats.inc_value("ingest/clean/learned_boilerplate_lines", removed)
            item.text = "\n".join(kept)
            item.lead = kept[0] if kept else None
        return item


class LearnBoilerplatePipeline(_Stage):
    """When the run closes, learn each crawled site's boilerplate from its stored articles and
    re-clean the stored articles that carry what was newly learned.

    Waits for ``StorePipeline``'s writer to finish, so it counts what this run stored, then
    works in a thread, off the reactor. A database error is logged and counted
    (``ingest/boilerplate/failed``); the next run learns again. Settings:
    ``INGEST_BOILERPLATE_LEARN``, ``INGEST_BOILERPLATE_MIN_ARTICLES``,
    ``INGEST_BOILERPLATE_MIN_SHARE``, ``INGEST_BOILERPLATE_WINDOW``. Stats:
    ``ingest/boilerplate/learned``, ``ingest/boilerplate/recleaned``.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        if not settings.getbool("INGEST_BOILERPLATE_LEARN"):
            raise NotConfigured("INGEST_BOILERPLATE_LEARN is off")
        self.url = settings.get("INGEST_DATABASE_URL")
        self.thresholds = learned_boilerplate.Thresholds(
            min_articles=settings.getint("INGEST_BOILERPLATE_MIN_ARTICLES"),
            min_share=settings.getfloat("INGEST_BOILERPLATE_MIN_SHARE"),
            window=settings.getint("INGEST_BOILERPLATE_WINDOW"),
        )
        self.sites: set[str] = set()

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleItem):
            self.sites.add(item.site)
        return item

    async def close_spider(self) -> None:
        if not self.sites:
            return
        engine = self.crawler.engine
        stages = engine.scraper.itemproc.middlewares if engine is not None else ()
        for store in (s for s in stages if isinstance(s, StorePipeline)):
            await store.closed.wait()
        await asyncio.to_thread(self._learn)

    def _learn(self) -> None:
        engine = make_engine(self.url)
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
        reference, item.reference_text = item.reference_text, ""
        if not reference:
            return item
        lines = dedupe_paragraphs(reference.split("\n"))
        cleaned = strip_boilerplate(
            lines,
            _rules(item.site).boilerplate,
            title=item.title,
            section=item.section,
            authors=item.authors,
            image_caption=item.image_caption,
        )
        kept = item.text.split("\n") if item.text else []
        if should_fall_back(kept, cleaned.lines):
            self.stats.inc_value("ingest/clean/fallback")
            logger.info(
                "%s: cleaning kept %d of the %d characters trafilatura finds; keeping those",
                item.url,
                len(item.text),
                sum(len(x) for x in cleaned.lines),
            )
            item.text = "\n".join(cleaned.lines)
            item.image_caption = cleaned.image_caption
            item.lead = cleaned.lines[0] if cleaned.lines else None
        return item


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
        if item.page_type and item.page_type.startswith(_NON_ARTICLE_TYPES):
            raise NotAnArticle(f"{item.url} is a {item.page_type} page")
        if len(item.text) < self.min_chars:
            raise TooShort(f"{item.url}: {len(item.text)} characters of text after cleaning")
        if not item.title:
            raise NoTitle(f"{item.url} has no title")
        return item


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
        self.writer = ArticleWriter(
            self.url,
            timeouts=Timeouts(
                connect_s=settings.getint("INGEST_DB_CONNECT_TIMEOUT"),
                statement_ms=int(settings.getfloat("INGEST_DB_STATEMENT_TIMEOUT") * 1000),
                stall_s=settings.getint("INGEST_DB_STALL_TIMEOUT"),
            ),
            spool_dir=Path(settings.get("INGEST_SPOOL_DIR")),
            batch_size=settings.getint("INGEST_STORE_BATCH"),
            backoff_s=settings.getfloat("INGEST_STORE_RETRY_BACKOFF"),
            backoff_max_s=settings.getfloat("INGEST_STORE_RETRY_BACKOFF_MAX"),
            prepare=self._prepare,
        )
        #: Set once the writer has stored (or spooled) everything: stages that read what the
        #: run stored wait for it (pipelines close concurrently).
        self.closed = asyncio.Event()

    def _prepare(self) -> None:
        if self.auto_migrate:
            migrate.upgrade(self.url)
        elif not migrate.is_up_to_date(self.url):
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
        try:
            await asyncio.to_thread(self.writer.close)
        finally:
            self.closed.set()
        replayed = self.writer.replayed
        for outcome, count in replayed.items():
            self.stats.inc_value(f"ingest/store/{outcome}", count)
        self.stats.set_value("ingest/spool/replayed", replayed.total())
        self.stats.set_value("ingest/spool/pending", self.writer.pending)
        if self.writer.refused_on_replay:
            self.stats.inc_value(
                "item_dropped_reasons_count/StoreFailed", self.writer.refused_on_replay
            )

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        values = {c: getattr(item, c) for c in CONTENT_COLUMNS}
        values["canonical_url"] = item.canonical_url
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
