"""``ingest spool replay``: store what crawls left in the spool, without running a crawl.

The work is the crawl's own (``ArticleWriter.connect`` migrates, then replays every spool
file no live process holds), so a replay by hand and one at the start of a run behave alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ingest.storage import migrate
from ingest.storage.dialects import Timeouts
from ingest.storage.writer import ArticleWriter

if TYPE_CHECKING:
    from collections import Counter
    from pathlib import Path


class DatabaseUnavailable(Exception):
    """The database did not answer; the spool is left as it was."""


@dataclass(frozen=True, slots=True)
class Replayed:
    #: Outcomes of the stored articles: {"new": 10, "unchanged": 2}.
    outcomes: Counter[str]
    #: Articles the database refused (logged); they are gone from the spool.
    refused: int


def replay_spool(url: str, spool_dir: Path, *, batch_size: int = 100) -> Replayed:
    writer = ArticleWriter(
        url,
        timeouts=Timeouts(),
        spool_dir=spool_dir,
        batch_size=batch_size,
        backoff_s=0,
        backoff_max_s=0,
        prepare=lambda: migrate.upgrade(url),
    )
    try:
        if not writer.connect():
            raise DatabaseUnavailable(writer.last_error)
    finally:
        writer.close()
    return Replayed(writer.replayed, writer.refused_on_replay)
