"""The items that flow through the pipelines: a fetched page, then the article made from it."""

from __future__ import annotations

from dataclasses import dataclass, field, make_dataclass
from datetime import datetime
from typing import Any

from ingest import fields
from ingest.urls import normalise_url


@dataclass(kw_only=True, slots=True)
class PageItem:
    """A fetched page, before anything is parsed out of it.

    ``url`` is the address after redirects; ``requested_url`` the one that was asked for.
    ``body`` is kept as bytes with the server's ``content_type`` so that extraction can
    decide the charset itself (servers often declare a wrong one).
    """

    url: str
    requested_url: str
    status: int
    # Kept out of repr: Scrapy logs dropped items, and a page body does not belong in a log line.
    body: bytes = field(repr=False)
    content_type: str | None
    fetched_at: datetime
    site: str | None
    edition: str | None
    #: How the URL was found: "sitemap", "feed", "listing", "links" (an article page's links)
    #: or "list" (the urls spider).
    found_via: str
    #: The exchange as sent and received, for the raw page store's WARC records.
    protocol: str | None = None
    request_headers: list[tuple[str, str]] = field(default_factory=list, repr=False)
    response_headers: list[tuple[str, str]] = field(default_factory=list, repr=False)


def _article_fields() -> type:
    """Return a dataclass of the article fields an item carries (``ingest.fields``): optional
    ones default to None, lists to empty."""

    def spec(f: fields.Field) -> tuple[str, Any, Any]:
        if f.kind == "list":
            return f.name, f.type, field(default_factory=list, repr=f.repr)
        return (
            f.name,
            f.type,
            field(default=None, repr=f.repr) if f.optional else field(repr=f.repr),
        )

    carried = [f for f in fields.ARTICLE if f.role is not fields.Role.RECORD]
    made = make_dataclass("ArticleFields", [spec(f) for f in carried], kw_only=True, slots=True)
    made.__module__ = __name__  # so that pickle (extraction workers' results) finds it
    return made


ArticleFields = _article_fields()


@dataclass(kw_only=True, slots=True)
class ArticleItem(ArticleFields):
    """An extracted article: the fields of ``ingest.fields.ARTICLE`` (their names and meanings
    are those of the ``articles`` table; see there), and what the pipeline needs on the way.
    """

    fetched_at: datetime
    #: What the page says it is (JSON-LD @type or og:type): "NewsArticle", "article", "website".
    page_type: str | None = None
    #: The page it was made from, until the raw page store has kept it.
    page: PageItem | None = field(default=None, repr=False)
    #: trafilatura's own text of the whole page, for ``FallbackPipeline``, which empties it;
    #: never stored.
    reference_text: str = field(default="", repr=False)
    #: The body's own headings (``Extracted.headings``), for the header cleaning; never stored.
    headings: frozenset[str] = field(default=frozenset(), repr=False)

    def __post_init__(self) -> None:
        self.url = normalise_url(self.url)
        self.canonical_url = normalise_url(self.canonical_url)
