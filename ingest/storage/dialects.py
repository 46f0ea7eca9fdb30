"""What differs between SQLite and PostgreSQL on the write side, one class per backend.

The rest of ``ingest.storage`` asks ``for_engine``/``for_url`` for the backend's object and
never branches on the dialect's name: the upsert statement, the connection's timeouts, how a
transaction begins, and the lock held while migrating live here.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from sqlalchemy import event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Self

    from sqlalchemy import Connection, Engine, Table
    from sqlalchemy.engine import URL


class _Settings(Protocol):
    """What ``Timeouts.from_settings`` reads: Scrapy's ``Settings``, without importing Scrapy."""

    def getint(self, name: str) -> int: ...
    def getfloat(self, name: str) -> float: ...


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Upper bounds on every database call, so that a lost or stalled server is noticed.

    ``connect_s``: establishing a connection; ``statement_ms``: one statement on the server
    (0: none); ``stall_s``: how long unacknowledged data or a silent peer may last before the
    kernel drops the connection (TCP user timeout and keepalives); ``call_s``: how long the
    client waits for the answer to any one call before it breaks the connection
    (``ingest.storage.deadline``; 0: for ever); ``busy_ms``: how long a SQLite writer waits
    for another one's lock.
    """

    connect_s: int = 10
    statement_ms: int = 0
    stall_s: int = 30
    call_s: float = 0
    busy_ms: int = 30_000

    @classmethod
    def from_settings(cls, settings: _Settings) -> Self:
        """The crawl's bounds: the ``INGEST_DB_*_TIMEOUT`` settings."""
        return cls(
            connect_s=settings.getint("INGEST_DB_CONNECT_TIMEOUT"),
            statement_ms=round(settings.getfloat("INGEST_DB_STATEMENT_TIMEOUT") * 1000),
            stall_s=settings.getint("INGEST_DB_STALL_TIMEOUT"),
            call_s=settings.getfloat("INGEST_DB_CALL_TIMEOUT"),
        )


class SQLiteBackend:
    name: ClassVar[str] = "sqlite"

    @staticmethod
    def insert(table: Table) -> sqlite.Insert:
        return sqlite.insert(table)

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
            # WAL so readers never block the crawl; NORMAL: durable at checkpoints, but fast.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={timeouts.busy_ms}")
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


class PostgreSQLBackend:
    name: ClassVar[str] = "postgresql"
    # Any fixed 64-bit number, the same in every process that migrates this project's schema.
    _MIGRATION_LOCK_KEY = 0x696E6765737401

    @staticmethod
    def insert(table: Table) -> postgresql.Insert:
        return postgresql.insert(table)

    @staticmethod
    def prepare(url: URL, engine_kwargs: dict[str, Any], timeouts: Timeouts) -> None:
        engine_kwargs.setdefault("pool_pre_ping", True)
        args = engine_kwargs.setdefault("connect_args", {})
        args.setdefault("connect_timeout", timeouts.connect_s)
        # A peer that stops answering (packets dropped) is dropped by the kernel after
        # stall_s, whether we are sending (TCP user timeout) or waiting (keepalives).
        args.setdefault("keepalives", 1)
        args.setdefault("keepalives_idle", max(1, timeouts.stall_s // 3))
        args.setdefault("keepalives_interval", max(1, timeouts.stall_s // 9))
        args.setdefault("keepalives_count", 3)
        args.setdefault("tcp_user_timeout", timeouts.stall_s * 1000)
        if timeouts.statement_ms:
            args.setdefault("options", f"-c statement_timeout={timeouts.statement_ms}")

    @staticmethod
    def configure(engine: Engine, timeouts: Timeouts) -> None:
        if engine.url.get_driver_name() == "psycopg":
            event.listen(engine, "before_cursor_execute", _psycopg_binary_results)

    @staticmethod
    def break_connection(dbapi_connection: Any) -> None:
        """End the connection under the call waiting on it (from another thread): the socket
        is shut down, so the call sees the server hang up, and the connection is discarded."""
        # A duplicate of the descriptor: closing ours must not close psycopg's. A connection
        # already closed has no descriptor, and one its peer has left cannot be shut down:
        # nothing to break.
        with (
            contextlib.suppress(OSError, dbapi_connection.Error),
            socket.socket(fileno=os.dup(dbapi_connection.fileno())) as sock,
        ):
            sock.shutdown(socket.SHUT_RDWR)

    @classmethod
    @contextmanager
    def migration_lock(cls, connection: Connection) -> Iterator[None]:
        """Hold a session-level advisory lock while migrating: a second process waits, then
        finds the schema current."""
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": cls._MIGRATION_LOCK_KEY})
        connection.commit()
        try:
            yield
        finally:
            connection.rollback()
            connection.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": cls._MIGRATION_LOCK_KEY}
            )
            connection.commit()


Backend = type[SQLiteBackend] | type[PostgreSQLBackend]
_BACKENDS: dict[str, Backend] = {b.name: b for b in (SQLiteBackend, PostgreSQLBackend)}


def for_url(url: str | URL) -> Backend:
    name = make_url(url).get_backend_name()
    try:
        return _BACKENDS[name]
    except KeyError:
        raise ValueError(f"unsupported database {name!r}; use sqlite or postgresql") from None


def for_connection(connection: Connection | Engine) -> Backend:
    return _BACKENDS[connection.dialect.name]


def _psycopg_binary_results(
    _conn: Any, cursor: Any, _statement: str, _parameters: Any, context: Any, _many: bool
) -> None:
    """Honour the execution option ``binary_results``: rows come in PostgreSQL's binary
    format, which psycopg reads without parsing text (bulk exports)."""
    if context is not None and context.execution_options.get("binary_results"):
        from psycopg.pq import Format

        cursor.format = Format.BINARY
