"""Downloader middlewares that keep the crawl polite and safe on the open web.

- ``PoliteRetryMiddleware`` replaces Scrapy's ``RetryMiddleware``: it waits between retries
  (exponential backoff, and the server's ``Retry-After`` for 429 and 503), and it refuses a
  gzip body that ends early or inflates past ``DOWNLOAD_MAXSIZE``, which Scrapy's
  decompression would otherwise pass on as a whole page.
- ``SameSiteRedirectMiddleware`` follows redirects and meta refreshes only within the site of
  the page first requested, and never into private, loopback or link-local addresses.
- ``LoopFailingRedirectMiddleware`` and ``LoopFailingMetaRefreshMiddleware`` replace Scrapy's
  redirect middlewares and fail a redirect loop instead of dropping it unseen.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import zlib
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, ResponseDataLossError
from scrapy.http import HtmlResponse
from scrapy.utils.response import response_status_message
from scrapy.utils.url import url_is_from_any_domain
from w3lib.url import canonicalize_url

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Response

    IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_CHUNK = 64 * 1024


class ResponseTooLarge(IgnoreRequest):
    """The body inflated past ``DOWNLOAD_MAXSIZE`` (counted as ``too_large``, as Scrapy's own
    cancellations for a large ``Content-Length`` or a long stream are)."""


class TruncatedBody(ResponseDataLossError):
    """The compressed body ends before its end-of-stream marker: part of the page is missing."""


class RedirectLoop(IgnoreRequest):
    """A redirect or meta refresh leads back to a URL of its own chain."""


class OffsiteRedirect(IgnoreRequest):
    """A redirect or meta refresh points out of the site being crawled."""


class PrivateRedirect(IgnoreRequest):
    """A redirect or meta refresh points to a private, loopback or link-local address."""


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
    (169.254.169.254) or a machine of the local network and have the answer stored. The
    exception is the host first requested, by name: whoever listed it vouches for that host,
    not for its neighbours (a page on 127.0.0.1 may not send us to 127.0.0.2, nor to
    ``localhost``). Any other host that passes the site rules is resolved (off the reactor
    thread) and refused if any of its addresses is not a public one: a site's own domain or
    an allowed CDN host may well name a machine of an internal network. The check is made
    when the redirect is, so a name whose DNS answer changes before Scrapy's own lookup
    (DNS rebinding) is not caught; a name that does not resolve is left to fail as ``dns``.
    Stats (via the spider's errback): ``ingest/fetch/failed/offsite_redirect``,
    ``ingest/fetch/failed/private_redirect``.
    """

    def __init__(self, crawler: Crawler, allowed_hosts: list[str]) -> None:
        self.crawler = crawler
        self.allowed_hosts = frozenset(h.lower() for h in allowed_hosts)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, crawler.settings.getlist("INGEST_REDIRECT_ALLOWED_HOSTS"))

    async def process_request(self, request: Request) -> None:
        redirects = request.meta.get("redirect_urls")
        if not redirects:
            return
        origin = (urlsplit(redirects[0]).hostname or "").lower()
        parts = urlsplit(request.url)
        target = (parts.hostname or "").lower()
        if target == origin:
            return
        if (address := _ip_address(target)) is not None and not _is_public(address):
            raise PrivateRedirect(f"{redirects[-1]} redirects to private address {target}")
        domains = getattr(self.crawler.spider, "allowed_domains", None) or []
        if not (
            target in self.allowed_hosts
            or (domains and url_is_from_any_domain(request.url, domains))
        ):
            raise OffsiteRedirect(f"{redirects[-1]} redirects off the site to {target}")
        if address is None:
            private = [a for a in await _resolve(target, parts.port) if not _is_public(a)]
            if private:
                raise PrivateRedirect(
                    f"{redirects[-1]} redirects to {target}, which is the private address"
                    f" {private[0]}"
                )


class _FailsRedirectLoops:
    """Fail a redirect that leads back into its own chain as ``RedirectLoop``.

    Scrapy's duplicate filter would drop it without a word (or, for a request that is not
    filtered, follow it ``REDIRECT_MAX_TIMES`` times). Checked on the request Scrapy's own
    middleware builds, so the target is read exactly as Scrapy reads it; compared as the
    duplicate filter compares URLs (canonical form, no fragment).
    """

    def process_response(self, request: Request, response: Response) -> Request | Response:
        result = super().process_response(request, response)  # type: ignore[misc]
        if isinstance(result, Request):
            chain = {
                canonicalize_url(u) for u in (*request.meta.get("redirect_urls", ()), request.url)
            }
            if canonicalize_url(result.url) in chain:
                raise RedirectLoop(f"{request.url} redirects back to {result.url}")
        return result


class LoopFailingRedirectMiddleware(_FailsRedirectLoops, RedirectMiddleware):
    """Scrapy's ``RedirectMiddleware`` (3xx), failing redirect loops."""


class LoopFailingMetaRefreshMiddleware(_FailsRedirectLoops, MetaRefreshMiddleware):
    """Scrapy's ``MetaRefreshMiddleware``, failing meta refresh loops (a page refreshing to
    itself, or two pages to each other). Where Scrapy's stands, after decompression: a
    compressed page's refresh is only readable there.

    Scrapy's reads the refresh from the first 4,096 characters of ``response.text``, which
    decodes the whole page and keeps the text on the response while it lives: a second copy
    of every page, up to four times its size, in the crawl process, which never reads it
    (pages are decoded in the extraction workers). It is given the page's head instead.
    """

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if not isinstance(response, HtmlResponse) or len(response.body) <= _REFRESH_HEAD_BYTES:
            return super().process_response(request, response)
        head = response.replace(body=response.body[:_REFRESH_HEAD_BYTES])
        result = super().process_response(request, head)
        return response if result is head else result


# Scrapy looks for the refresh in the first 4,096 characters; no encoding takes more than four
# bytes for a character, so these bytes hold at least as many.
_REFRESH_HEAD_BYTES = 4 * 4096


def _ip_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


async def _resolve(host: str, port: int | None) -> list[IPAddress]:
    """Every address ``host`` resolves to (none when it does not resolve)."""
    loop = asyncio.get_running_loop()
    try:
        answers = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return [ipaddress.ip_address(str(sockaddr[0]).split("%")[0]) for *_, sockaddr in answers]
