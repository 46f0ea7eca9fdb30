"""Which migration a database is at, and which is the newest, without importing Alembic.

Every ``ingest`` read command checks that the archive is at the newest migration before it
answers. Importing Alembic (its runtime imports every dialect's DDL module) took most of the
command's start-up time, so this reads what Alembic itself writes: the ``alembic_version``
table, and the ``revision``/``down_revision`` lines of ``migrations/versions/``. Applying
migrations stays Alembic's job (``ingest.storage.migrate``); a test checks that both agree on
the head.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text

from ingest.storage.session import make_engine

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from ingest.storage.dialects import Timeouts

VERSIONS_DIR = Path(__file__).resolve().parents[2] / "migrations" / "versions"
_REVISION_RE = re.compile(r"^revision(?:\s*:[^=]+)?\s*=\s*['\"](\w+)['\"]", re.MULTILINE)
_DOWN_RE = re.compile(r"^down_revision(?:\s*:[^=]+)?\s*=\s*(.+)$", re.MULTILINE)


class SeveralHeads(Exception):
    """Two migrations revise the same one: a merge that needs a new ``down_revision``."""


def head_revision() -> str | None:
    """Return the newest revision of ``migrations/versions/``: the one no other revises.

    Raises:
        SeveralHeads: two migrations revise the same one.
    """
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in VERSIONS_DIR.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        if (found := _REVISION_RE.search(source)) is None:
            continue
        revisions.add(found[1])
        if (down := _DOWN_RE.search(source)) is not None:
            revised.update(re.findall(r"['\"](\w+)['\"]", down[1]))
    heads = revisions - revised
    if len(heads) > 1:
        raise SeveralHeads(f"migrations/versions has several heads: {', '.join(sorted(heads))}")
    return heads.pop() if heads else None


def revision_of(connection: Connection) -> str | None:
    """Return the revision the connected database is at, or None for an unmigrated one."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()


def current_revision(url: str, timeouts: Timeouts | None = None) -> str | None:
    """Return the revision the database at ``url`` is at, or None for an unmigrated one."""
    engine = make_engine(url, timeouts=timeouts)
    try:
        with engine.connect() as connection:
            return revision_of(connection)
    finally:
        engine.dispose()


def is_up_to_date(url: str, timeouts: Timeouts | None = None) -> bool:
    return current_revision(url, timeouts) == head_revision()
