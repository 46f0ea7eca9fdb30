"""Stream article rows out of the database for export: plain tuples, in batches, read ahead.

An export touches each row once, so it skips the ORM and row mappings and takes tuples as
they come, shaped by the database for the writer that takes them (see ``Shape``). A thread
fetches the next batch while the caller writes this one, so the database's work
(PostgreSQL's server process, or SQLite's C code, which runs without the GIL) overlaps the
writing.
"""

from __future__ import annotations

import queue
import threading
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Text, select

from ingest.storage.dialects import epoch_micros, iso_utc, json_text, utf8_bytes
from ingest.storage.queries import Filters, apply_filters
from ingest.storage.tables import JSONList, UTCDateTime, articles

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from sqlalchemy import Connection, Row, Select
    from sqlalchemy.orm import Session

#: Rows per batch; memory stays flat whatever the table size.
STREAM_BATCH = 1000
#: Batches fetched ahead of the writer.
READ_AHEAD = 2

#: How the values come. Lists are JSON text in both shapes.
#:
#: ``"text"``, for text formats: times as ISO 8601 UTC text ending in ``Z``, made by the
#: database (decoding them only to print them again was most of a text export's time).
#:
#: ``"arrow"``, for Parquet: times as integer microseconds since 1970 and ``Text`` columns
#: as UTF-8 bytes, which Arrow takes without decoding and encoding them again.
Shape = Literal["text", "arrow"]


def iter_article_rows(
    db: Connection | Session, filters: Filters, columns: Sequence[str], *, shape: Shape = "text"
) -> Iterator[Sequence[Row[Any]]]:
    """Yield batches of the given columns of every article that passes the filters, oldest
    first, with values in ``shape``.

    ``db`` (a connection, or a session) must be left alone until the iterator is exhausted
    or closed: a thread uses it meanwhile.
    """
    statement = select(*(_render(articles.c[name], shape).label(name) for name in columns))
    statement = apply_filters(statement, filters).order_by(articles.c.id)
    # PostgreSQL sends the rows in its binary format, which psycopg reads without parsing.
    statement = statement.execution_options(binary_results=True)
    return _read_ahead(_batches(db, statement))


def _batches(db: Connection | Session, statement: Select[Any]) -> Iterator[Sequence[Row[Any]]]:
    # yield_per: a server-side cursor on PostgreSQL, fetchmany on SQLite.
    result = db.execute(statement.execution_options(yield_per=STREAM_BATCH))
    try:
        yield from result.partitions()
    finally:
        result.close()


def _render(column: Any, shape: Shape) -> Any:
    """Return a column as the export takes it (see ``Shape``)."""
    if isinstance(column.type, JSONList):
        return json_text(column)
    if shape == "arrow" and isinstance(column.type, Text):
        return utf8_bytes(column)
    if not isinstance(column.type, UTCDateTime):
        return column
    return epoch_micros(column) if shape == "arrow" else iso_utc(column)


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


_DONE = object()


def _read_ahead(batches: Iterator[Any], depth: int = READ_AHEAD) -> Iterator[Any]:
    """Yield what ``batches`` yields, produced by a thread up to ``depth`` items ahead.

    An error in the thread is raised here. If the caller stops early (a closed pipe), the
    thread is told to stop, closes ``batches`` (and with it the database cursor) and is
    joined before this generator returns.
    """
    handoff: queue.Queue[Any] = queue.Queue(depth)
    stop = threading.Event()

    def hand_over(item: Any) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.05)
            except queue.Full:
                continue
            return True
        return False

    def produce() -> None:
        try:
            for batch in batches:
                if not hand_over(batch):
                    return
            hand_over(_DONE)
        except BaseException as error:  # noqa: BLE001 - handed to the consumer, which raises it
            hand_over(_Failed(error))
        finally:
            close = getattr(batches, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="ingest-read-ahead", daemon=True)
    thread.start()
    try:
        while (item := handoff.get()) is not _DONE:
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stop.set()
        thread.join()
