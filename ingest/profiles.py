"""Site profiles: everything the crawl knows about a site, declared as data.

A Rudaw-style site is added by writing a ``SiteProfile`` here (plus fixtures), not a spider
class: ``ingest.spiders.news`` builds one spider per profile, named by its key. What is code
rather than data (URL layouts, readers of a site's own page data) lives in the site's module
in ``ingest.sites``, referenced from its profile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from ingest.sites import kurdistan24, rudaw

if TYPE_CHECKING:
    from collections.abc import Callable

    from lxml.html import HtmlElement

    from ingest.extraction.metadata import PageMetadata


@dataclass(frozen=True, slots=True)
class Edition:
    """One language edition of a site, rooted at a URL path prefix."""

    key: str
    #: ISO 639 code used when the page itself does not declare its language.
    language: str
    root: str
    feeds: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiteProfile:
    """A news site: where its articles are, how to find them, and what to strip from them.

    URL patterns are regular expressions matched against the path plus query of a URL
    (``/english/latest-news?page=2``). Exclusions win over everything else.
    """

    key: str
    name: str
    home: str
    domains: tuple[str, ...]
    editions: tuple[Edition, ...]
    article_patterns: tuple[str, ...]
    listing_patterns: tuple[str, ...] = ()
    excluded_patterns: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ("/sitemap.xml",)
    #: Removed from the end of page titles: " | Rudaw.net".
    title_suffix: str = ""
    #: Zone of times the site prints without an offset.
    timezone: str = "UTC"
    #: XPath expressions of elements removed before extraction.
    prune_xpath: tuple[str, ...] = ()
    #: Lines that are never article text on this site (regular expressions, whole line).
    boilerplate: tuple[str, ...] = ()
    #: Lines that open the comment section; it and everything after it is dropped.
    comment_markers: tuple[str, ...] = ()
    #: Whether article URLs carry the section (``/english/middleeast/iraq/…``), as a fallback label.
    section_in_path: bool = True
    #: Labels of URL path segments whose title-cased form is wrong ("middleeast").
    section_labels: tuple[tuple[str, str], ...] = ()
    #: Bylines that name the outlet, in any script, and the one name to store for them.
    author_aliases: tuple[str, ...] = ()
    author_name: str = ""
    #: Readers of the site's own page data (``ingest.sites.<site>``), run after the page's
    #: standard metadata is read; each fills only what is still missing.
    page_readers: tuple[Callable[[HtmlElement, PageMetadata], None], ...] = ()

    @cached_property
    def _article_re(self) -> re.Pattern[str]:
        return _union(self.article_patterns)

    @cached_property
    def _listing_re(self) -> re.Pattern[str]:
        return _union(self.listing_patterns)

    @cached_property
    def _excluded_re(self) -> re.Pattern[str]:
        return _union(self.excluded_patterns)

    def owns(self, url: str) -> bool:
        """Return whether the URL's host is one of this site's domains."""
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.domains)

    def edition_for(self, url: str) -> Edition | None:
        """Return the edition whose root the URL's path starts with."""
        path = urlsplit(url).path
        for edition in self.editions:
            if path == edition.root or path.startswith(edition.root.rstrip("/") + "/"):
                return edition
        return None

    def is_excluded(self, url: str) -> bool:
        return bool(self.excluded_patterns) and bool(self._excluded_re.search(_target(url)))

    def is_article(self, url: str) -> bool:
        """Return whether the URL has the shape of one of the site's article URLs."""
        return not self.is_excluded(url) and bool(self._article_re.search(_target(url)))

    def is_listing(self, url: str) -> bool:
        """Return whether the URL is a listing page (section, latest news, pagination)."""
        return (
            bool(self.listing_patterns)
            and not self.is_excluded(url)
            and not self.is_article(url)
            and bool(self._listing_re.search(_target(url)))
        )

    def section_from_url(self, url: str) -> str | None:
        """Return the section label a URL implies: its last word segment after the edition root."""
        edition = self.edition_for(url)
        path = urlsplit(url).path
        if edition is not None:
            path = path[len(edition.root.rstrip("/")) :]
        words = [s for s in path.split("/") if s and s.isalpha()]
        if not self.section_in_path or not words or not self.is_article(url):
            return None
        slug = words[-1].lower()
        labels = dict(self.section_labels)
        return labels.get(slug) or slug.replace("-", " ").title()

    def canonical_author(self, name: str) -> str:
        """Return the outlet's own name for a byline that names the outlet ("ڕووداو" → "Rudaw")."""
        folded = name.casefold().replace(" ", "")
        if any(folded == alias.casefold().replace(" ", "") for alias in self.author_aliases):
            return self.author_name
        return name

    def absolute(self, path_or_url: str) -> str:
        """Return a profile path (``/english/rss``) as a URL on the site's home."""
        if "://" in path_or_url:
            return path_or_url
        return self.home.rstrip("/") + "/" + path_or_url.lstrip("/")


