"""Downloader middlewares that keep the crawl polite and safe on the open web.

- ``PoliteRetryMiddleware`` replaces Scrapy's ``RetryMiddleware``: it waits between retries
  (exponential backoff, and the server's ``Retry-After`` for 429 and 503), and it refuses a
  gzip body that ends early or inflates past ``DOWNLOAD_MAXSIZE``, which Scrapy's
  decompression would otherwise pass on as a whole page.
- ``SameSiteRedirectMiddleware`` follows redirects and meta refreshes only within the site of
  the page first requested, and never into private, loopback or link-local addresses.
"""

from __future__ import annotations

import asyncio
import ipaddress
import zlib
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, ResponseDataLossError
from scrapy.utils.response import response_status_message
from scrapy.utils.url import url_is_from_any_domain
from w3lib.url import safe_url_string

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

_CHUNK = 64 * 1024


class ResponseTooLarge(IgnoreRequest):
    """The body inflated past ``DOWNLOAD_MAXSIZE`` (counted as ``too_large``, as Scrapy's own
    cancellations for a large ``Content-Length`` or a long stream are)."""


class TruncatedBody(ResponseDataLossError):
    """The compressed body ends before its end-of-stream marker: part of the page is missing."""


class RedirectLoop(IgnoreRequest):
    """An HTTP redirect leads back to a URL of its own chain."""


class OffsiteRedirect(IgnoreRequest):
    """A redirect or meta refresh points out of the site being crawled, or into a private network."""


class PoliteRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, with a wait before each one, and complete bodies only.

    Settings: Scrapy's ``RETRY_*``; ``INGEST_RETRY_BACKOFF`` (seconds before the first retry,
    doubled for each next one), ``INGEST_RETRY_BACKOFF_MAX`` (the longest wait, and the
    longest ``Retry-After`` honoured: a server asking for more is given up on for this run).
    Stats: ``ingest/fetch/retry_after_too_long``.
    """

    def __init__(self, settings: Any, backoff: float, backoff_max: float, max_size: int) -> None:
        super().__init__(settings)
        self.backoff = backoff
        self.backoff_max = backoff_max
        self.max_size = max_size

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        middleware = cls(
            settings,
            settings.getfloat("INGEST_RETRY_BACKOFF"),
            settings.getfloat("INGEST_RETRY_BACKOFF_MAX"),
            settings.getint("DOWNLOAD_MAXSIZE"),
        )
        middleware.crawler = crawler
        return middleware

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("dont_retry", False):
            return response
        if response.status in self.retry_http_codes:
            wait = self._backoff(request)
            if response.status in (429, 503):
                asked = retry_after(response.headers.get(b"Retry-After"))
                if asked is not None and asked > self.backoff_max:
                    assert self.crawler.stats is not None
                    self.crawler.stats.inc_value("ingest/fetch/retry_after_too_long")
                    return response
                wait = max(wait, asked or 0.0)
            return (
                await self._retry_later(request, response_status_message(response.status), wait)
                or response
            )
        if _is_gzip(response):
            max_size = request.meta.get("download_maxsize", self.max_size)
            complete, size = gzip_complete(response.body, max_size)
            if max_size and size > max_size:
                raise ResponseTooLarge(f"{request.url} inflates past {max_size} bytes")
            if not complete:
                retry = await self._retry_later(
                    request, "truncated gzip body", self._backoff(request)
                )
                if retry is None:
                    raise TruncatedBody(f"{request.url}: the gzip stream ends early")
                return retry
        return response

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        if isinstance(exception, self.exceptions_to_retry) and not request.meta.get(
            "dont_retry", False
        ):
            return await self._retry_later(request, exception, self._backoff(request))
        return None

    def _backoff(self, request: Request) -> float:
        return min(self.backoff_max, self.backoff * 2 ** request.meta.get("retry_times", 0))

    async def _retry_later(
        self, request: Request, reason: str | Exception, wait: float
    ) -> Request | None:
        retry = self._retry(request, reason)
        if retry is not None and wait > 0:
            await asyncio.sleep(wait)
        return retry


def retry_after(value: bytes | None, *, now: datetime | None = None) -> float | None:
    """Return the seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date)."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def gzip_complete(body: bytes, max_size: int) -> tuple[bool, int]:
    """Inflate ``body`` (discarding the output) and say whether the stream reached its end,
    and how many bytes it gave; stops early once past ``max_size`` (0: no limit)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    size = 0
    data = body
    try:
        while data and not inflater.eof:
            size += len(inflater.decompress(data, _CHUNK))
            if max_size and size > max_size:
                return False, size
            data = inflater.unconsumed_tail
        while not inflater.eof and (chunk := inflater.decompress(b"", _CHUNK)):
            size += len(chunk)
    except zlib.error:
        return False, size
    return inflater.eof, size


def _is_gzip(response: Response) -> bool:
    encodings = [e.strip().lower() for e in response.headers.getlist(b"Content-Encoding")]
    return encodings in ([b"gzip"], [b"x-gzip"])


class SameSiteRedirectMiddleware:
    """Let a redirect (or meta refresh) through only to the host first requested, the
    spider's ``allowed_domains`` or ``INGEST_REDIRECT_ALLOWED_HOSTS``; and never to a
    private, loopback or link-local address unless the first request went to that very host.

    A listed page must not be able to send the crawler to a cloud metadata service
    (169.254.169.254) or a machine of the local network and have the answer stored.
    Also fails an HTTP redirect back into its own chain as ``RedirectLoop``, which Scrapy's
    duplicate filter would otherwise drop without a word. Placed before Scrapy's
    ``RedirectMiddleware`` (``process_response`` sees the 3xx first).
    Stats (via the spider's errback): ``ingest/fetch/failed/offsite_redirect``,
    ``ingest/fetch/failed/redirect_loop``.
    """

    def __init__(self, crawler: Crawler, allowed_hosts: list[str]) -> None:
        self.crawler = crawler
        self.allowed_hosts = frozenset(h.lower() for h in allowed_hosts)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, crawler.settings.getlist("INGEST_REDIRECT_ALLOWED_HOSTS"))

    def process_request(self, request: Request) -> None:
        redirects = request.meta.get("redirect_urls")
        if not redirects:
            return
        origin = (urlsplit(redirects[0]).hostname or "").lower()
        target = (urlsplit(request.url).hostname or "").lower()
        if target == origin:
            return
        if _is_private(target):
            raise OffsiteRedirect(f"{redirects[-1]} redirects to private address {target}")
        domains = getattr(self.crawler.spider, "allowed_domains", None) or []
        if target in self.allowed_hosts or (
            domains and url_is_from_any_domain(request.url, domains)
        ):
            return
        raise OffsiteRedirect(f"{redirects[-1]} redirects off the site to {target}")

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if 300 <= response.status < 400 and location:
            target = safe_url_string(urljoin(request.url, location.decode("latin-1")))
            if target in {request.url, *request.meta.get("redirect_urls", ())}:
                raise RedirectLoop(f"{request.url} redirects back to {target}")
        return response


def _is_private(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not address.is_global
