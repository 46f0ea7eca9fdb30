"""Scrapy extensions: record each run in the archive and hand its figures to whoever watches."""

from __future__ import annotations

import json
import logging
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from sqlalchemy.exc import SQLAlchemyError

from ingest.health import Thresholds, judge
from ingest.storage.dialects import Timeouts
from ingest.storage.queries import stored_in_earlier_runs
from ingest.storage.repository import finish_crawl_run, mark_killed_runs, start_crawl_run
from ingest.storage.session import make_engine, make_sessionmaker

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


VERDICT_STAT = "ingest/run/verdict"
VERDICT_REASON_STAT = "ingest/run/verdict_reason"


class RunVerdict:
    """Judge the run as it closes (``ingest.health``) and put the verdict in its stats.

    Settings: ``INGEST_HEALTH_ENABLED``, the ``INGEST_HEALTH_*`` thresholds, and the
    ``INGEST_DB_*_TIMEOUT`` settings for that read. Stats:
    ``ingest/run/verdict`` and ``ingest/run/verdict_reason``, which ``CrawlRunRecorder``
    stores and ``ingest.commands.crawl`` turns into the exit status. Whether earlier runs of
    this spider and site stored articles is read from the archive when the spider opens.
    """

    def __init__(self, crawler: Crawler, url: str, limits: Thresholds, timeouts: Timeouts) -> None:
        self.crawler = crawler
        self.url = url
        self.limits = limits
        self.timeouts = timeouts
        self.stored_before = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("INGEST_HEALTH_ENABLED"):
            raise NotConfigured  # off by setting: nothing to warn about
        limits = Thresholds(
            min_pages=settings.getint("INGEST_HEALTH_MIN_PAGES"),
            max_failed_share=settings.getfloat("INGEST_HEALTH_MAX_FAILED_SHARE"),
            max_dropped_share=settings.getfloat("INGEST_HEALTH_MAX_DROPPED_SHARE"),
        )
        extension = cls(
            crawler, settings.get("INGEST_DATABASE_URL"), limits, Timeouts.from_settings(settings)
        )
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        profile = getattr(spider, "profile", None)
        engine = make_engine(self.url, timeouts=self.timeouts)
        try:
            with make_sessionmaker(engine)() as session:
                self.stored_before = stored_in_earlier_runs(
                    session, spider=spider.name, site=profile.key if profile else None
                )
        except SQLAlchemyError as exc:
            logger.error("could not read earlier crawl runs: %s", exc)
        finally:
            engine.dispose()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.crawler.stats
        assert stats is not None
        verdict = judge(
            dict(stats.get_stats()), reason, self.limits, stored_before=self.stored_before
        )
        stats.set_value(VERDICT_STAT, verdict.verdict)
        stats.set_value(VERDICT_REASON_STAT, verdict.reason)
        if verdict.healthy:
            logger.info("run healthy: %s", verdict.reason)
        else:
            logger.error("run unhealthy: %s", verdict.reason)


class CrawlRunRecorder:
    """Keep one ``crawl_runs`` row per run: inserted when the spider opens, completed when it closes.

    Settings: ``INGEST_DATABASE_URL``, ``INGEST_CRAWL_RUNS_ENABLED`` (default true), the
    ``INGEST_DB_*_TIMEOUT`` settings (these calls run on the crawl's own thread: a database
    that stops answering must not hold it).
    Needs ``StorePipeline``, which migrates the database before the spider opens. A database
    error here is logged and never stops the crawl: the articles matter more than the record.
    """

    def __init__(self, crawler: Crawler, url: str, timeouts: Timeouts) -> None:
        self.crawler = crawler
        self.url = url
        self.timeouts = timeouts
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("INGEST_CRAWL_RUNS_ENABLED", True):
            raise NotConfigured  # off by setting: nothing to warn about
        settings = crawler.settings
        extension = cls(
            crawler, settings.get("INGEST_DATABASE_URL"), Timeouts.from_settings(settings)
        )
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        self.engine = make_engine(self.url, timeouts=self.timeouts)
        self.sessions = make_sessionmaker(self.engine)
        profile = getattr(spider, "profile", None)
        host = socket.gethostname()
        try:
            with self.sessions.begin() as session:
                if killed := mark_killed_runs(session, host=host, is_running=_is_running):
                    logger.warning(
                        "marked %d earlier run(s) whose process is gone as killed", killed
                    )
                self.run_id = start_crawl_run(
                    session,
                    spider=spider.name,
                    site=profile.key if profile else None,
                    started_at=datetime.now(UTC),
                    # Set by the scheduler of a worker on a shared run, which opens first.
                    shared_run=self.crawler.stats.get_value("ingest/shared_run"),
                    pid=os.getpid(),
                    host=host,
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
                        verdict=self.crawler.stats.get_value(VERDICT_STAT),
                        verdict_reason=self.crawler.stats.get_value(VERDICT_REASON_STAT),
                    )
            except SQLAlchemyError as exc:
                logger.error("could not record the end of crawl run %s: %s", self.run_id, exc)
        self.engine.dispose()


def _is_running(pid: int) -> bool:
    """Say whether a process with this id exists on this host (signal 0 only checks)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


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
