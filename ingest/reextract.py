"""Re-extract the archive: make every article again from its stored page with today's code.

No network: pages come from the raw store (``ingest.raw``). Extraction runs in a pool of
worker processes, as a crawl's does, while this process writes the results. Articles are read
in id order in batches, and each batch is committed on its own, so an interrupted run keeps
what it finished and a second run finds those articles unchanged and goes on.
"""

from __future__ import annotations

import difflib
import logging
import multiprocessing
import os
import time
from collections import Counter
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from ingest.reextract_worker import Result, Task, remake_article, start_worker
from ingest.storage import boilerplate as learned_boilerplate
from ingest.storage import queries
from ingest.storage.models import Article
from ingest.storage.repository import (
    CONTENT_COLUMNS,
    apply_reextraction,
    finish_reextract_run,
    start_crawl_run,
)
from ingest.storage.session import make_engine, make_sessionmaker

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path
    from typing import TextIO

    from sqlalchemy.orm import Session, sessionmaker

logger = logging.getLogger(__name__)

# Articles read, extracted and committed together: large enough to keep the workers busy
# while the previous batch is written, small enough that an interruption loses little.
BATCH_SIZE = 200
SHOWN_DIFFS = 3
SHOWN_FAILURES = 5


@dataclass
class Report:
    """What a run did; ``failed`` counts by reason, ``examples`` holds a few failure lines."""

    total: int = 0
    read: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False
    #: Why the run stopped before its end, other than Ctrl-C; None when it did not.
    error: str | None = None


def reextract(
    database_url: str,
    raw_dir: Path,
    filters: queries.Filters,
    *,
    limit: int | None,
    dry_run: bool,
    workers: int,
    min_chars: int,
    progress: TextIO | None = None,
) -> Report:
    """Re-extract the stored pages of the articles that pass ``filters``.

    Writes nothing with ``dry_run``; otherwise records the run in ``crawl_runs`` (spider
    ``reextract``), finished with reason ``finished``, ``interrupted`` (a
    ``KeyboardInterrupt``: the batch being written is rolled back, earlier ones stay) or
    ``failed`` (a worker process died; ``Report.error`` says so).
    """
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    report = Report()
    started = time.monotonic()
    run_id = None
    pool = _pool(workers)
    try:
        with sessions() as session:
            report.total = min(_count(session, filters), limit or 2**63)
            learned = learned_boilerplate.load_learned(session)
        if not dry_run:
            with sessions.begin() as session:
                run_id = start_crawl_run(
                    session, spider="reextract", site=filters.site, started_at=datetime.now(UTC)
                )
        try:
            _Job(
                sessions,
                pool,
                raw_dir,
                filters,
                limit,
                dry_run,
                min_chars,
                learned,
                report,
                progress,
            ).run()
        except KeyboardInterrupt:
            report.interrupted = True
        except BrokenProcessPool:
            # A worker was killed (OOM killer) or crashed in native code: stop, keep what is
            # committed, and say so; a rerun carries on from there.
            report.error = "an extraction worker process died"
        report.seconds = time.monotonic() - started
        if run_id is not None:
            with sessions.begin() as session:
                finish_reextract_run(
                    session,
                    run_id,
                    finished_at=datetime.now(UTC),
                    reason=_finish_reason(report),
                    read=report.read,
                    changed=report.changed,
                    unchanged=report.unchanged,
                    failed=dict(report.failed),
                )
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        engine.dispose()
        if progress is not None:
            print("\r\033[K", end="", file=progress, flush=True)
    return report


def _finish_reason(report: Report) -> str:
    if report.error:
        return "failed"
    return "interrupted" if report.interrupted else "finished"


def _pool(workers: int) -> ProcessPoolExecutor | None:
    if workers <= 0:
        return None
    # "spawn", not fork: no copy of this process's database connections.
    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=start_worker,
        initargs=(os.getpid(),),
    )


def _count(session: Session, filters: queries.Filters) -> int:
    statement = select(func.count()).select_from(Article).where(Article.warc_file.is_not(None))
    statement = queries.apply_filters(statement, filters)
    return session.scalar(statement) or 0


