"""The one place that creates database engines, with the per-backend settings the archive needs.

The read commands use an engine's connections alone; ``sqlalchemy.orm`` is imported by
``make_sessionmaker``, for the writers, so that reading never loads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

from ingest.storage import deadline, dialects
from ingest.storage.dialects import Timeouts

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, *, timeouts: Timeouts | None = None, **engine_kwargs: Any) -> Engine:
    """Return an engine for ``url``; a SQLite file's folder is created if missing.

    ``timeouts`` bound every call (see ``dialects.Timeouts``); the defaults suit the CLI, the
    crawl passes its own from the settings.
    """
    parsed = make_url(url)
    backend = dialects.for_url(parsed)
    timeouts = timeouts or Timeouts()
    backend.prepare(parsed, engine_kwargs, timeouts)
    if timeouts.call_s:
        # The deadline's own ping replaces the pool's, which would wait on a stall for ever.
        ping = engine_kwargs.pop("pool_pre_ping", False)
    engine = create_engine(parsed, **engine_kwargs)
    backend.configure(engine, timeouts)
    if timeouts.call_s:
        deadline.watch(engine, timeouts.call_s, backend.break_connection, ping=ping)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    from sqlalchemy.orm import sessionmaker

    return sessionmaker(engine, expire_on_commit=False)
