"""What every backend shares: the timeouts it applies, the error for a query over its time,
and the SQL constructs that each backend module renders in its own SQL.

Queries write ``json_array_length(Article.tags)`` or ``iso_utc(column)``, never a dialect's
function names; ``ingest.storage.dialects.sqlite`` and ``.postgresql`` say with ``@compiles``
what each becomes there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import BigInteger, Integer, LargeBinary, Text
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

if TYPE_CHECKING:
    from typing import Self


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


class QueryTimeout(Exception):
    """A query ran past its time limit and was stopped; the message says so, for the user."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the query ran past its time limit of {seconds:g} s and was stopped")
        self.seconds = seconds


class _Construct(FunctionElement[Any]):
    """A function of one column whose SQL each backend module supplies; its subclasses are
    named in lower case, as SQL functions are in ``sqlalchemy.func``."""

    inherit_cache = True

    @property
    def column(self) -> Any:
        return self.clauses.clauses[0]


class json_array_length(_Construct):
    """The number of items of a JSON list column."""

    inherit_cache = True
    type = Integer()


class json_elements(_Construct):
    """The items of a JSON list column as text, as a table: ``.table_valued("value")``."""

    inherit_cache = True


class json_text(_Construct):
    """A JSON column as its JSON text, unparsed."""

    inherit_cache = True
    type = Text()


class utf8_bytes(_Construct):
    """A text column as its UTF-8 bytes."""

    inherit_cache = True
    type = LargeBinary()


class utc_day(_Construct):
    """A time column's UTC day as ``YYYY-MM-DD`` text."""

    inherit_cache = True
    type = Text()


class iso_utc(_Construct):
    """A time column as ISO 8601 UTC text ending in ``Z``, with microseconds only when it
    has some (what ``datetime.isoformat`` prints)."""

    inherit_cache = True
    type = Text()


class epoch_micros(_Construct):
    """A time column as whole microseconds since 1970-01-01 UTC."""

    inherit_cache = True
    type = BigInteger()


@compiles(_Construct)
def _no_rendering(element: _Construct, compiler: Any, **kw: Any) -> str:
    raise CompileError(f"{type(element).__name__} has no SQL for {compiler.dialect.name}")
