"""Which discovered articles to fetch: every new one, and a known one only when it is due.

Without this a scheduled run fetches every article the sitemaps list, years of them, every
time. A known article is due when it is recent (published, or else first seen, less than
``INGEST_RECHECK_DAYS`` ago: news is edited in its first days, and each edit becomes a
revision) or when its sitemap ``<lastmod>`` is later than our last visit.
``INGEST_SKIP_KNOWN = False`` fetches every discovered article again.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from ingest.storage.queries import Visit, visits
from ingest.storage.session import make_engine, make_sessionmaker

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy import Engine

logger = logging.getLogger(__name__)


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


def is_due(
    visit: Visit | None, lastmod: datetime | None, *, now: datetime, recheck: timedelta
) -> bool:
    """Whether to fetch an article: new, changed since our visit, or still young."""
    if visit is None:
        return True
    if lastmod is not None and lastmod > visit.last_seen_at:
        return True
    return now - (visit.published_at or visit.first_seen_at) < recheck


class KnownArticles:
    """Looks discovered URLs up in the archive and keeps those due a visit.

    A database it cannot read (not created yet, gone away) makes every URL due: a crawl
    fetches too much rather than miss an article.
    """

    def __init__(self, database_url: str, *, recheck: timedelta) -> None:
        self.database_url = database_url
        self.recheck = recheck
        self.now = datetime.now(UTC)
        self._engine: Engine | None = None

    def due(self, candidates: Sequence[tuple[Sequence[str], datetime | None]]) -> list[bool]:
        """For each candidate (the URLs it may be stored under, its lastmod): fetch it?"""
        try:
            known = self._visits({url for keys, _ in candidates for url in keys})
        except SQLAlchemyError as exc:
            logger.warning("could not look up known articles (%s); fetching them all", exc)
            return [True] * len(candidates)
        return [
            is_due(
                next((known[k] for k in keys if k in known), None),
                lastmod,
                now=self.now,
                recheck=self.recheck,
            )
            for keys, lastmod in candidates
        ]

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

    def _visits(self, urls: set[str]) -> dict[str, Visit]:
        if self._engine is None:
            self._engine = make_engine(self.database_url)
        with make_sessionmaker(self._engine)() as session:
            return visits(session, urls)
