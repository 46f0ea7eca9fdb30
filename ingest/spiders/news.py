"""The site spider: discover a profile's articles through sitemaps, feeds and listings, then fetch them.

One class, ``NewsSpider``; a subclass per profile in ``ingest.profiles.PROFILES`` is made at
import so that ``scrapy crawl rudaw`` and ``scrapy crawl kurdistan24`` exist without code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urljoin, urlsplit

import scrapy
from lxml import etree
from scrapy.http import TextResponse
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from ingest.middlewares import DUE, parse_lastmod
from ingest.profiles import PROFILES, SiteProfile, reroot, unroot
from ingest.spiders.base import ArticleFetchingSpider

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable, Iterator

    from scrapy.http import Response
    from twisted.python.failure import Failure

_GZIP_MAGIC = b"\x1f\x8b"
_STRICT_XML = etree.XMLParser(resolve_entities=False, no_network=True)


class NewsSpider(ArticleFetchingSpider):
    """Crawl one site profile.

    Arguments (``-a``): ``editions`` (comma-separated keys; default all), ``base_url``
    (re-roots every URL of the profile, so the same spider crawls a local mirror).

    Settings: ``INGEST_MAX_LISTING_DEPTH`` (listing pages followed from a start listing,
    pagination included). Which known articles are fetched again is decided by
    ``ingest.middlewares.DueVisitsMiddleware``, from the meta of each article request. Stats:
    ``ingest/discover/<source>/articles`` (article URLs found per source),
    ``ingest/discover/<source>/known_skipped`` (of those, known and not due a visit),
    ``ingest/discover/<source>/broken`` (unreadable sitemaps and feeds),
    ``ingest/discover/<source>/empty``.
    """

    profile: ClassVar[SiteProfile]

    def __init__(
        self, *args: Any, editions: str | None = None, base_url: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        known = {e.key: e for e in self.profile.editions}
        wanted = [e.strip() for e in editions.split(",") if e.strip()] if editions else list(known)
        if unknown := sorted(set(wanted) - set(known)):
            raise ValueError(
                f"unknown edition(s) {unknown} for {self.name}; known: {sorted(known)}"
            )
        self.editions = tuple(known[k] for k in wanted)
        self.base_url = _validated_base_url(base_url) if base_url else ""
        self.allowed_domains = (
            [urlsplit(self.base_url).hostname or ""]
            if self.base_url
            else list(self.profile.domains)
        )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self._discovery("/robots.txt", self.parse_robots, "robots")
        for path in self.profile.sitemaps:
            yield self._discovery(path, self.parse_sitemap, "sitemap")
        for edition in self.editions:
            for path in edition.feeds:
                yield self._discovery(path, self.parse_feed, "feed")
            for path in edition.listings:
                yield self._discovery(path, self.parse_listing, "listing", depth=0)

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        for url in sitemap_urls_from_robots(response.body, base_url=response.url):
            yield self._discovery(url, self.parse_sitemap, "sitemap")

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        body = response.body
        if body[:2] == _GZIP_MAGIC:
            body = gunzip(body)
        try:
            sitemap = Sitemap(body)
        except (ValueError, SyntaxError):
            sitemap = None
        if sitemap is None or sitemap.type not in ("sitemapindex", "urlset"):
            self._stat("sitemap", "broken")
            self.logger.warning("unreadable sitemap at %s", response.url)
            return
        entries = [(entry["loc"], entry.get("lastmod")) for entry in sitemap if entry.get("loc")]
        if sitemap.type == "sitemapindex":
            for url, _ in entries:
                yield self._discovery(url, self.parse_sitemap, "sitemap")
            return
        yield from self._articles(entries, response.url, "sitemap")

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        text = response.text if isinstance(response, TextResponse) else ""
        if "<rss" not in text[:2000] and "<feed" not in text[:2000] and "<rdf" not in text[:2000]:
            self._stat("feed", "broken")
            self.logger.warning("not a feed at %s", response.url)
            return
        try:
            etree.fromstring(response.body, parser=_STRICT_XML)
        except etree.XMLSyntaxError as exc:
            # A truncated or malformed feed still gives the items before the damage.
            self._stat("feed", "broken")
            self.logger.warning("malformed feed at %s (%s); reading what parses", response.url, exc)
        selector = scrapy.Selector(text=text, type="xml")
        links = selector.xpath(
            "//item/link/text() | //*[local-name()='entry']/*[local-name()='link']/@href"
        ).getall()
        if not links:
            # Rudaw's /english/rss has been seen answering 200 with an empty channel.
            self._stat("feed", "empty")
            self.logger.info("feed without items at %s", response.url)
        yield from self._articles([(link, None) for link in links], response.url, "feed")

    def parse_listing(self, response: Response, depth: int) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            return
        hrefs = response.xpath("//a/@href").getall()
        yield from self._articles([(href, None) for href in hrefs], response.url, "listing")
        max_depth = self.settings.getint("INGEST_MAX_LISTING_DEPTH")
        if depth >= max_depth:
            return
        for href in hrefs:
            url = self._local(urljoin(response.url, href.strip()))
            if self._in_editions(url) and self.profile.is_listing(url):
                yield self._discovery(url, self.parse_listing, "listing", depth=depth + 1)

    def on_discovery_error(self, failure: Failure) -> None:
        """A missing feed or sitemap is normal (the site may have none): count it, go on."""
        request = failure.request  # type: ignore[attr-defined]
        source = request.meta.get("ingest_source", "discovery")
        self._stat(source, "unavailable")
        self.logger.info("%s unavailable at %s: %s", source, request.url, failure.getErrorMessage())

    def _articles(
        self, found: Iterable[tuple[str, str | None]], base: str, source: str
    ) -> Iterator[scrapy.Request]:
        """Requests for the article URLs among ``found`` (href, sitemap lastmod)."""
        for href, lastmod in found:
            url = self._local(urljoin(base, href.strip()))
            if not (self._in_editions(url) and self.profile.is_article(url)):
                continue
            self._stat(source, "articles")
            edition = self.profile.edition_for(url)
            request = self.article_request(
                url,
                site=self.profile.key,
                edition=edition.key if edition else None,
                found_via=source,
            )
            # Stored under the URL it was fetched from or its canonical URL (the site's own).
            keys = (url, unroot(url, self.base_url, self.profile))
            request.meta[DUE] = {"keys": keys, "lastmod": parse_lastmod(lastmod), "source": source}
            yield request

    def parse_article(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        # A redirect may land on a non-article page (a section front, the home page).
        if not self.profile.is_article(response.url):
            self.crawler.stats.inc_value("ingest/fetch/redirected_off_article")
            self.logger.info("%s is not an article URL, not stored", response.url)
            return
        yield from super().parse_article(response, **kwargs)

    def _discovery(self, url: str, callback: Any, source: str, **cb_kwargs: Any) -> scrapy.Request:
        return scrapy.Request(
            self._local(self.profile.absolute(url)),
            callback=callback,
            errback=self.on_discovery_error,
            cb_kwargs=cb_kwargs,
            meta={"ingest_source": source},
            priority=10 if source in ("sitemap", "robots", "feed") else 0,
        )

    def _local(self, url: str) -> str:
        return reroot(url, self.base_url, self.profile)

    def _in_editions(self, url: str) -> bool:
        if self.base_url and urlsplit(url).netloc != urlsplit(self.base_url).netloc:
            return False
        if not self.base_url and not self.profile.owns(url):
            return False
        edition = self.profile.edition_for(url)
        return edition is not None and edition in self.editions

    def _stat(self, source: str, what: str) -> None:
        self.crawler.stats.inc_value(f"ingest/discover/{source}/{what}")


def _validated_base_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"base_url must be an http(s) URL such as http://127.0.0.1:8000, got {base_url!r}"
        )
    return base_url.rstrip("/")


def _spider_class(profile: SiteProfile) -> type[NewsSpider]:
    class_name = "".join(part.title() for part in profile.key.split("_")) + "Spider"
    return type(class_name, (NewsSpider,), {"name": profile.key, "profile": profile})


for _profile in PROFILES.values():
    globals()[_spider_class(_profile).__name__] = _spider_class(_profile)
