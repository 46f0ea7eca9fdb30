"""The write side: idempotent upserts keyed by canonical URL, revisions, twins, crawl runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from ingest.storage import migrate
from ingest.storage.models import Article, ArticleRevision, CrawlRun
from ingest.storage.repository import Outcome, finish_crawl_run, start_crawl_run, upsert_article
from ingest.storage.session import make_engine, make_sessionmaker

T0 = datetime(2024, 7, 24, 12, 0, tzinfo=UTC)
CANONICAL = "https://www.rudaw.net/english/middleeast/iraq/240720241"


def _values(**changes):
    values = {
        "canonical_url": CANONICAL,
        "url": CANONICAL,
        "site": "rudaw",
        "edition": "english",
        "title": "Iraq condemns strikes",
        "text": "First paragraph.\nSecond paragraph.",
        "authors": ["Rudaw"],
        "tags": [],
        "published_at": T0,
    }
    values.update(changes)
    return values


@pytest.fixture
def sessions(db_url):
    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    yield make_sessionmaker(engine)
    engine.dispose()


def _upsert(sessions, seen_at, **changes):
    with sessions.begin() as session:
        return upsert_article(session, _values(**changes), seen_at)


def test_same_article_twice_is_one_row_and_unchanged(sessions):
    assert _upsert(sessions, T0) is Outcome.NEW
    assert _upsert(sessions, T0 + timedelta(hours=1)) is Outcome.UNCHANGED
    with sessions() as session:
        row = session.scalars(select(Article)).one()
        assert row.first_seen_at == T0
        assert row.last_seen_at == T0 + timedelta(hours=1)
        assert row.published_at == T0 and row.published_at.tzinfo is not None
        assert session.scalars(select(ArticleRevision)).all() == []


def test_edited_article_keeps_its_previous_version(sessions):
    _upsert(sessions, T0)
    edited = "First paragraph.\nSecond paragraph, corrected."
    assert _upsert(sessions, T0 + timedelta(days=1), text=edited) is Outcome.UPDATED
    with sessions() as session:
        row = session.scalars(select(Article)).one()
        revision = session.scalars(select(ArticleRevision)).one()
    assert row.text == edited
    assert revision.text == "First paragraph.\nSecond paragraph."
    assert revision.seen_at == T0
    assert revision.replaced_at == T0 + timedelta(days=1)


def test_amp_twin_never_overwrites_and_yields_to_the_canonical_page(sessions):
    amp = CANONICAL + "-amp"
    assert _upsert(sessions, T0, url=amp, text="AMP text only.") is Outcome.NEW
    assert _upsert(sessions, T0, url=amp, text="Other AMP text.") is Outcome.UNCHANGED
    assert _upsert(sessions, T0) is Outcome.UPDATED
    with sessions() as session:
        row = session.scalars(select(Article)).one()
        assert row.url == CANONICAL
        assert row.text == "First paragraph.\nSecond paragraph."
        assert session.scalars(select(ArticleRevision)).all() == []  # a twin's text is no edit
    assert _upsert(sessions, T0, url=amp, text="AMP text only.") is Outcome.UNCHANGED


def test_crawl_run_is_recorded_from_stats(sessions):
    with sessions.begin() as session:
        run_id = start_crawl_run(session, spider="rudaw", site="rudaw", started_at=T0)
    with sessions() as session:
        assert session.get(CrawlRun, run_id).finished_at is None
    stats = {
        "ingest/fetch/pages": 12,
        "ingest/store/new": 9,
        "ingest/store/unchanged": 2,
        "item_dropped_reasons_count/TooShort": 1,
        "ingest/fetch/failed/http_500": 1,
        "log_count/ERROR": 1,
        "start_time": T0,
    }
    with sessions.begin() as session:
        finish_crawl_run(
            session, run_id, finished_at=T0 + timedelta(minutes=3), reason="finished", stats=stats
        )
    with sessions() as session:
        run = session.get(CrawlRun, run_id)
        assert (
            run.pages_fetched,
            run.articles_new,
            run.articles_updated,
            run.articles_unchanged,
        ) == (12, 9, 0, 2)
        assert run.items_dropped == {"TooShort": 1}
        assert run.errors == 2
        assert run.stats["start_time"] == str(T0)
