"""A client-side deadline on every call an engine makes: a call with no answer in time has its
connection broken, so that it fails like a lost connection instead of waiting forever.

The server's ``statement_timeout`` needs a server that answers, and TCP keepalives and the
TCP user timeout need a peer that stops acknowledging. A stall can satisfy both and still
never answer: a proxy, a NAT or a hung server process that keeps the connection open and
acknowledges every packet. Only the client knows it has waited too long. One thread per
process watches every armed call; when one runs past its deadline it breaks the connection
(the backend's ``break_connection``: shut the socket down, or interrupt SQLite), the blocked
call raises the driver's own "connection lost" error, and the caller's handling of a lost
database (the writer spools) takes over.

A call is a statement, a commit, a rollback (the pool's reset included) or the ping on
checkout; its deadline runs from the moment it is sent until the next statement's answer or
the connection's return to the pool.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Connection, Engine

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class _Call:
    dbapi_connection: Any
    due: float
    seconds: float
    break_connection: Callable[[Any], None]


class _Watchdog:
    """The calls in flight, by DBAPI connection, and the thread that breaks the overdue ones."""

    def __init__(self) -> None:
        self._calls: dict[int, _Call] = {}
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        #: When the thread wakes next (None: only when woken); earlier calls must wake it.
        self._wake_at: float | None = None

    def arm(self, dbapi_connection: Any, seconds: float, breaker: Callable[[Any], None]) -> None:
        call = _Call(dbapi_connection, time.monotonic() + seconds, seconds, breaker)
        with self._changed:
            self._calls[id(dbapi_connection)] = call
            if self._thread is None or not self._thread.is_alive():  # not started, or forked
                self._thread = threading.Thread(
                    target=self._run, name="ingest-db-deadline", daemon=True
                )
                self._thread.start()
            if self._wake_at is None or call.due < self._wake_at:
                self._changed.notify()

    def disarm(self, dbapi_connection: Any) -> None:
        with self._changed:
            self._calls.pop(id(dbapi_connection), None)

    def _run(self) -> None:
        with self._changed:
            while True:
                now = time.monotonic()
                for key, call in list(self._calls.items()):
                    if call.due <= now:
                        del self._calls[key]
                        # Under the lock: the call cannot finish and the connection start
                        # another one between the check and the break.
                        logger.warning(
                            "no answer from the database within %g s; breaking the connection",
                            call.seconds,
                        )
                        call.break_connection(call.dbapi_connection)
                self._wake_at = min((call.due for call in self._calls.values()), default=None)
                self._changed.wait(None if self._wake_at is None else self._wake_at - now)


_WATCHDOG = _Watchdog()


def watch(
    engine: Engine, seconds: float, break_connection: Callable[[Any], None], *, ping: bool
) -> None:
    """Give every call of ``engine`` a deadline of ``seconds``.

    ``ping``: check each connection taken from the pool with a round trip, under the
    deadline; use it instead of the pool's own ``pool_pre_ping``, which nothing could stop.
    """

    def arm(dbapi_connection: Any) -> None:
        _WATCHDOG.arm(dbapi_connection, seconds, break_connection)

    def arm_connection(connection: Connection, *_args: Any) -> None:
        if not (connection.invalidated or connection.closed):  # else nothing is sent
            arm(connection.connection.dbapi_connection)

    def disarm_connection(connection: Connection, *_args: Any) -> None:
        _WATCHDOG.disarm(connection.connection.dbapi_connection)

    def disarm(dbapi_connection: Any, *_args: Any) -> None:
        _WATCHDOG.disarm(dbapi_connection)

    def arm_pooled(dbapi_connection: Any, *_args: Any) -> None:
        arm(dbapi_connection)

    for name in ("before_cursor_execute", "commit", "rollback"):
        event.listen(engine, name, arm_connection)
    event.listen(engine, "after_cursor_execute", disarm_connection)
    event.listen(engine.pool, "reset", arm_pooled)  # fires before the pool's rollback
    for name in ("checkin", "invalidate", "close"):
        event.listen(engine.pool, name, disarm)
    if ping:
        event.listen(engine.pool, "checkout", _pinger(engine, arm))


def _pinger(engine: Engine, arm: Callable[[Any], None]) -> Callable[..., None]:
    dialect = engine.dialect

    def ping(dbapi_connection: Any, *_args: Any) -> None:
        """Check the connection before it is used; a dead one is replaced (SQLAlchemy's
        "pessimistic disconnect handling" with a pool event)."""
        arm(dbapi_connection)
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(str(exc)) from exc
        finally:
            _WATCHDOG.disarm(dbapi_connection)

    return ping