def reroot(url: str, base_url: str, profile: SiteProfile) -> str:
    """Move a URL of the profile's site onto ``base_url`` (a local mirror); others unchanged."""
    if not base_url or not profile.owns(url):
        return url
    base = urlsplit(base_url)
    parts = urlsplit(url)
    prefix = base.path.rstrip("/")
    return urlunsplit((base.scheme, base.netloc, prefix + parts.path, parts.query, ""))


def unroot(url: str, base_url: str, profile: SiteProfile) -> str:
    """The inverse of ``reroot``: a URL on the mirror ``base_url`` back on the site's home,
    where its stored canonical URL lives."""
    if not base_url:
        return url
    base, parts = urlsplit(base_url), urlsplit(url)
    if parts.netloc != base.netloc:
        return url
    path = parts.path.removeprefix(base.path.rstrip("/"))
    home = urlsplit(profile.home)
    return urlunsplit((home.scheme, home.netloc, path, parts.query, ""))


def _union(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns) or r"(?!)")


def _target(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def _rudaw_edition(key: str, language: str, extra_feeds: tuple[str, ...] = ()) -> Edition:
    root = f"/{key}"
    return Edition(
        key=key,
        language=language,
        root=root,
        feeds=(f"{root}/rss", *extra_feeds),
        listings=(root, f"{root}/latest-news", *(f"{root}/{s}" for s in rudaw.SECTIONS)),
    )


RUDAW = SiteProfile(
    key="rudaw",
    name="Rudaw",
    home="https://www.rudaw.net",
    domains=("rudaw.net",),
    editions=(
        _rudaw_edition("english", "en"),
        _rudaw_edition("sorani", "ckb", ("/sorani/kurdistan/rss",)),
        _rudaw_edition("kurmanci", "ku"),
        _rudaw_edition("arabic", "ar"),
        _rudaw_edition("turkish", "tr"),
    ),
    article_patterns=rudaw.ARTICLE_PATTERNS,
    listing_patterns=rudaw.LISTING_PATTERNS,
    excluded_patterns=(
        r"/(?:tags?|authors?|writers?|videos?|video|onair|live|search|gallery|galleries)(?:/|\?|$)",
        r"/rss/?$",
    ),
    title_suffix=r"\s*[|\-–—]\s*(?:Rudaw(?:\.net)?|روداو|ڕووداو|Rûdaw)\s*$",
    timezone="Asia/Baghdad",
    boilerplate=(
        r"(?i)rudaw moderates all comments.*",
        r"(?i)rûdaw hemû şîroveyan.*",
    ),
    comment_markers=(r"(?i)rudaw moderates all comments.*",),
    section_labels=(("middleeast", "Middle East"),),
    author_aliases=("Rudaw", "Rudaw.net", "Rudaw English", "ڕووداو", "رووداو", "روداو", "Rûdaw"),
    author_name="Rudaw",
    page_readers=(rudaw.read_next_flight,),
)

KURDISTAN24 = SiteProfile(
    key="kurdistan24",
    name="Kurdistan24",
    home="https://www.kurdistan24.net",
    domains=("kurdistan24.net",),
    editions=(
        Edition("en", "en", "/en", feeds=("/en/rss",), listings=("/en", "/en/news")),
        Edition("ku", "ckb", "/ku", feeds=("/ku/rss",), listings=("/ku", "/ku/news")),
        Edition("ar", "ar", "/ar", feeds=("/ar/rss",), listings=("/ar", "/ar/news")),
    ),
    article_patterns=kurdistan24.ARTICLE_PATTERNS,
    listing_patterns=kurdistan24.LISTING_PATTERNS,
    excluded_patterns=(
        r"/(?:tags?|authors?|videos?|video|live|search|gallery)(?:/|\?|$)",
        r"/rss/?$",
    ),
    title_suffix=r"\s*[|\-–—]\s*(?:Kurdistan ?24|کوردستان ?24|كوردستان ?24)\s*$",
    timezone="Asia/Baghdad",
    section_in_path=False,
    author_aliases=(
        "Kurdistan24",
        "Kurdistan 24",
        "كوردستان24",
        "کوردستان24",
        "كوردستان 24",
        "K24",
    ),
    author_name="Kurdistan24",
)

#: Every known site, by key; the spider of each is ``scrapy crawl <key>``.
PROFILES: dict[str, SiteProfile] = {p.key: p for p in (RUDAW, KURDISTAN24)}


def profile_for_url(url: str) -> SiteProfile | None:
    """Return the profile whose domains include the URL's host."""
    return next((p for p in PROFILES.values() if p.owns(url)), None)
