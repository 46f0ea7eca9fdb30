"""The crawl's database writer: one thread that stores articles in batches, and spools them
when the database is away.

Scrapy runs fetching and extraction on one thread; a store that waited there for the
database (one round trip per article, or a whole connect timeout when the server is gone)
would stall the crawl. The pipeline hands each article to this thread and awaits a future.
The thread takes whatever has queued up, up to ``batch_size`` articles, and stores them in
one transaction. When the database cannot be reached, or a call times out, the batch goes
to the spool (``ingest.storage.spool``), later articles go there directly, and the database
is tried again after a backoff that doubles up to ``backoff_max_s``. Once it answers, the
spool is replayed. A value the database refuses is no outage: that article alone fails
(``Refused``), the rest of its batch is stored.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, SQLAlchemyError, StatementError

from ingest.storage.repository import Outcome, upsert_article
from ingest.storage.session import make_engine, make_sessionmaker
from ingest.storage.spool import Record, Spool, replay_orphans

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime
    from pathlib import Path

    from ingest.storage.dialects import Timeouts

logger = logging.getLogger(__name__)

#: What ``submit``'s future holds when the article went to the spool instead.
SPOOLED = "spooled"


class Refused(Exception):
    """The database refused this article for a reason a retry would not change."""


def is_refused(exc: BaseException) -> bool:
    """A value the database rejects (too long, a NUL byte, a broken constraint): storing the
    same article again would fail again. Any other database error (a lost, refused or
    timed-out connection, a schema or permission problem) is worth spooling for: the data is
    fine and the database may be fixed."""
    if isinstance(exc, DBAPIError):
        return isinstance(exc, (DataError, IntegrityError))
    return isinstance(exc, StatementError)  # a bind value our own types reject


@dataclass(slots=True)
class _Job:
    record: Record
    future: Future[str]


_CLOSE = object()


class ArticleWriter:
    """Store articles from a thread of its own; see the module docstring.

    ``prepare`` runs each time the database is (re)connected, before any write: the migrations.
    After ``close``, ``pending`` is the number of articles left in the spool and ``replayed``
    counts the outcomes of spooled articles stored, from this run or earlier ones.
    """

    def __init__(
        self,
        url: str,
        *,
        timeouts: Timeouts,
        spool_dir: Path,
        batch_size: int,
        backoff_s: float,
        backoff_max_s: float,
        prepare: Callable[[], None],
    ) -> None:
        self.url = url
        self.timeouts = timeouts
        self.spool_dir = spool_dir
        self.spool = Spool(spool_dir, url)
        self.batch_size = batch_size
        self.backoff_initial = backoff_s
        self.backoff_max = backoff_max_s
        self.prepare = prepare
        self.replayed: Counter[str] = Counter()
        self.refused_on_replay = 0
        #: Why the database was last found unavailable (one line), for whoever reports it.
        self.last_error = ""
        self._backoff = backoff_s
        self._down_until: float | None = None
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="ingest-store", daemon=True)

    @property
    def pending(self) -> int:
        return self.spool.count

    def connect(self) -> bool:
        """Migrate, then replay what earlier runs spooled; False when the database is away.

        ``prepare``'s errors that are not the database's (a schema that is behind with
        auto-migration off) propagate: they stop the crawl before it starts.
        """
        if not hasattr(self, "engine"):
            self.engine = make_engine(self.url, timeouts=self.timeouts)
            # SQLite: take the write lock at BEGIN (see dialects.sqlite.SQLiteBackend.configure).
            self.sessions = make_sessionmaker(
                self.engine.execution_options(sqlite_begin="IMMEDIATE")
            )
        try:
            self.prepare()  # again after each outage: the database may have been rebuilt
            if self.spool.count:
                self._replay(self.spool.records())
                self.spool.clear()
            replay_orphans(self.spool_dir, self.url, self._replay, self.batch_size)
        except SQLAlchemyError as exc:
            self._went_down(exc)
            return False
        if self._down_until is not None:
            logger.warning("the database is back; storing again")
        self._down_until = None
        self._backoff = self.backoff_initial
        return True

    def start(self) -> None:
        self._thread.start()

    def submit(self, values: dict[str, Any], seen_at: datetime) -> Future[str]:
        """Queue an article; the future holds its ``Outcome``, ``SPOOLED``, or ``Refused``."""
        future: Future[str] = Future()
        self._queue.put(_Job(Record(values, seen_at), future))
        return future

    def close(self) -> None:
        """Store (or spool) everything queued, try the spool once more, and let go of both."""
        if self._thread.ident is not None:
            self._queue.put(_CLOSE)
            self._thread.join()
        if self.spool.count:
            try:
                self.connect()
            except SQLAlchemyError as exc:
                logger.error(
                    "could not replay the spool at the end of the run: %s", _first_line(exc)
                )
        if self.spool.count:
            logger.error(
                "%d articles could not be stored and stay in %s; the next run replays them,"
                " or run `ingest spool replay`",
                self.spool.count,
                self.spool.path,
            )
        self.spool.close()
        if hasattr(self, "engine"):
            self.engine.dispose()

    def _run(self) -> None:
        closing = False
        while not closing:
            timeout = None
            if self._down_until is not None:
                timeout = max(0.0, self._down_until - time.monotonic())
            batch: list[_Job] = []
            try:
                item = self._queue.get(timeout=timeout)
                while True:
                    if item is _CLOSE:
                        closing = True
                        break
                    batch.append(item)
                    if len(batch) >= self.batch_size:
                        break
                    item = self._queue.get_nowait()
            except queue.Empty:
                pass
            if self._down_until is not None and time.monotonic() >= self._down_until:
                self._try_connect()
            if batch:
                self._store(batch)

    def _try_connect(self) -> None:
        try:
            self.connect()
        except Exception:
            logger.exception("could not reconnect to the database")
            self._went_down(None)

    def _store(self, batch: list[_Job]) -> None:
        if self._down_until is not None:
            self._to_spool(batch)
            return
        try:
            outcomes = self._write([job.record for job in batch])
        except SQLAlchemyError as exc:
            if not is_refused(exc):
                self._went_down(exc)
                self._to_spool(batch)
            elif len(batch) == 1:
                batch[0].future.set_exception(Refused(_first_line(exc)))
            else:
                for job in batch:  # find the one the database refuses; store the others
                    self._store([job])
            return
        except Exception as exc:  # noqa: BLE001 - hand it to the item, keep the thread alive
            for job in batch:
                job.future.set_exception(exc)
            return
        for job, outcome in zip(batch, outcomes, strict=True):
            job.future.set_result(outcome)

    def _write(self, records: list[Record]) -> list[Outcome]:
        with self.sessions.begin() as session:
            return [upsert_article(session, r.values, r.seen_at) for r in records]

    def _replay(self, records: list[Record]) -> None:
        """Store spooled records; one the database refuses is logged and left out."""
        try:
            self.replayed.update(self._write(records))
            return
        except SQLAlchemyError as exc:
            if not is_refused(exc):
                raise
            if len(records) == 1:
                self.refused_on_replay += 1
                logger.error(
                    "the database refuses spooled article %s: %s",
                    records[0].values.get("url"),
                    _first_line(exc),
                )
                return
        for record in records:
            self._replay([record])

    def _to_spool(self, batch: list[_Job]) -> None:
        try:
            self.spool.append([job.record for job in batch])
        except OSError as exc:
            for job in batch:
                job.future.set_exception(exc)
            return
        for job in batch:
            job.future.set_result(SPOOLED)

    def _went_down(self, exc: BaseException | None) -> None:
        self.last_error = _first_line(exc) if exc else "see the error above"
        logger.warning(
            "database unavailable (%s); spooling articles to %s, next try in %.0f s",
            self.last_error,
            self.spool.path,
            self._backoff,
        )
        self._down_until = time.monotonic() + self._backoff
        self._backoff = min(self._backoff * 2, self.backoff_max)


def _first_line(exc: BaseException) -> str:
    message = str(getattr(exc, "orig", None) or exc).strip()
    return message.splitlines()[0] if message else type(exc).__name__
