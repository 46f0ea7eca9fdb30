"""What every spider shares: turning an article response into a ``PageItem``, and counting failures."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.exceptions import DownloadTimeoutError
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import DNSLookupError, TCPTimedOutError, TimeoutError

from ingest.items import PageItem

if TYPE_CHECKING:
    from collections.abc import Iterator

    from scrapy.http import Response
    from twisted.python.failure import Failure


class ArticleFetchingSpider(scrapy.Spider):
    """Base of the ingest spiders: article responses become ``PageItem``s for the pipelines.

    Stats: ``ingest/fetch/pages`` per article page received, ``ingest/fetch/failed/<reason>``
    per article that could not be fetched (HTTP status, timeout, DNS, other).
    """

    def article_request(
        self, url: str, *, site: str | None, edition: str | None, found_via: str
    ) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.on_fetch_error,
            cb_kwargs={"site": site, "edition": edition, "found_via": found_via},
        )

    def parse_article(
        self, response: Response, site: str | None, edition: str | None, found_via: str
    ) -> Iterator[PageItem]:
        self.crawler.stats.inc_value("ingest/fetch/pages")
        redirects = response.request.meta.get("redirect_urls") if response.request else None
        yield PageItem(
            url=response.url,
            requested_url=redirects[0] if redirects else response.url,
            status=response.status,
            body=response.body,
            content_type=_header(response, b"Content-Type"),
            fetched_at=datetime.now(UTC),
            site=site,
            edition=edition,
            found_via=found_via,
        )

    def on_fetch_error(self, failure: Failure) -> None:
        """Count and log a page that could not be fetched; the crawl goes on."""
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(HttpError):
            reason = f"http_{failure.value.response.status}"
        elif failure.check(DownloadTimeoutError, TimeoutError, TCPTimedOutError):
            reason = "timeout"
        elif failure.check(DNSLookupError):
            reason = "dns"
        else:
            reason = type(failure.value).__name__
        self.crawler.stats.inc_value(f"ingest/fetch/failed/{reason}")
        self.logger.warning("could not fetch %s: %s", request.url, reason)


def _header(response: Response, name: bytes) -> str | None:
    value: Any = response.headers.get(name)
    return value.decode("latin-1") if value else None
