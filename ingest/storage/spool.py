"""A local spool of articles the database could not take: JSON lines, fsync'd, one file per process.

Each crawl process writes its own file, ``<database key>-<pid>-<random>.jsonl`` in the spool
folder, and holds an exclusive ``flock`` on it for as long as it lives. A file nobody holds is
one a finished or killed run left behind: the next run for the same database (or
``ingest spool replay``) takes the lock, stores its records and deletes it. Two processes
therefore never replay the same file, and never replay a file that is still being written.
The database key is a hash of its URL, so records only ever go back to the database they
were meant for.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path
    from typing import IO

logger = logging.getLogger(__name__)

_DATETIME = "$datetime"


@dataclass(frozen=True, slots=True)
class Record:
    """One article as ``upsert_article`` takes it: its values and when it was fetched."""

    values: dict[str, Any]
    seen_at: datetime


def database_key(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:16]


class Spool:
    """This process's spool file for one database; created on the first write."""

    def __init__(self, directory: Path, database_url: str) -> None:
        self.directory = directory
        self.key = database_key(database_url)
        self.path = directory / f"{self.key}-{os.getpid()}-{uuid.uuid4().hex[:8]}.jsonl"
        self._file: IO[str] | None = None
        self.count = 0

    def append(self, records: list[Record]) -> None:
        """Write the records and fsync them: once this returns they survive a crash."""
        if self._file is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held for life
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._file.seek(0, os.SEEK_END)
        self._file.write("".join(_encode(record) for record in records))
        self._file.flush()
        os.fsync(self._file.fileno())
        self.count += len(records)

    def records(self) -> list[Record]:
        if self._file is None:
            return []
        self._file.seek(0)
        return list(_decode_lines(self._file, self.path))

    def clear(self) -> None:
        """Forget the records: they are in the database now."""
        if self._file is not None:
            self._file.truncate(0)
            os.fsync(self._file.fileno())
        self.count = 0

    def close(self) -> None:
        """Release the file: deleted when empty, otherwise left for the next run to replay."""
        if self._file is None:
            return
        if self.count == 0:
            self.path.unlink(missing_ok=True)
        self._file.close()  # closing releases the lock
        self._file = None


def replay_orphans(
    directory: Path, database_url: str, store: Callable[[list[Record]], None], batch: int
) -> int:
    """Store the records of every spool file for this database that no process holds; return
    how many were stored. A file is deleted only once all its records are in; when ``store``
    raises, the file stays whole for the next try (records already stored are stored again,
    which ``upsert_article`` turns into no change)."""
    replayed = 0
    for path in sorted(directory.glob(f"{database_key(database_url)}-*.jsonl")):
        with open(path, "r+", encoding="utf-8") as file:
            try:
                fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a live crawl's own spool
            if not os.path.exists(path):
                continue  # replayed and deleted by another process since we listed it
            records = list(_decode_lines(file, path))
            for start in range(0, len(records), batch):
                store(records[start : start + batch])
            path.unlink()
            replayed += len(records)
            logger.info("replayed %d spooled articles from %s", len(records), path)
    return replayed


def _encode(record: Record) -> str:
    return json.dumps({"values": record.values, "seen_at": record.seen_at}, default=_tag) + "\n"


def _tag(value: Any) -> Any:
    if isinstance(value, datetime):
        return {_DATETIME: value.isoformat()}
    raise TypeError(f"cannot spool a {type(value).__name__}")


def _untag(obj: dict[str, Any]) -> Any:
    return datetime.fromisoformat(obj[_DATETIME]) if _DATETIME in obj else obj


def _decode_lines(file: IO[str], path: Path) -> Iterator[Record]:
    for number, line in enumerate(file, 1):
        try:
            data = json.loads(line, object_hook=_untag)
        except json.JSONDecodeError:
            # Only the last line can be cut short, by a crash while writing it; its item was
            # never acknowledged, so the crawl that wrote it did not count it as spooled.
            logger.warning("skipping unreadable line %d of spool file %s", number, path)
            continue
        yield Record(data["values"], data["seen_at"])
