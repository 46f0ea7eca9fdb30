"""Alembic environment: the database URL comes from the caller or from settings, never a file."""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool

from ingest.storage import dialects
from ingest.storage.session import make_engine
from ingest.storage.tables import metadata

config = context.config
target_metadata = metadata


def _url() -> str:
    url = config.attributes.get("url")
    if url:
        return url
    # Plain `alembic` runs use the crawl's own setting (and its environment variable).
    from settings.base import INGEST_DATABASE_URL

    return INGEST_DATABASE_URL


def _include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Leave full-text search out of autogenerate: it is hand-written DDL the tables can't express."""
    if type_ == "table" and name and name.startswith("articles_fts"):
        return False
    return not (
        type_ in ("column", "index")
        and name in ("search_vector", "search_head", "ix_articles_search_vector")
    )


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=dialects.for_connection(connection).render_as_batch,
        compare_type=True,
        include_name=_include_name,
        # One transaction for the whole run, on SQLite too (Alembic assumes SQLite DDL is not
        # transactional; it is, once ingest.storage.dialects sends BEGIN itself): a migration
        # killed at any moment leaves the database as it found it.
        transactional_ddl=True,
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        # ingest.storage.migrate.upgrade, which holds the migration lock already.
        _run(connection)
        return
    # The alembic command line: the same lock, so that it never races a crawl's migration.
    engine = make_engine(_url(), poolclass=pool.NullPool)
    try:
        with (
            engine.connect() as connection,
            dialects.for_connection(connection).migration_lock(connection),
        ):
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