@dataclass
class _Job:
    """One run's inputs and its report, shared by the steps below."""

    sessions: sessionmaker[Session]
    pool: ProcessPoolExecutor | None
    raw_dir: Path
    filters: queries.Filters
    limit: int | None
    dry_run: bool
    min_chars: int
    #: (site, edition or "") → digests of its learned boilerplate, read once at the start.
    learned: dict[tuple[str, str], frozenset[str]]
    report: Report
    progress: TextIO | None

    def run(self) -> None:
        """Extract batch n+1 in the workers while batch n is compared and written here."""
        in_flight: list[Future[Result]] | None = None
        for batch in self._batches():
            submitted = [self._submit(task) for task in batch]
            if in_flight is not None:
                self._apply([f.result() for f in in_flight])
            in_flight = submitted
        if in_flight is not None:
            self._apply([f.result() for f in in_flight])

    def _batches(self) -> Iterator[list[Task]]:
        """Yield the articles to re-extract as tasks, in id order (keyset pages: no OFFSET)."""
        last_id, left = 0, self.limit
        while left is None or left > 0:
            size = BATCH_SIZE if left is None else min(BATCH_SIZE, left)
            with self.sessions() as session:
                statement = (
                    select(Article.id, Article.site, Article.edition, *_LOCATION)
                    .where(Article.warc_file.is_not(None), Article.id > last_id)
                    .order_by(Article.id)
                    .limit(size)
                )
                statement = queries.apply_filters(statement, self.filters)
                rows = session.execute(statement).all()
            if not rows:
                return
            yield [
                Task(
                    article_id=row.id,
                    raw_dir=str(self.raw_dir),
                    location=queries.location_of(row),  # type: ignore[arg-type]
                    site=row.site,
                    edition=row.edition,
                    min_chars=self.min_chars,
                    learned=self.learned.get((row.site, row.edition or ""), frozenset()),
                )
                for row in rows
            ]
            last_id = rows[-1].id
            if left is not None:
                left -= len(rows)

    def _submit(self, task: Task) -> Future[Result]:
        if self.pool is not None:
            return self.pool.submit(remake_article, task)
        done: Future[Result] = Future()
        done.set_result(remake_article(task))
        return done

    def _apply(self, results: list[Result]) -> None:
        """Compare one batch with the stored rows; write the changed ones in one transaction."""
        report, now = self.report, datetime.now(UTC)
        with self.sessions() if self.dry_run else self.sessions.begin() as session:
            for result in results:
                report.read += 1
                if result.article is None:
                    report.failed[result.failure or "unknown"] += 1
                    if len(report.examples) < SHOWN_FAILURES:
                        report.examples.append(f"{result.failure}: {result.message}")
                    logger.info(
                        "article %d: %s: %s", result.article_id, result.failure, result.message
                    )
                    continue
                values = {c: getattr(result.article, c) for c in CONTENT_COLUMNS}
                if self.dry_run:
                    changed = _differs(session, result.article_id, values, report)
                else:
                    changed = apply_reextraction(session, result.article_id, values, now)
                if changed:
                    report.changed += 1
                else:
                    report.unchanged += 1
        if self.progress is not None:
            print(
                f"\rre-extracting… {report.read:,}/{report.total:,} read,"
                f" {report.changed:,} changed, {sum(report.failed.values()):,} failed",
                end="",
                file=self.progress,
                flush=True,
            )


_LOCATION = (Article.warc_file, Article.warc_offset, Article.warc_length, Article.warc_digest)


def _differs(session: Session, article_id: int, values: dict[str, Any], report: Report) -> bool:
    """Return whether the article would change; keep a diff of the first few that would."""
    row = session.get_one(Article, article_id)
    fields = [c for c in CONTENT_COLUMNS if getattr(row, c) != values.get(c)]
    if fields and len(report.diffs) < SHOWN_DIFFS:
        lines = [f"article {article_id} ({row.canonical_url}): {', '.join(fields)}"]
        for name in fields:
            before, after = getattr(row, name), values.get(name)
            if isinstance(before, str) and isinstance(after, str):
                lines += difflib.unified_diff(
                    before.split("\n"), after.split("\n"), name, f"{name} (new)", lineterm="", n=1
                )
            else:
                lines += [f"--- {name}: {before!r}", f"+++ {name}: {after!r}"]
        report.diffs.append("\n".join(lines))
    return bool(fields)
