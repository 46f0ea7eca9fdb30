"""Everything that is SQLite's own: engine set-up, the upsert, the migration lock, search over
FTS5, query time limits, and the SQL of the shared constructs."""

from __future__ import annotations

import fcntl
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    LargeBinary,
    String,
    Text,
    case,
    cast,
    desc,
    event,
    func,
    literal_column,
    select,
    table,
    type_coerce,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.compiler import compiles

from ingest.storage import fulltext
from ingest.storage.dialects.base import (
    QueryTimeout,
    epoch_micros,
    iso_utc,
    json_array_length,
    json_elements,
    json_text,
    utc_day,
    utf8_bytes,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from sqlalchemy import Connection, Engine, Select, Table
    from sqlalchemy.engine import URL

    from ingest.storage.dialects.base import Timeouts

#: Virtual-machine instructions between two looks at the clock: about a tenth of a
#: millisecond of work, so a query overruns its limit by nothing a person notices.
_CHECK_EVERY = 1000


class SQLiteBackend:
    name: ClassVar[str] = "sqlite"
    #: SQLite alters a table by copying it; Alembic's batch mode does that.
    render_as_batch: ClassVar[bool] = True

    @staticmethod
    def insert(table: Table) -> sqlite.Insert:
        return sqlite.insert(table)

    @staticmethod
    def json_type() -> JSON:
        return JSON()

    @staticmethod
    def database_file(url: URL) -> Path | None:
        """The file that holds the database (None: in memory)."""
        database = url.database
        return Path(database).expanduser() if database and database != ":memory:" else None

    @staticmethod
    def prepare(url: URL, engine_kwargs: dict[str, Any], timeouts: Timeouts) -> None:
        database = url.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def configure(engine: Engine, timeouts: Timeouts) -> None:
        """WAL, a busy timeout, and transactions that really begin where SQLAlchemy says.

        Python's sqlite3 module, left to itself, starts a transaction only before INSERT,
        UPDATE or DELETE and runs DDL outside any: a migration killed half-way then leaves a
        half-built schema. Taking over BEGIN (the recipe of SQLAlchemy's pysqlite docs) makes
        a migration run one transaction, as on PostgreSQL.
        """

        def on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we send BEGIN ourselves, below
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout={timeouts.busy_ms}")
            # WAL so readers never block the crawl; NORMAL: durable at checkpoints, but fast.
            _switch_to_wal(cursor, timeouts.busy_ms / 1000)
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        def on_begin(connection: Connection) -> None:
            # IMMEDIATE for writers: the write lock is taken (waiting up to the busy timeout)
            # before the first read, so a writer never fails on a snapshot made stale by
            # another process's commit.
            mode = connection.get_execution_options().get("sqlite_begin", "")
            connection.exec_driver_sql(f"BEGIN {mode}".strip())

        event.listen(engine, "connect", on_connect)
        event.listen(engine, "begin", on_begin)

    @staticmethod
    def break_connection(dbapi_connection: Any) -> None:
        """Stop the statement running on the connection: it fails as "interrupted"."""
        dbapi_connection.interrupt()

    @staticmethod
    @contextmanager
    def migration_lock(connection: Connection) -> Iterator[None]:
        """Hold an exclusive lock file beside the database while migrating."""
        database = connection.engine.url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            yield
            return
        path = Path(database).expanduser()
        with open(path.with_name(path.name + ".migrate-lock"), "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    @staticmethod
    @contextmanager
    def time_limit(connection: Connection, seconds: float) -> Iterator[None]:
        """Interrupt a statement from inside the engine once it has run ``seconds``: SQLite
        runs in our process, where a progress handler looks at the clock."""
        deadline = _Deadline(seconds)
        dbapi_connection = connection.connection.dbapi_connection
        assert dbapi_connection is not None  # an open connection's
        event.listen(connection, "before_cursor_execute", deadline.restart)
        dbapi_connection.set_progress_handler(deadline, _CHECK_EVERY)
        try:
            yield
        except OperationalError as exc:
            if "interrupted" in str(exc.orig) and deadline():
                raise QueryTimeout(seconds) from None
            raise
        finally:
            dbapi_connection.set_progress_handler(None, 0)
            event.remove(connection, "before_cursor_execute", deadline.restart)

    @staticmethod
    def ranked_matches(
        connection: Connection,
        node: fulltext.Node,
        articles: Table,
        restrict: Callable[[Select[Any]], Select[Any]],
        *,
        filtered: bool,
        limit: int,
    ) -> Select[Any]:
        """Return ``(id, rank)`` of the ``limit`` best articles matching the query, best first,
        from ``articles_fts``; joined to ``articles`` only when ``filtered`` (a filter needs
        the row's columns)."""
        # Title words weigh ten times those of the text, caption and tags (the columns'
        # order), as the title's 'A' weight makes them weigh more on PostgreSQL.
        rank = -func.bm25(literal_column("articles_fts"), 10.0, 1.0, 1.0, 1.0)
        rowid = literal_column("articles_fts.rowid")
        matches = (
            select(rowid.label("id"), rank.label("rank"))
            .select_from(table("articles_fts"))
            .where(literal_column("articles_fts").op("MATCH")(fulltext.to_fts5(node)))
        )
        if filtered:
            matches = restrict(matches.join(articles, articles.c.id == rowid))
        return matches.order_by(desc("rank"), desc("id")).limit(limit)


class _Deadline:
    """A progress handler: a true value (interrupt) once the statement's time is up."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.restart()

    def restart(self, *_ignored: Any) -> None:
        self.at = time.monotonic() + self.seconds

    def __call__(self) -> bool:
        return time.monotonic() > self.at


# -- the shared constructs in SQLite's SQL --------------------------------------------------


@compiles(json_array_length, "sqlite")
def _json_array_length(element: json_array_length, compiler: Any, **kw: Any) -> str:
    return compiler.process(func.json_array_length(element.column), **kw)


@compiles(json_elements, "sqlite")
def _json_elements(element: json_elements, compiler: Any, **kw: Any) -> str:
    return compiler.process(func.json_each(element.column), **kw)


@compiles(json_text, "sqlite")
def _json_text(element: json_text, compiler: Any, **kw: Any) -> str:
    # SQLite keeps JSON as its text already.
    return compiler.process(type_coerce(element.column, Text), **kw)


@compiles(utf8_bytes, "sqlite")
def _utf8_bytes(element: utf8_bytes, compiler: Any, **kw: Any) -> str:
    return compiler.process(cast(element.column, LargeBinary), **kw)


# SQLite holds UTCDateTime values as "YYYY-MM-DD HH:MM:SS.ffffff", already in UTC.


@compiles(utc_day, "sqlite")
def _utc_day(element: utc_day, compiler: Any, **kw: Any) -> str:
    return compiler.process(func.substr(cast(element.column, String), 1, 10), **kw)


@compiles(iso_utc, "sqlite")
def _iso_utc(element: iso_utc, compiler: Any, **kw: Any) -> str:
    raw = type_coerce(element.column, Text)
    day_time = func.substr(raw, 1, 10) + "T" + func.substr(raw, 12, 8)
    iso = case(
        (func.substr(raw, 21) == "000000", day_time + "Z"),
        else_=day_time + func.substr(raw, 20) + "Z",
    )
    return compiler.process(iso, **kw)


@compiles(epoch_micros, "sqlite")
def _epoch_micros(element: epoch_micros, compiler: Any, **kw: Any) -> str:
    raw = type_coerce(element.column, Text)
    # Whole seconds from the text without its fraction: SQLite reads a time to the
    # millisecond, rounding, so "…:59.9999" would count as the next second.
    seconds = cast(func.strftime("%s", func.substr(raw, 1, 19)), BigInteger)
    return compiler.process(seconds * 1_000_000 + cast(func.substr(raw, 21), BigInteger), **kw)


# How often a connection tries again to switch a new database file to WAL.
_WAL_RETRY_S = 0.01


def _switch_to_wal(cursor: Any, patience_s: float) -> None:
    """Put the database in WAL mode, waiting up to ``patience_s`` for another connection.

    Two processes opening a new database file at once (two crawls started together on a fresh
    archive) both switch it to WAL, and SQLite refuses one of them "database is locked" at
    once, without calling its busy handler: the switch is tried again until the other is done.
    """
    deadline = time.monotonic() + patience_s
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(_WAL_RETRY_S)
