"""End to end: a real ``scrapy crawl rudaw`` against the fixture site, into SQLite and PostgreSQL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from ingest.storage.models import Article, CrawlRun
from ingest.storage.session import make_engine, make_sessionmaker
from tests.conftest import (
    EDITED_PARAGRAPH,
    NEW_PARAGRAPH,
    SEED_LINES,
    crawlable_articles,
    not_articles,
)

if TYPE_CHECKING:
    from tests.conftest import CrawledArchive


class Crawled:
    """``crawled_archive``'s three crawls, and what they left in the database: the site as it
    is after the golden article's edit."""

    def __init__(self, archive: CrawledArchive) -> None:
        self.url = archive.url
        self.first, self.second, self.refetch = archive.first, archive.second, archive.refetch
        self.requests = archive.requests[0]
        self.second_requests = archive.requests[1]
        engine = make_engine(self.url)
        with make_sessionmaker(engine)() as session:
            self.articles = {
                urlsplit(a.canonical_url).path: a for a in session.scalars(select(Article))
            }
            self.count = session.scalar(select(func.count()).select_from(Article))
            self.runs = list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))
        engine.dispose()


@pytest.fixture(scope="module")
def crawled(crawled_archive: CrawledArchive) -> Crawled:
    return Crawled(crawled_archive)


def _as_edited(text: str) -> str:
    """The golden article's text as the site serves it after the archive's edit."""
    return text.replace(EDITED_PARAGRAPH, NEW_PARAGRAPH)


def test_crawl_finishes_cleanly(crawled):
    for run in (crawled.first, crawled.second, crawled.refetch):
        assert run.returncode == 0, run.log[-3000:]
        assert run.stats["finish_reason"] == "finished"
        assert "Traceback" not in run.log


def test_every_fixture_article_is_stored_once(crawled):
    expected = {
        urlsplit(a["canonical_url"]).path for a in crawlable_articles("rudaw", slow=True).values()
    }
    assert set(crawled.articles) == expected
    assert crawled.count == len(expected)


def test_golden_article_is_stored_clean(crawled):
    article = crawled.articles["/english/middleeast/iraq/240720241"]
    assert article.text == _as_edited("\n".join(SEED_LINES[2:24]))
    assert article.section == "Iraq"
    assert article.image_caption == SEED_LINES[1]
    assert article.title == "Iraq condemns US strikes on PMF base in Babil"
    assert article.language == "en"
    assert article.edition == "english"
    assert article.published_at is not None
    assert article.published_at.utcoffset().total_seconds() == 0
    assert article.published_at.isoformat() == "2024-07-24T11:05:00+00:00"
    assert article.lead == SEED_LINES[2]


@pytest.mark.parametrize(
    "field", ["title", "section", "language", "edition", "authors", "image_caption", "text"]
)
def test_stored_fields_match_the_expected_ones(crawled, field):
    for data in crawlable_articles("rudaw", slow=True).values():
        article = crawled.articles[urlsplit(data["canonical_url"]).path]
        expected = _as_edited(data[field]) if field == "text" else data[field]
        assert getattr(article, field) == expected, data["url_path"]


def test_non_article_pages_are_never_stored(crawled):
    stored_paths = {urlsplit(a.url).path for a in crawled.articles.values()}
    assert not stored_paths & {p.split("?")[0] for p in not_articles("rudaw")}


def test_robots_txt_is_obeyed(crawled):
    assert not [r for r in crawled.requests if r.startswith("/english/search")]


