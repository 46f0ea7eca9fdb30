"""Everything that is PostgreSQL's own: engine set-up, the upsert, the migration lock,
search over ``tsvector``, query time limits, and the SQL of the shared constructs.

SQLAlchemy's PostgreSQL dialect and psycopg are imported where they are used, so that a
command on a SQLite archive never loads them.
"""

from __future__ import annotations

import contextlib
import os
import socket
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    BigInteger,
    LargeBinary,
    Text,
    case,
    cast,
    desc,
    event,
    extract,
    func,
    literal,
    literal_column,
    select,
    text,
)
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
    from pathlib import Path

    from sqlalchemy import Connection, Engine, Select, Table
    from sqlalchemy.dialects.postgresql import JSONB, Insert
    from sqlalchemy.engine import URL

    from ingest.storage.dialects.base import Timeouts

#: Articles ranked over their whole search_vector per hit asked for (see ``ranked_matches``).
CANDIDATES_PER_HIT = 10

#: SQLSTATE of a statement cancelled by statement_timeout (query_canceled).
_QUERY_CANCELED = "57014"


class PostgreSQLBackend:
    name: ClassVar[str] = "postgresql"
    render_as_batch: ClassVar[bool] = False
    # Any fixed 64-bit number, the same in every process that migrates this project's schema.
    _MIGRATION_LOCK_KEY = 0x696E6765737401

    @staticmethod
    def insert(table: Table) -> Insert:
        from sqlalchemy.dialects.postgresql import insert

        return insert(table)

    @staticmethod
    def json_type() -> JSONB:
        from sqlalchemy.dialects.postgresql import JSONB

        return JSONB()

    @staticmethod
    def database_file(url: URL) -> Path | None:
        """None: the database is the server's."""
        return None

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

    @staticmethod
    @contextmanager
    def time_limit(connection: Connection, seconds: float) -> Iterator[None]:
        """Have the server cancel any statement of this transaction that runs ``seconds``: it
        stops there even when the client has given up or been killed."""
        # SET LOCAL through set_config, which takes a bound value: for this transaction only.
        connection.execute(
            text("SELECT set_config('statement_timeout', :ms, true)"),
            {"ms": str(max(1, round(seconds * 1000)))},
        )
        try:
            yield
        except OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) == _QUERY_CANCELED:
                raise QueryTimeout(seconds) from None
            raise

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
        """Return ``(id, rank)`` of the ``limit`` best articles matching the query, best first.

        Ranking every match by ``ts_rank_cd`` over ``search_vector`` read each match's whole
        vector (~5 kB, out of line in TOAST): 1 s for a word in half the archive. So it takes
        two steps. The matches (GIN index on ``search_vector``) are ordered by ``ts_rank_cd``
        over ``search_head`` (title, caption and tags: a few hundred bytes kept in the row),
        then by newest; the first ``CANDIDATES_PER_HIT`` per hit asked for are ranked by
        ``ts_rank_cd`` over the whole vector, as before. A query with no more matches than
        that is ranked exactly as before; a common one shows the best of the articles that
        have the words in their title, caption or tags, or failing those the newest.
        """
        from sqlalchemy.dialects.postgresql import REGCONFIG

        # The planner does not price reading a search_vector out of TOAST, so for a common
        # word it picks a sequential scan that reads every article's vector; the GIN index
        # reads only the matches' (40 % less time for a word in half the archive). LOCAL: it
        # lasts until the end of the transaction, which for the CLI is this search.
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        tsquery = func.to_tsquery(literal("simple", REGCONFIG), fulltext.to_tsquery(node))
        vector = literal_column("articles.search_vector")
        head = literal_column("articles.search_head")
        candidates = (
            restrict(select(articles.c.id, vector.label("vector")).where(vector.op("@@")(tsquery)))
            .order_by(desc(func.ts_rank_cd(head, tsquery)), desc(articles.c.id))
            .limit(limit * CANDIDATES_PER_HIT)
            .subquery("candidates")
        )
        rank = func.ts_rank_cd(candidates.c.vector, tsquery)
        return (
            select(candidates.c.id, rank.label("rank"))
            .order_by(desc("rank"), desc(candidates.c.id))
            .limit(limit)
        )


def _psycopg_binary_results(
    _conn: Any, cursor: Any, _statement: str, _parameters: Any, context: Any, _many: bool
) -> None:
    """Honour the execution option ``binary_results``: rows come in PostgreSQL's binary
    format, which psycopg reads without parsing text (bulk exports)."""
    if context is not None and context.execution_options.get("binary_results"):
        from psycopg.pq import Format

        cursor.format = Format.BINARY


# -- the shared constructs in PostgreSQL's SQL ----------------------------------------------


@compiles(json_array_length, "postgresql")
def _json_array_length(element: json_array_length, compiler: Any, **kw: Any) -> str:
    return compiler.process(func.jsonb_array_length(element.column), **kw)


@compiles(json_elements, "postgresql")
def _json_elements(element: json_elements, compiler: Any, **kw: Any) -> str:
    return compiler.process(func.jsonb_array_elements_text(element.column), **kw)


@compiles(json_text, "postgresql")
def _json_text(element: json_text, compiler: Any, **kw: Any) -> str:
    return compiler.process(cast(element.column, Text), **kw)


@compiles(utf8_bytes, "postgresql")
def _utf8_bytes(element: utf8_bytes, compiler: Any, **kw: Any) -> str:
    return compiler.process(func.convert_to(element.column, "UTF8", type_=LargeBinary), **kw)


@compiles(utc_day, "postgresql")
def _utc_day(element: utc_day, compiler: Any, **kw: Any) -> str:
    utc = func.timezone("UTC", element.column)
    return compiler.process(func.to_char(utc, "YYYY-MM-DD"), **kw)


@compiles(iso_utc, "postgresql")
def _iso_utc(element: iso_utc, compiler: Any, **kw: Any) -> str:
    column = element.column
    utc = func.timezone("UTC", column)
    whole = func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
    fraction = func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    iso = case((func.date_trunc("second", column) == column, whole), else_=fraction)
    return compiler.process(iso, **kw)


@compiles(epoch_micros, "postgresql")
def _epoch_micros(element: epoch_micros, compiler: Any, **kw: Any) -> str:
    # EXTRACT gives an exact numeric on PostgreSQL 14+: no float rounding of the micros.
    return compiler.process(cast(extract("epoch", element.column) * 1_000_000, BigInteger), **kw)
