"""The item pipelines on every fixture page, one test per (page, field), as web-poet and fundus do.

Pages are read from the fixture sites and fed to the real pipeline stages (built from a
crawler with the project's settings), without a crawl: the crawl tests do that end to end.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from scrapy.exceptions import DropItem

from ingest.extraction.article import Rejection, rejection
from ingest.items import ArticleItem, PageItem
from ingest.pipelines import (
    NoArticleBody,
    NotAnArticle,
    TooShort,
)
from ingest.profiles import PROFILES
from tests.conftest import (
    SEED_LINES,
    SITES,
    expected_articles,
    not_articles,
    run_stages,
    site_config,
)

FIELDS = (
    "canonical_url",
    "edition",
    "language",
    "section",
    "title",
    "authors",
    "published_at",
    "image_url",
    "image_caption",
    "tags",
    "lead",
    "text",
)


def _page_file(site: str, url_path: str) -> Path:
    path = url_path.split("?", maxsplit=1)[0].strip("/")
    query = url_path.split("?")[1] if "?" in url_path else ""
    stem = f"{path}@{query}" if query else path
    config = site_config(site)
    if target := config.get("redirects", {}).get("/" + path):
        return _page_file(site, target)
    for candidate in (SITES / site / f"{stem}.html", SITES / site / stem / "index.html"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(url_path)


def process(site: str, url_path: str) -> ArticleItem:
    """Run a fixture page through the stages as if fetched from the real site."""
    profile = PROFILES[site]
    url = profile.home + url_path
    config = site_config(site)
    content_type = (
        config.get("headers", {}).get(url_path, {}).get("Content-Type", "text/html; charset=utf-8")
    )
    if target := config.get("redirects", {}).get(url_path):
        url = profile.home + target
    edition = profile.edition_for(url)
    item: Any = PageItem(
        url=url,
        requested_url=profile.home + url_path,
        status=200,
        body=_page_file(site, url_path).read_bytes(),
        content_type=content_type,
        fetched_at=datetime(2024, 8, 1, tzinfo=UTC),
        site=site,
        edition=edition.key if edition else None,
        found_via="list",
    )
    return run_stages(item)


CASES = [
    (site, path, data)
    for site in ("rudaw", "kurdistan24")
    for path, data in expected_articles(site).items()
]


@pytest.fixture(scope="module")
def processed() -> dict[tuple[str, str], ArticleItem]:
    return {(site, path): process(site, path) for site, path, _ in CASES}


@pytest.mark.parametrize(
    ("site", "path", "field"),
    [(site, path, field) for site, path, _ in CASES for field in FIELDS],
)
def test_fixture_article_field(processed, site, path, field):
    expected = expected_articles(site)[path]
    item = processed[(site, path)]
    actual = getattr(item, field)
    wanted = expected[field]
    if field == "published_at":
        if (
            wanted and len(wanted) == 10
        ):  # the page gives a date only: compare it in the site's zone
            zone = ZoneInfo(PROFILES[site].timezone)
            actual = actual.astimezone(zone).date().isoformat() if actual else None
        else:
            actual = actual.isoformat().replace("+00:00", "Z") if actual else None
    assert actual == wanted


def _served(site: str, path: str) -> bool:
    """Return whether the path answers with a page of its own (not an error, not a redirect)."""
    config = site_config(site)
    if path in config.get("redirects", {}):
        return False
    try:
        return _page_file(site, path).is_file()
    except FileNotFoundError:
        return False


@pytest.mark.parametrize(
    ("site", "path"),
    [
        (site, path)
        for site in ("rudaw", "kurdistan24")
        for path in not_articles(site)
        # Error statuses and missing pages are the crawl tests' business.
        if PROFILES[site].is_article(PROFILES[site].home + path) and _served(site, path)
    ],
)
def test_article_shaped_page_without_an_article_is_dropped(site, path):
    with pytest.raises((NoArticleBody, TooShort)):
        process(site, path)


def test_golden_case_is_the_seed_article(processed):
    lines = SEED_LINES
    item = processed[("rudaw", "/english/middleeast/iraq/240720241")]
    assert item.text == "\n".join(lines[2:24])
    assert item.section == "Iraq"
    assert item.image_caption == lines[1]
    for comment_line in lines[45:]:
        assert comment_line not in item.text


@pytest.mark.parametrize("path", ["/english/videos/240720243", "/english/onair/tv/live"])
def test_video_and_live_pages_listed_by_hand_are_not_articles(path):
    with pytest.raises((NotAnArticle, TooShort)):
        process("rudaw", path)


def test_drop_reasons_are_dropitem_subclasses():
    for reason in (NoArticleBody, TooShort):
        assert issubclass(reason, DropItem)


SHORT_POST = (
    "M: Wer rutscht als nächstes aus auf dem Glatteis? Ich: Ich wette, dass du als nächstes"
    " ausrutschst. M: Gewonnen!"
)


@pytest.mark.parametrize(
    ("page_type", "stored"),
    [
        ("article", True),  # og:type
        ("BlogPosting", True),  # JSON-LD
        ("NewsArticle", True),
        (None, False),  # a page that says nothing of itself needs a few sentences
        ("website", False),
    ],
)
def test_a_short_post_is_stored_when_the_page_declares_an_article(page_type, stored):
    item = ArticleItem(
        url="https://blog.example.org/2009/12/23/glatteis",
        canonical_url="https://blog.example.org/2009/12/23/glatteis",
        site="blog.example.org",
        title="Glatteis",
        text=SHORT_POST,
        fetched_at=datetime.now(UTC),
        page_type=page_type,
    )
    found = rejection(item, min_chars=200)
    assert (found is None) == stored
    if not stored:
        assert found is not None and found[0] == Rejection.TOO_SHORT
    # A removed-story stub stays out, declared or not.
    stub = replace(item, text="This article has been removed.")
    assert rejection(stub, min_chars=200) is not None
