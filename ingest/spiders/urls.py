"""The ``urls`` spider: ingest each page of a list of URLs as an article, following no links."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import signals

from ingest.profiles import PROFILES, profile_for_url
from ingest.spiders.base import ArticleFetchingSpider
from ingest.urls import normalise_url

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    import scrapy


class UrlsSpider(ArticleFetchingSpider):
    """Fetch the URLs listed in a file, one per line (blank lines and ``#`` comments skipped).

    Arguments (``-a``): ``file`` (required), ``site`` (a profile key whose cleaning rules apply
    to every URL; by default each URL's own profile by domain, or generic rules).
    Stats: ``ingest/urls/invalid`` per line that is not an http(s) URL.

    The requests are made as the crawl has room for them, not all at once: a list of 20,000
    URLs would otherwise sit in the scheduler's memory queue as 20,000 requests from the first
    second (Scrapy's "lazy start requests"). On a shared run (``INGEST_REDIS_URL``) they go
    to the shared queue at once, as the other workers fetch them too.
    """

    name = "urls"

    def __init__(
        self, *args: Any, file: str | None = None, site: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if not file:
            raise ValueError("the urls spider needs -a file=<path to a list of URLs>")
        path = Path(file)
        if not path.is_file():
            raise ValueError(f"URL list {file!r} does not exist")
        if site is not None and site not in PROFILES:
            raise ValueError(f"unknown site {site!r}; known: {sorted(PROFILES)}")
        self.site = site
        self.lines = path.read_text(encoding="utf-8").splitlines()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        lazy = not self.settings.get("INGEST_REDIS_URL")
        for line in self.lines:
            url = line.strip()
            if not url or url.startswith("#"):
                continue
            if not (url := _http_url(url)):
                self.crawler.stats.inc_value("ingest/urls/invalid")
                self.logger.warning("not an http(s) URL, skipped: %r", line.strip())
                continue
            profile = PROFILES[self.site] if self.site else profile_for_url(url)
            edition = profile.edition_for(url) if profile else None
            if lazy and self.crawler.engine.needs_backout():
                await self.crawler.signals.wait_for(signals.scheduler_empty)
            yield self.article_request(
                url,
                site=profile.key if profile else None,
                edition=edition.key if edition else None,
                found_via="list",
            )


def _http_url(line: str) -> str:
    """Return the line as a normalised http(s) URL, or "" when it is none."""
    try:
        url = normalise_url(line)
    except ValueError:
        return ""
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else ""
