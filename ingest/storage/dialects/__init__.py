"""What differs between SQLite and PostgreSQL, one module per backend.

The rest of ``ingest.storage`` never branches on the dialect's name. It asks ``for_url``,
``for_connection`` or ``for_dialect`` for the backend (``sqlite.SQLiteBackend`` or
``postgresql.PostgreSQLBackend``: how an engine is set up and a transaction begins, the
upsert, the migration lock, search, query time limits), and writes the SQL functions whose
names differ as the constructs of ``base`` (``json_array_length``, ``iso_utc``, …), which each
backend module renders with ``@compiles``.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from ingest.storage.dialects.base import (
    QueryTimeout,
    Timeouts,
    epoch_micros,
    iso_utc,
    json_array_length,
    json_elements,
    json_text,
    utc_day,
    utf8_bytes,
)
from ingest.storage.dialects.postgresql import PostgreSQLBackend
from ingest.storage.dialects.sqlite import SQLiteBackend

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy import Connection, Engine
    from sqlalchemy.engine import URL, Dialect

__all__ = [
    "Backend",
    "QueryTimeout",
    "Timeouts",
    "epoch_micros",
    "for_connection",
    "for_dialect",
    "for_url",
    "iso_utc",
    "json_array_length",
    "json_elements",
    "json_text",
    "time_limit",
    "utc_day",
    "utf8_bytes",
]

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


def for_dialect(dialect: Dialect) -> Backend:
    return _BACKENDS[dialect.name]


@contextmanager
def time_limit(connection: Connection, seconds: float) -> Iterator[None]:
    """Limit each statement the connection runs inside the block to ``seconds``, where the
    statement runs: a runaway query (a search of many common words over a large archive)
    stops by itself, and stops for real, not only in the client.

    Raises:
        QueryTimeout: a statement ran past the limit; it has been stopped.
    """
    with for_connection(connection).time_limit(connection, seconds):
        yield
