"""Rudaw (rudaw.net): its two URL generations, its editions and sections, and its Next.js page data."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from lxml import etree

from ingest.extraction.metadata import clean_space

if TYPE_CHECKING:
    from lxml.html import HtmlElement

    from ingest.extraction.metadata import PageMetadata

#: Edition keys, which are also the first segment of every path.
EDITIONS = ("english", "sorani", "kurmanci", "arabic", "turkish")
_RE_ED = "|".join(EDITIONS)
#: Section listings crawled from the start (more are found in the site's menus).
SECTIONS = (
    "kurdistan",
    "middleeast",
    "middleeast/iraq",
    "middleeast/iran",
    "middleeast/syria",
    "middleeast/turkey",
    "world",
    "business",
    "opinion",
    "sports",
    "culture",
    "technology",
)
ARTICLE_PATTERNS = (
    # Legacy: /english/middleeast/iraq/260820204 (DDMMYYYY + story number); AMP twin -amp.
    rf"^/(?:{_RE_ED})/(?:[a-z-]+/){{1,3}}\d{{8,10}}(?:-amp)?/?$",
    # Current (Next.js): /english/categories/syria/1079288
    rf"^/(?:{_RE_ED})/categories/[a-z0-9-]+/\d+/?$",
)
LISTING_PATTERNS = (
    rf"^/(?:{_RE_ED})(?:/[a-z-]+){{0,3}}/?(?:\?page=\d+)?$",
    # Legacy ASP.NET category listings: /sorani/news?CategoryID=412627
    rf"^/(?:{_RE_ED})/news\?CategoryID=\d+(?:&page=\d+)?$",
)

# The current site streams its data as JS string literals: self.__next_f.push([1,"…"]).
_NEXT_FLIGHT_XPATH = etree.XPath("//script[contains(., 'self.__next_f.push')]/text()")
_NEXT_CHUNK_RE = re.compile(r'self\.__next_f\.push\(\[1,\s*"((?:[^"\\]|\\.)*)"\]\)')
_NEXT_RECORD_RE = re.compile(r"^[0-9a-f]+:(\{.*\})\s*$", re.MULTILINE)


def read_next_flight(tree: HtmlElement, meta: PageMetadata) -> None:
    """Fill gaps in ``meta`` from the article record a current-generation page streams in
    ``self.__next_f`` (fixture: ``english/categories/syria/1079288``).

    The record's fields (``Title``, ``Author``, ``CategoryName``, ``PublishedDate``,
    ``imgPath``…) are what the page's visible header was rendered from.
    """
    for script in _NEXT_FLIGHT_XPATH(tree):
        for chunk in _NEXT_CHUNK_RE.findall(script):
            try:
                payload = json.loads(f'"{chunk}"')
            except ValueError:
                continue
            for raw in _NEXT_RECORD_RE.findall(payload):
                try:
                    record = json.loads(raw)
                except ValueError:
                    continue
                if isinstance(record, dict) and ("Title" in record or "ID" in record):
                    _fill_from_record(record, meta)
                    return


def _fill_from_record(record: dict[str, Any], meta: PageMetadata) -> None:
    meta.title = meta.title or _text(record.get("Title"))
    meta.section = meta.section or _text(record.get("CategoryName"))
    meta.published = meta.published or _text(record.get("PublishedDate"))
    meta.image_url = meta.image_url or _text(record.get("imgPath"))
    author = _text(record.get("Author") or record.get("Writer"))
    if author and not meta.authors:
        meta.authors = [author]


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return clean_space(value) or None
