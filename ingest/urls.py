"""One written form per page address, so that a URL is compared, fetched and stored the same way everywhere.

The same article reaches the crawl as ``…/200720242``, ``…/200720242/``,
``…/200720242?utm_source=rss`` or ``HTTPS://WWW.Rudaw.net:443/…#comments``. Discovery, the
known-article lookup and the stored ``url``/``canonical_url`` all go through
``normalise_url``, so that these are one request and one row.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import courlan
from courlan.filters import extension_filter, type_filter
from w3lib.url import canonicalize_url


def normalise_url(url: str) -> str:
    """Return the URL in its normal form, the key it is compared and stored under.

    courlan (trafilatura's own URL library) lower-cases scheme and host, drops the scheme's
    default port and the tracking parameters (``utm_*``, ``fbclid``, ``gclid``, ``mc_*``,
    ``ref``…); w3lib's ``canonicalize_url`` (what Scrapy's request fingerprints use) sorts
    the query and writes every non-ASCII character and percent-escape one way (``%D9%87``,
    never ``%d9%87`` or the raw letter). On top of them, two choices they leave open: the
    fragment is dropped (it never selects another page of a news site), and the path has no
    trailing slash, with or without a query (the site root keeps its ``/``). A site whose
    pages end in ``/`` answers the bare form with a redirect to its own, which then lands on
    the same key.

    Raises:
        ValueError: the URL is not valid (a port out of range or not a number, a broken
            IPv6 host).
    """
    parts = urlsplit(url.strip())
    cleaned = courlan.normalize_url(
        urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, "")),
        trailing_slash=False,
    )
    # Last, once canonicalize_url has resolved dot segments (".../a/." is ".../a/" then).
    parts = urlsplit(canonicalize_url(cleaned))
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def is_page_url(url: str) -> bool:
    """Return whether a link may lead to an HTML page worth a visit: not a file download
    (``.jpg``, ``.pdf``…), a feed, a login, contact or imprint page, or a ``mailto:`` link."""
    return (
        extension_filter(urlsplit(url).path)
        and type_filter(url, with_nav=True)
        and not courlan.is_not_crawlable(url)
    )
