"""Which known articles a scheduled run fetches again: the rule, and the archive lookup of the
spider middleware that applies it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from ingest.middlewares import DueVisitsMiddleware, parse_lastmod
from ingest.spiders.news import RudawSpider
from ingest.storage.queries import Visit, is_due
from tests.conftest import project_settings, store_articles

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
WEEK = timedelta(days=7)
THREE_DAYS = timedelta(days=3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-07-24T16:41:00+03:00", datetime(2024, 7, 24, 13, 41, tzinfo=UTC)),
        ("2024-07-24T13:41Z", datetime(2024, 7, 24, 13, 41, tzinfo=UTC)),
        ("2024-07-24", datetime(2024, 7, 24, tzinfo=UTC)),
        (" 2024-07-24T13:41:00.5+00:00 ", datetime(2024, 7, 24, 13, 41, 0, 500000, tzinfo=UTC)),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_sitemap_lastmod_is_read_as_utc(text, expected):
    assert parse_lastmod(text) == expected


def test_new_articles_are_always_due():
    assert is_due(None, None, now=NOW, recheck=THREE_DAYS)


def test_known_articles_are_due_when_young_or_changed_since_the_visit():
    old = Visit(NOW - 30 * WEEK, NOW - 4 * WEEK, NOW - 30 * WEEK)
    assert not is_due(old, None, now=NOW, recheck=THREE_DAYS)
    assert not is_due(old, NOW - 5 * WEEK, now=NOW, recheck=THREE_DAYS)
    assert is_due(old, NOW - WEEK, now=NOW, recheck=THREE_DAYS)
    young = Visit(NOW - timedelta(days=1), NOW - timedelta(hours=1), NOW - timedelta(days=2))
    assert is_due(young, None, now=NOW, recheck=THREE_DAYS)
    # Without a publication time, the first visit says how old the article is.
    undated = Visit(NOW - timedelta(days=1), NOW - timedelta(hours=1), None)
    assert is_due(undated, None, now=NOW, recheck=THREE_DAYS)


def test_lookup_finds_articles_by_fetched_or_canonical_url(db_url):
    seen = datetime.now(UTC) - 2 * WEEK
    canonical = "https://www.rudaw.net/english/kurdistan/01012024"
    values = {"canonical_url": canonical, "url": "http://mirror/english/kurdistan/01012024"}
    values |= {"site": "rudaw", "edition": "english", "title": "Story", "text": "Body."}
    values |= {"published_at": seen - WEEK}
    store_articles(db_url, [values], seen)
    known = due_visits(db_url)
    try:
        due = known.due(
            [
                (("http://mirror/english/kurdistan/01012024",), None),
                (("http://elsewhere/x", canonical), None),
                (("http://mirror/english/kurdistan/01012024",), datetime.now(UTC)),
                (("https://www.rudaw.net/english/kurdistan/02012024",), None),
            ]
        )
    finally:
        known.close()
    assert due == [False, False, True, True]


def test_an_unreadable_archive_makes_every_article_due(tmp_path):
    # No tables: a crawl fetches too much rather than miss an article.
    known = due_visits(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    try:
        assert known.due([(("https://www.rudaw.net/english/a/1",), None)]) == [True]
    finally:
        known.close()


def due_visits(db_url: str) -> DueVisitsMiddleware:
    crawler = get_crawler(RudawSpider, project_settings(INGEST_DATABASE_URL=db_url))
    return build_from_crawler(DueVisitsMiddleware, crawler)
