"""Apply and inspect the Alembic migrations of ``migrations/`` for a given database URL.

Alembic is imported by the functions that use it, not by this module: a crawl migrates through
``upgrade_in_child``, and Alembic (with Mako and Pygments, 11 MB and 140 modules) is then held
by a child process for the seconds a migration takes rather than by the crawl process for the
whole run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.pool import NullPool

from ingest.storage import dialects

# Re-exported: the crawl checks the schema through this module; the reading is done without
# Alembic (see ingest.storage.revision).
from ingest.storage.revision import current_revision, head_revision, is_up_to_date
from ingest.storage.session import make_engine

if TYPE_CHECKING:
    import io

    from alembic.config import Config

__all__ = [
    "alembic_config",
    "current_revision",
    "head_revision",
    "is_up_to_date",
    "upgrade",
    "upgrade_in_child",
]

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
# How ``upgrade_in_child`` hands the database URL to the child.
_URL_VARIABLE = "INGEST_MIGRATE_URL"


def alembic_config(url: str, stdout: io.TextIOBase | None = None) -> Config:
    """Return an Alembic config for ``url``; the URL travels as an attribute, never in a file.

    Alembic prints to ``stdout``, by default to ``sys.stdout`` as it is at this call: its own
    default is the ``sys.stdout`` of the moment Alembic was first imported, which, imported on
    first use, may be a stream long closed (a test's captured output).
    """
    from alembic.config import Config

    config = Config(stdout=stdout if stdout is not None else sys.stdout)
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
            from alembic import command

            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def upgrade_in_child(url: str) -> None:
    """Migrate ``url`` to head as ``upgrade`` does, in a child process (``python -m
    ingest.storage.migrate``; the URL, which may hold a password, in its environment).

    Raises:
        RuntimeError: the migration failed; the message is the child's error, in one line.
    """
    done = subprocess.run(
        [sys.executable, "-m", __name__],
        env={**os.environ, _URL_VARIABLE: url},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        raise RuntimeError(f"migrating the database failed: {lines[-1]}")


def _main() -> None:
    """The child's side: migrate, or exit 1 with the error as one line (the parent's message)."""
    try:
        upgrade(os.environ[_URL_VARIABLE])
    except Exception as exc:  # noqa: BLE001 - every failure is the parent's to report
        first = str(exc).strip().splitlines()[:1]
        sys.exit(": ".join([type(exc).__name__, *first]))


if __name__ == "__main__":
    _main()
