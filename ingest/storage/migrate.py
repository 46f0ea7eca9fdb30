"""Apply and inspect the Alembic migrations of ``migrations/`` for a given database URL."""

from __future__ import annotations

import io
from pathlib import Path

from alembic import command
from alembic.config import Config

# Re-exported: the crawl checks the schema through this module; the reading is done without
# Alembic (see ingest.storage.revision).
from ingest.storage.revision import current_revision, head_revision, is_up_to_date

__all__ = ["alembic_config", "current_revision", "head_revision", "is_up_to_date", "upgrade"]

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(url: str, stdout: io.TextIOBase | None = None) -> Config:
    """Return an Alembic config for ``url``; the URL travels as an attribute, never in a file."""
    config = Config(stdout=stdout) if stdout is not None else Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)
