"""The one place that creates database engines, with the per-backend settings the archive needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

# A crawl writes while the CLI reads; readers must wait for the writer rather than fail.
_SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str, **engine_kwargs: Any) -> Engine:
    """Return an engine for ``url``; a SQLite file's folder is created if missing."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, **engine_kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        return engine
    engine_kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(parsed, **engine_kwargs)
    if parsed.get_driver_name() == "psycopg":
        event.listen(engine, "before_cursor_execute", _psycopg_binary_results)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def _psycopg_binary_results(
    _conn: Any, cursor: Any, _statement: str, _parameters: Any, context: Any, _many: bool
) -> None:
    """Honour the execution option ``binary_results``: rows come in PostgreSQL's binary
    format, which psycopg reads without parsing text (bulk exports)."""
    if context is not None and context.execution_options.get("binary_results"):
        from psycopg.pq import Format

        cursor.format = Format.BINARY


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    """Use WAL so readers never block the crawl, and make the file durable but fast."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