def test_a_scheduled_rerun_fetches_only_what_changed(crawled):
    # Every fixture article was published months before today: none is due a visit, and the
    # sitemaps' <lastmod> are older than the first run, but for the golden article's, which
    # the site moved forward with its edit.
    stats = crawled.second.stats
    assert stats.get("ingest/store/new", 0) == 0
    assert stats.get("ingest/store/updated", 0) == 1
    stored = {
        urlsplit(a["canonical_url"]).path for a in crawlable_articles("rudaw", slow=True).values()
    }
    # And the article behind a redirect: it is stored under the URL the redirect led to,
    # not the one discovery found (and the AMP twin, not an article row).
    assert stored & set(crawled.second_requests) == {
        "/english/middleeast/iraq/240720241",
        "/english/categories/kurdistan/1080001",
    }
    skipped = sum(v for k, v in stats.items() if k.endswith("/known_skipped"))
    assert skipped >= len(stored) - 1


def test_tracking_parameters_and_trailing_slash_are_one_request_and_one_row(crawled):
    # The minimal page has no canonical link. The english RSS links it with utm_* parameters,
    # "Most Read" on /english with a trailing slash and a fragment, latest-news?page=2 cleanly.
    assert [r for r in crawled.requests if "200720242" in r] == ["/english/sports/200720242"]
    article = crawled.articles["/english/sports/200720242"]
    assert article.url == article.canonical_url
    assert article.canonical_url.endswith("/english/sports/200720242")
    assert crawled.first.stats["ingest/discover/feed/articles"] >= 3


def test_a_full_refetch_adds_and_changes_nothing(crawled):
    stats = crawled.refetch.stats
    assert stats.get("ingest/store/new", 0) == 0
    assert stats.get("ingest/store/updated", 0) == 0
    assert stats.get("ingest/store/unchanged", 0) >= len(crawlable_articles("rudaw", slow=True))


def test_failures_are_counted_not_fatal(crawled):
    stats: dict[str, Any] = crawled.first.stats
    assert stats.get("ingest/fetch/failed/http_500", 0) >= 1
    assert stats.get("ingest/fetch/failed/http_404", 0) >= 1
    assert stats.get("ingest/fetch/failed/timeout", 0) >= 1
    dropped = {k for k in stats if k.startswith("item_dropped_reasons_count/")}
    assert dropped & {
        "item_dropped_reasons_count/TooShort",
        "item_dropped_reasons_count/NoArticleBody",
    }


def test_every_discovery_source_found_articles(crawled):
    stats = crawled.first.stats
    for source in ("sitemap", "feed", "listing"):
        assert stats.get(f"ingest/discover/{source}/articles", 0) > 0, source
    assert stats.get("ingest/discover/feed/empty", 0) >= 1
    assert (
        stats.get("ingest/discover/feed/broken", 0) + stats.get("ingest/discover/feed/empty", 0)
        >= 2
    )


def test_crawl_runs_are_recorded(crawled):
    assert len(crawled.runs) == 3
    first, second, refetch = crawled.runs
    assert first.finish_reason == "finished"
    canonical = {a["canonical_url"] for a in crawlable_articles("rudaw", slow=True).values()}
    assert first.articles_new == len(canonical)
    assert second.articles_new == refetch.articles_new == 0
    assert (second.articles_updated, refetch.articles_updated) == (1, 0)
    assert second.articles_unchanged < len(canonical)  # only pages stored under another URL
    assert refetch.articles_unchanged == first.articles_new + first.articles_unchanged
    assert first.pages_fetched >= first.articles_new
    assert first.items_dropped


def test_amp_twin_and_redirect_land_on_their_canonical_rows(crawled):
    assert "/english/middleeast/iraq/240720241-amp" in crawled.requests
    golden = crawled.articles["/english/middleeast/iraq/240720241"]
    # The AMP page was fetched but the canonical page's own content and URL are kept.
    assert urlsplit(golden.url).path == "/english/middleeast/iraq/240720241"
    assert "/english/kurdistan/18022026" in crawled.requests
    moved = crawled.articles["/english/categories/kurdistan/1080001"]
    assert urlsplit(moved.url).path == "/english/categories/kurdistan/1080001"
    assert not any(urlsplit(a.url).path.endswith("-amp") for a in crawled.articles.values())
