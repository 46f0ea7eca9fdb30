"""Scrapy extensions: record each run in the archive and hand its figures to whoever watches."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from sqlalchemy.exc import SQLAlchemyError

from ingest.storage.repository import finish_crawl_run, start_crawl_run
from ingest.storage.session import make_engine, make_sessionmaker

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class CrawlRunRecorder:
    """Keep one ``crawl_runs`` row per run: inserted when the spider opens, completed when it closes.

    Settings: ``INGEST_DATABASE_URL``, ``INGEST_CRAWL_RUNS_ENABLED`` (default true).
    Needs ``StorePipeline``, which migrates the database before the spider opens. A database
    error here is logged and never stops the crawl: the articles matter more than the record.
    """

    def __init__(self, crawler: Crawler, url: str) -> None:
        self.crawler = crawler
        self.url = url
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("INGEST_CRAWL_RUNS_ENABLED", True):
            raise NotConfigured  # off by setting: nothing to warn about
        extension = cls(crawler, crawler.settings.get("INGEST_DATABASE_URL"))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        self.engine = make_engine(self.url)
        self.sessions = make_sessionmaker(self.engine)
        profile = getattr(spider, "profile", None)
        try:
            with self.sessions.begin() as session:
                self.run_id = start_crawl_run(
                    session,
                    spider=spider.name,
                    site=profile.key if profile else None,
                    started_at=datetime.now(UTC),
                    # Set by the scheduler of a worker on a shared run, which opens first.
                    shared_run=self.crawler.stats.get_value("ingest/shared_run"),
                )
        except SQLAlchemyError as exc:
            logger.error("could not record the start of this crawl run: %s", exc)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.run_id is not None:
            try:
                with self.sessions.begin() as session:
                    finish_crawl_run(
                        session,
                        self.run_id,
                        finished_at=datetime.now(UTC),
                        reason=reason,
                        stats=dict(self.crawler.stats.get_stats()),
                    )
            except SQLAlchemyError as exc:
                logger.error("could not record the end of crawl run %s: %s", self.run_id, exc)
        self.engine.dispose()


class StatsFileWriter:
    """Write the run's final stats as JSON when the spider closes, for cron jobs and monitors.

    Settings: ``INGEST_STATS_FILE`` (a path; the extension is off when it is empty).
    """

    def __init__(self, crawler: Crawler, path: Path) -> None:
        self.crawler = crawler
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        path = crawler.settings.get("INGEST_STATS_FILE")
        if not path:
            raise NotConfigured  # no file asked for: nothing to warn about
        extension = cls(crawler, Path(path))
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, reason: str) -> None:
        stats: dict[str, Any] = dict(self.crawler.stats.get_stats())
        stats["finish_reason"] = reason
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(
            json.dumps(stats, default=str, indent=1, sort_keys=True), encoding="utf-8"
        )
