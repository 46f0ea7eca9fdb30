"""The items that flow through the pipelines: a fetched page, then the article made from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

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


@dataclass(kw_only=True, slots=True)
class ArticleItem:
    """An extracted article; its field names and meanings are those of the ``articles`` table.

    - ``text``: the clean body, one paragraph per line joined by ``"\\n"``.
    - ``lead``: the first paragraph of ``text`` (the standfirst or dateline paragraph).
    - ``authors``: names only, in page order; ``["Rudaw"]`` when the byline is the outlet.
    - ``published_at``/``modified_at``: the publisher's own times, timezone-aware UTC.
    - ``language``: the page's language code (``en``, ``ckb``, ``ar``, ``ku``, ``tr``).
    - ``section``: the human section label shown on the page ("Iraq").
    - ``image_caption``: the lead photo's caption, never part of ``text``.
    - ``url``/``canonical_url``: normalised (``ingest.urls.normalise_url``) whoever builds the
      item, so that the same page is always stored under the same key, with or without a
      canonical link.
    """

    url: str
    canonical_url: str
    site: str
    edition: str | None
    language: str | None
    section: str | None
    title: str
    lead: str | None = None
    text: str = field(repr=False)
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    modified_at: datetime | None = None
    tags: list[str] = field(default_factory=list)
    image_url: str | None = None
    image_caption: str | None = None
    fetched_at: datetime
    #: What the page says it is (JSON-LD @type or og:type): "NewsArticle", "article", "website".
    page_type: str | None = None
    #: The page it was made from, until the raw page store has kept it.
    page: PageItem | None = field(default=None, repr=False)
    #: Where the raw page store keeps that page (``ingest.raw.RecordLocation``'s fields).
    warc_file: str | None = None
    warc_offset: int | None = None
    warc_length: int | None = None
    warc_digest: str | None = None
    #: trafilatura's own text of the whole page, for ``FallbackPipeline``, which empties it;
    #: never stored.
    reference_text: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        self.url = normalise_url(self.url)
        self.canonical_url = normalise_url(self.canonical_url)
