"""Article items carry their URLs in normal form, whoever builds them, and never a broken one."""

from __future__ import annotations

from datetime import UTC, datetime

from ingest.extraction.extract import extract_article
from ingest.items import ArticleItem

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_article_urls_are_normalised():
    item = ArticleItem(
        url="HTTPS://WWW.Example.com:443/news/story-1/?utm_source=rss#comments",
        canonical_url="https://www.example.com/news/story-1/?fbclid=abc",
        site="example",
        edition=None,
        language="en",
        section=None,
        title="Story",
        text="Body.",
        fetched_at=NOW,
    )
    assert item.url == item.canonical_url == "https://www.example.com/news/story-1"


def test_a_canonical_link_that_is_no_valid_url_is_ignored():
    paragraphs = "".join(
        f"<p>Paragraph {n} of a story long enough to be stored as an article by the pipeline.</p>"
        for n in range(6)
    )
    page = (
        '<html><head><title>A story</title><link rel="canonical"'
        ' href="https://www.example.com:99999/news/story-2"></head>'
        f"<body><article><h1>A story</h1>{paragraphs}</article></body></html>"
    )
    extracted = extract_article(page, "https://www.example.com/news/story-2")
    assert extracted is not None
    assert extracted.canonical_url is None
