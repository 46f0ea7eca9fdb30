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
from ingest.urls import is_page_url, normalise_url

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable, Iterator

    from scrapy.http import Response
    from twisted.python.failure import Failure

_GZIP_MAGIC = b"\x1f\x8b"
_STRICT_XML = etree.XMLParser(resolve_entities=False, no_network=True)
# Links in the site's menus: <nav>, ARIA navigation, and the page header (not an article's own
# header, which holds its byline and tags). A menu link is a section of the site even when its
# URL has a shape the profile does not list.
_MENU_LINKS_XPATH = (
    "//a[ancestor::nav or ancestor::*[@role='navigation']"
    " or ancestor::header[not(ancestor::article or ancestor::main)]]/@href"
)


class NewsSpider(ArticleFetchingSpider):
    """Crawl one site profile.

    Arguments (``-a``): ``editions`` (comma-separated keys; default all), ``base_url``
    (re-roots every URL of the profile, so the same spider crawls a local mirror).

    Every page fetched, articles included, is a source of links: article links are fetched,
    listing links (the profile's listing patterns) and section links in the site's menus
    (same site and edition, not an article, not excluded) are followed as listings. Every URL
    is normalised (``ingest.urls.normalise_url``) before it is compared or requested.

    Settings: ``INGEST_MAX_LISTING_DEPTH`` (link hops followed from a start page: a start
    listing, feed or sitemap is 0, a page linked from a page at depth d is d + 1; pagination
    included). Which known articles are fetched again is decided by
    ``ingest.middlewares.DueVisitsMiddleware``, from the meta of each article request. Stats:
    ``ingest/discover/<source>/articles`` (article URLs found per source; ``links`` is the
    links of article pages), ``ingest/discover/<source>/sections`` (menu links followed as
    listings though no listing pattern matches them),
    ``ingest/discover/<source>/known_skipped`` (of those, known and not due a visit),
    ``ingest/discover/<source>/broken`` (unreadable sitemaps and feeds),
    ``ingest/discover/<source>/empty``, ``ingest/discover/invalid_link`` (hrefs that are no
    valid URL).
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
        # Article and listing URLs already requested in this run: the same menus, related links
        # and "most read" boxes are on every page, and each article link would cost a lookup
        # in the archive. A sitemap entry is always passed on: its lastmod may make a known
        # article due that a plain link did not.
        self._requested: set[str] = set()
        self._listings: set[str] = set()

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
        found = [(self._url(response.url, loc), lastmod) for loc, lastmod in entries]
        yield from self._articles(found, "sitemap", depth=1)

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
        found = [(self._url(response.url, link), None) for link in links]
        yield from self._articles(found, "feed", depth=1)

    def parse_listing(self, response: Response, depth: int) -> Iterator[scrapy.Request]:
        yield from self._follow(response, depth, "listing")

    def _follow(self, response: Response, depth: int, source: str) -> Iterator[scrapy.Request]:
        """Requests for the articles a page links to, and for its listing and section links
        while ``depth`` is below ``INGEST_MAX_LISTING_DEPTH``.

        A page one hop past the limit (an article linked from a last listing) is a leaf:
        otherwise related links would lead from article to article through the whole archive.
        """
        max_depth = self.settings.getint("INGEST_MAX_LISTING_DEPTH")
        if depth > max_depth or not isinstance(response, TextResponse):
            return
        links = {
            href: self._url(response.url, href) for href in response.xpath("//a/@href").getall()
        }
        yield from self._articles([(url, None) for url in links.values()], source, depth=depth + 1)
        if depth >= max_depth:
            return
        menu = set(response.xpath(_MENU_LINKS_XPATH).getall())
        for href, url in links.items():
            if url in self._listings or not self._in_editions(url):
                continue
            if self.profile.is_listing(url):
                self._listings.add(url)
                yield self._discovery(url, self.parse_listing, "listing", depth=depth + 1)
            elif href in menu and self._is_section(url):
                self._listings.add(url)
                self._stat(source, "sections")
                yield self._discovery(url, self.parse_listing, "listing", depth=depth + 1)

    def _is_section(self, url: str) -> bool:
        """Whether a menu link may be a section the profile does not list yet: an HTML page
        that is neither an article nor one the profile excludes (tags, authors, video, live)."""
        return (
            not self.profile.is_article(url)
            and not self.profile.is_excluded(url)
            and is_page_url(url)
        )

    def on_discovery_error(self, failure: Failure) -> None:
        """A missing feed or sitemap is normal (the site may have none): count it, go on."""
        request = failure.request  # type: ignore[attr-defined]
        source = request.meta.get("ingest_source", "discovery")
        self._stat(source, "unavailable")
        self.logger.info("%s unavailable at %s: %s", source, request.url, failure.getErrorMessage())

    def _articles(
        self, found: Iterable[tuple[str, str | None]], source: str, *, depth: int
    ) -> Iterator[scrapy.Request]:
        """Requests for the article URLs among ``found`` (normalised URL, sitemap lastmod)."""
        for url, lastmod in found:
            if not (self._in_editions(url) and self.profile.is_article(url)):
                continue
            self._stat(source, "articles")
            if url in self._requested and lastmod is None:
                continue
            self._requested.add(url)
            edition = self.profile.edition_for(url)
            request = self.article_request(
                url,
                site=self.profile.key,
                edition=edition.key if edition else None,
                found_via=source,
            )
            # Stored under the URL it was fetched from or its canonical URL (the site's own).
            keys = (url, normalise_url(unroot(url, self.base_url, self.profile)))
            request.meta[DUE] = {"keys": keys, "lastmod": parse_lastmod(lastmod), "source": source}
            request.meta["ingest_depth"] = depth
            yield request

    def parse_article(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        # A redirect may land on a non-article page (a section front, the home page).
        if not self.profile.is_article(normalise_url(response.url)):
            self.crawler.stats.inc_value("ingest/fetch/redirected_off_article")
            self.logger.info("%s is not an article URL, not stored", response.url)
            return
        yield from super().parse_article(response, **kwargs)
        # Menus, "most read" and related links: an article page is a listing too.
        yield from self._follow(response, response.meta.get("ingest_depth", 1), "links")

    def _discovery(self, url: str, callback: Any, source: str, **cb_kwargs: Any) -> scrapy.Request:
        return scrapy.Request(
            normalise_url(self._local(self.profile.absolute(url))),
            callback=callback,
            errback=self.on_discovery_error,
            cb_kwargs=cb_kwargs,
            meta={"ingest_source": source},
            priority=10 if source in ("sitemap", "robots", "feed") else 0,
        )

    def _local(self, url: str) -> str:
        return reroot(url, self.base_url, self.profile)

    def _url(self, base: str, href: str) -> str:
        """Return a link found on ``base`` as the normalised URL the crawl requests, or ""
        for a link that is no valid URL (a broken IPv6 host, a port out of range)."""
        try:
            return normalise_url(self._local(urljoin(base, href.strip())))
        except ValueError:
            self.crawler.stats.inc_value("ingest/discover/invalid_link")
            self.logger.debug("invalid link %r on %s", href, base)
            return ""

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
    # In normal form, like every URL the spider compares with it (host case, default port).
    return normalise_url(base_url).rstrip("/")


def _spider_class(profile: SiteProfile) -> type[NewsSpider]:
    class_name = "".join(part.title() for part in profile.key.split("_")) + "Spider"
    return type(class_name, (NewsSpider,), {"name": profile.key, "profile": profile})


for _profile in PROFILES.values():
    globals()[_spider_class(_profile).__name__] = _spider_class(_profile)
