"""Migrations build the schema the models describe, on SQLite and PostgreSQL, and roll back."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select

from ingest.storage.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    is_up_to_date,
    upgrade,
)
from ingest.storage.models import Article
from ingest.storage.repository import upsert_article
from ingest.storage.session import make_engine, make_sessionmaker


def test_upgrade_head_matches_models_and_downgrades_cleanly(db_url):
    assert current_revision(db_url) is None
    upgrade(db_url)
    assert is_up_to_date(db_url)
    assert current_revision(db_url) == head_revision()
    command.check(alembic_config(db_url))  # raises if models and migrations disagree
    engine = make_engine(db_url)
    columns = {c["name"] for c in inspect(engine).get_columns("articles")}
    engine.dispose()
    assert {
        "id",
        "url",
        "canonical_url",
        "site",
        "edition",
        "language",
        "section",
        "title",
        "lead",
        "text",
        "authors",
        "published_at",
        "modified_at",
        "tags",
        "image_url",
        "image_caption",
        "content_hash",
        "first_seen_at",
        "last_seen_at",
    } <= columns
    command.downgrade(alembic_config(db_url), "base")
    engine = make_engine(db_url)
    assert "articles" not in inspect(engine).get_table_names()
    engine.dispose()


def test_revisions_read_without_alembic_agree_with_alembic(db_url):
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    assert head_revision() == ScriptDirectory.from_config(alembic_config("")).get_current_head()
    engine = make_engine(db_url)
    for target in ("abf18f568f14", "head"):
        upgrade(db_url, target)
        with engine.connect() as connection:
            expected = MigrationContext.configure(connection).get_current_revision()
        assert current_revision(db_url) == expected
    engine.dispose()
    assert expected == head_revision()


def test_stored_urls_are_rewritten_in_their_normal_form(db_url):
    before = ScriptDirectory.from_config(alembic_config("")).get_revision("7d41c0b9e2a6")
    upgrade(db_url, before.down_revision)
    site = "https://blog.example.com/2024/07"
    stored = {
        # A trailing slash, a tracking parameter and an upper-case host, as rows written
        # before URLs were normalised hold them.
        f"{site}/first-post/": "https://BLOG.example.com/2024/07/first-post?utm_source=rss",
        # Stored twice already (with and without the slash): the clean row keeps its URL and
        # the other cannot take it.
        f"{site}/second-post/": f"{site}/second-post/",
        f"{site}/second-post": f"{site}/second-post",
    }
    engine = make_engine(db_url)
    with make_sessionmaker(engine).begin() as session:
        for canonical, url in stored.items():
            values = {"canonical_url": canonical, "url": url, "site": "blog", "edition": None}
            values |= {"title": canonical, "text": "Body."}
            upsert_article(session, values, datetime(2026, 11, 1, tzinfo=UTC))
    upgrade(db_url)
    with make_sessionmaker(engine)() as session:
        rows = {a.title: (a.canonical_url, a.url) for a in session.scalars(select(Article))}
    engine.dispose()
    assert rows == {
        f"{site}/first-post/": (f"{site}/first-post", f"{site}/first-post"),
        f"{site}/second-post/": (f"{site}/second-post/", f"{site}/second-post"),
        f"{site}/second-post": (f"{site}/second-post", f"{site}/second-post"),
    }
