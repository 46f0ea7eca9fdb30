"""What every spider shares: turning an article response into a ``PageItem``, and counting failures."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectionLost,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.web.client import ResponseFailed

from ingest.downloadermiddlewares import (
    OffsiteRedirect,
    PrivateRedirect,
    RedirectLoop,
    ResponseTooLarge,
)
from ingest.items import PageItem

if TYPE_CHECKING:
    from collections.abc import Iterator

    from scrapy.http import Headers, Response
    from twisted.python.failure import Failure


class _RobotsFailureOnOneLine(logging.Filter):
    """Scrapy logs an unreachable robots.txt as an ERROR with a full traceback. A network
    failure is not a bug, and the pages behind it are counted and logged by the spider
    (``on_fetch_error``): the message line alone says it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], _NETWORK_ERRORS):
            record.exc_info = record.exc_text = None
        return True


_NETWORK_ERRORS = (
    CannotResolveHostError,
    DNSLookupError,
    DownloadConnectionRefusedError,
    ConnectionRefusedError,
    DownloadTimeoutError,
    TimeoutError,
    TCPTimedOutError,
    ResponseDataLossError,
)
_ROBOTS_LOGGER = logging.getLogger("scrapy.downloadermiddlewares.robotstxt")
if not any(isinstance(f, _RobotsFailureOnOneLine) for f in _ROBOTS_LOGGER.filters):
    _ROBOTS_LOGGER.addFilter(_RobotsFailureOnOneLine())


class ArticleFetchingSpider(scrapy.Spider):
    """Base of the ingest spiders: article responses become ``PageItem``s for the pipelines.

    Stats: ``ingest/fetch/pages`` per article page received, ``ingest/fetch/failed/<reason>``
    per article that could not be fetched: ``http_<status>``, ``timeout``, ``dns``,
    ``connection_refused``, ``too_large`` (over ``DOWNLOAD_MAXSIZE``, however found),
    ``data_loss`` (the response ended early), ``offsite_redirect``, ``private_redirect`` (to a
    private, loopback or link-local address), ``redirect_loop`` (HTTP or meta refresh), or the
    exception's class name for anything else.
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
            protocol=response.protocol,
            request_headers=_headers(response.request.headers) if response.request else [],
            response_headers=_headers(response.headers),
        )

    def on_fetch_error(self, failure: Failure) -> None:
        """Count and log a page that could not be fetched; the crawl goes on."""
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(HttpError):
            reason = f"http_{failure.value.response.status}"
        elif failure.check(DownloadTimeoutError, TimeoutError, TCPTimedOutError):
            reason = "timeout"
        elif failure.check(DNSLookupError, CannotResolveHostError):
            reason = "dns"
        elif failure.check(DownloadConnectionRefusedError, ConnectionRefusedError):
            reason = "connection_refused"
        elif failure.check(ResponseTooLarge) or (
            failure.check(DownloadCancelledError) and self.crawler.crawling
        ):
            # Scrapy cancels a download only when its Content-Length or its stream outgrows
            # DOWNLOAD_MAXSIZE, or when the crawl is closing; PoliteRetryMiddleware refuses
            # a body that inflates past it.
            reason = "too_large"
        elif failure.check(ResponseDataLossError, ResponseFailed, ConnectionLost):
            # Cut off: short of its Content-Length, a truncated gzip stream, a reset.
            reason = "data_loss"
        elif failure.check(OffsiteRedirect):
            reason = "offsite_redirect"
        elif failure.check(PrivateRedirect):
            reason = "private_redirect"
        elif failure.check(RedirectLoop):
            reason = "redirect_loop"
        else:
            reason = type(failure.value).__name__
        self.crawler.stats.inc_value(f"ingest/fetch/failed/{reason}")
        self.logger.warning("could not fetch %s: %s", request.url, reason)


def _headers(headers: Headers) -> list[tuple[str, str]]:
    """Return every header line as text (latin-1, HTTP's own header charset), in order."""
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]


def _header(response: Response, name: bytes) -> str | None:
    value: Any = response.headers.get(name)
    return value.decode("latin-1") if value else None
