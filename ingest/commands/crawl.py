"""``scrapy crawl``, with an exit status that says how the run went and one line when it cannot start.

Scrapy's own command exits 0 whenever the crawl got going, whatever happened after, so cron
cannot tell a run that stored nothing from a good one; and a run that cannot start (a bad
argument, no database) ends in screens of knock-on tracebacks. This one:

- exits 2 with one line when the spider refuses its arguments (``ValueError`` from its
  ``__init__``: an unknown edition, a missing URL file);
- exits 1 with one line when the database, or the Redis of a shared run
  (``INGEST_REDIS_URL``), cannot be reached, checked before the crawl;
- exits 1 when the run's verdict (``ingest.extensions.RunVerdict``) is not healthy;
- limits the C allocator's arenas before any thread starts (``ingest.malloc``).
"""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING, Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from sqlalchemy.exc import SQLAlchemyError

from ingest.extensions import VERDICT_STAT
from ingest.health import HEALTHY
from ingest.malloc import CRAWL_ARENAS, limit_arenas
from ingest.storage.session import make_engine

if TYPE_CHECKING:
    import argparse

    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

USAGE_ERROR = 2
FAILED = 1


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider: scrapy crawl <spider>")
        assert self.crawler_process
        # Before any thread starts (the database writer, the reactor's pools): see ingest.malloc.
        limit_arenas(CRAWL_ARENAS)
        name = args[0]
        if problem := _database_problem(self.settings.get("INGEST_DATABASE_URL")):
            self._fail(name, FAILED, f"database unreachable: {problem}")
            return
        redis_url = self.settings.get("INGEST_REDIS_URL")
        if redis_url and (problem := _redis_problem(redis_url)):
            self._fail(name, FAILED, f"Redis unreachable: {problem}")
            return
        crawler = self._create_crawler(name)
        errors: list[BaseException] = []
        started = self.crawler_process.crawl(crawler, **opts.spargs)
        _collect_error(started, errors)
        self.crawler_process.start()
        if errors:
            error = errors[0]
            bad_argument = (
                isinstance(error, ValueError) and getattr(crawler, "spider", None) is None
            )
            self._fail(
                name,
                USAGE_ERROR if bad_argument else FAILED,
                str(error) if bad_argument else f"{type(error).__name__}: {error}",
            )
        elif self.crawler_process.bootstrap_failed or _unhealthy(crawler):
            self.exitcode = FAILED

    def _fail(self, spider: str, code: int, message: str) -> None:
        print(f"scrapy crawl {spider}: {message}", file=sys.stderr)
        self.exitcode = code


def _unhealthy(crawler: Crawler) -> bool:
    return crawler.stats.get_value(VERDICT_STAT) not in (None, HEALTHY)


def _collect_error(started: Any, errors: list[BaseException]) -> None:
    """Take the exception that stopped the crawl from starting, so that it is reported once,
    by us, and not again as an unretrieved task or an unhandled Deferred error."""
    if isinstance(started, asyncio.Future):

        def done(task: asyncio.Future[Any]) -> None:
            if not task.cancelled() and task.exception() is not None:
                errors.append(task.exception())  # type: ignore[arg-type]

        started.add_done_callback(done)
    else:

        def failed(failure: Failure) -> None:
            errors.append(failure.value)

        started.addErrback(failed)


def _database_problem(url: str) -> str | None:
    """Connect once to the archive; return why that failed, in one line, or None."""
    try:
        engine = make_engine(url)  # creates a SQLite file's folder, which may fail
    except (SQLAlchemyError, OSError) as exc:
        return str(exc).splitlines()[0]
    try:
        with engine.connect():
            return None
    except SQLAlchemyError as exc:
        return str(exc.orig or exc).splitlines()[0]
    finally:
        engine.dispose()


def _redis_problem(url: str) -> str | None:
    """Ask the shared run's Redis for a PONG; return why that failed, in one line, or None."""
    # Imported here: a crawl of its own never loads the Redis client (6 MB).
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=10, socket_timeout=10)
    except ValueError as exc:  # not a redis:// URL
        return str(exc)
    try:
        client.ping()
    except redis.RedisError as exc:
        return str(exc).splitlines()[0]
    finally:
        client.close()
    return None
