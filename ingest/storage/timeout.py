"""A time limit on every query of a session, enforced where the query runs.

A runaway query (a search of many common words over a large archive) must stop by itself,
and stop for real: on PostgreSQL the server cancels it (``statement_timeout``), so it does
not go on in a server process after the client has given up or been killed; SQLite runs in
our process, where a progress handler interrupts the statement from inside the engine.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.orm import Session

#: SQLite virtual-machine instructions between two looks at the clock: about a tenth of a
#: millisecond of work, so a query overruns its limit by nothing a person notices.
_SQLITE_CHECK_EVERY = 1000
#: PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout (query_canceled).
_PG_QUERY_CANCELED = "57014"


class QueryTimeout(Exception):
    """A query ran past its time limit and was stopped; the message says so, for the user."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the query ran past its time limit of {seconds:g} s and was stopped")
        self.seconds = seconds


class _Deadline:
    """A SQLite progress handler: a true value (interrupt) once the statement's time is up."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.restart()

    def restart(self, *_ignored: Any) -> None:
        self.at = time.monotonic() + self.seconds

    def __call__(self) -> bool:
        return time.monotonic() > self.at


@contextmanager
def time_limit(session: Session, seconds: float) -> Iterator[None]:
    """Limit each statement the session runs inside the block to ``seconds``.

    Raises:
        QueryTimeout: a statement ran past the limit; it has been stopped.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # SET LOCAL through set_config, which takes a bound value: for this transaction only.
        connection.execute(
            text("SELECT set_config('statement_timeout', :ms, true)"),
            {"ms": str(max(1, round(seconds * 1000)))},
        )
        try:
            yield
        except OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) == _PG_QUERY_CANCELED:
                raise QueryTimeout(seconds) from None
            raise
        return
    deadline = _Deadline(seconds)
    sqlite = connection.connection.dbapi_connection
    assert sqlite is not None  # an open session's connection
    event.listen(connection, "before_cursor_execute", deadline.restart)
    sqlite.set_progress_handler(deadline, _SQLITE_CHECK_EVERY)
    try:
        yield
    except OperationalError as exc:
        if "interrupted" in str(exc.orig) and deadline():
            raise QueryTimeout(seconds) from None
        raise
    finally:
        sqlite.set_progress_handler(None, 0)
        event.remove(connection, "before_cursor_execute", deadline.restart)
