"""Apply and inspect the Alembic migrations of ``migrations/`` for a given database URL."""

from __future__ import annotations

import io
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.pool import NullPool

from ingest.storage import dialects

# Re-exported: the crawl checks the schema through this module; the reading is done without
# Alembic (see ingest.storage.revision).
from ingest.storage.revision import current_revision, head_revision, is_up_to_date
from ingest.storage.session import make_engine

__all__ = ["alembic_config", "current_revision", "head_revision", "is_up_to_date", "upgrade"]

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(url: str, stdout: io.TextIOBase | None = None) -> Config:
    """Return an Alembic config for ``url``; the URL travels as an attribute, never in a file."""
    config = Config(stdout=stdout) if stdout is not None else Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate ``url`` to ``revision`` under a lock, in one transaction.

    The lock (``dialects``: an advisory lock on PostgreSQL, a lock file beside a SQLite
    database) makes a second crawl starting on the same fresh database wait for the first
    and then find nothing to do. The one transaction (Alembic's default, and real on SQLite
    since ``dialects.sqlite.SQLiteBackend`` sends BEGIN itself) means a migration killed at any
    moment leaves the database as it was, for the next run to migrate again.
    """
    engine = make_engine(url, poolclass=NullPool)
    try:
        with (
            engine.connect() as connection,
            dialects.for_connection(connection).migration_lock(connection),
        ):
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()
