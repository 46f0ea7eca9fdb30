"""Turn what a page declares as its title into the article's headline.

Pages put their headline in JSON-LD, og:title or <title>, usually with the outlet's name
around it ("Headline | Outlet", "Outlet - Headline") and sometimes with entities still
encoded. The headline the reader sees is the page's <h1>; when the declared title contains
it, the <h1> is the headline without guessing which part is the outlet's.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from collections.abc import Sequence

# The separators titles put between the headline and the outlet's name, spaced on both sides.
_SEPARATOR_RE = re.compile(r"\s+(?:[|\-–—›»·:/~•]|::)\s+")
_KEY_RE = re.compile(r"\W+")
# A name shorter than this is too common a word to find inside a title part ("news").
_MIN_CONTAINED_KEY = 5
# An <h1> shorter than this is a logo or a label ("News"), not a headline to prefer.
_MIN_H1_CHARS = 4


def clean_title(
    title: str | None, *, h1s: Sequence[str] = (), site_name: str | None = None, url: str = ""
) -> str | None:
    """Return the headline: entities decoded, the outlet's name cut off, or the visible <h1>
    when the declared title contains it."""
    if not title:
        return _first_headline(h1s, site_name, url)
    title = _space(_unescape(title))
    outlet_keys = _outlet_keys(site_name, url)
    headline = _without_outlet(title, outlet_keys)
    whole = _key(headline)
    for h1 in sorted((_space(_unescape(h)) for h in h1s), key=len, reverse=True):
        # The <h1> must be the start or the end of what is left once the outlet's name is
        # cut, so that a word of the outlet's name or a section label is never taken.
        part = _key(h1)
        if (
            len(h1) >= _MIN_H1_CHARS
            and part not in outlet_keys
            and part != whole
            and (whole.startswith(part) or whole.endswith(part))
        ):
            return h1
    return headline or None


def outer_parts(title: str) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
    """Split a title at its first and at its last separator: ``(first part, the rest)`` and
    ``(the rest, last part)``, or None where it has no separator. The parts a site's outlet
    name or a fixed label would take (``ingest.extraction.site_boilerplate`` learns them)."""
    matches = list(_SEPARATOR_RE.finditer(title))
    if not matches:
        return None, None
    first, last = matches[0], matches[-1]
    return (title[: first.start()], title[first.end() :]), (
        title[: last.start()],
        title[last.end() :],
    )


def _first_headline(h1s: Sequence[str], site_name: str | None, url: str) -> str | None:
    outlet_keys = _outlet_keys(site_name, url)
    for raw in h1s:
        h1 = _space(_unescape(raw))
        if len(h1) >= _MIN_H1_CHARS and _key(h1) not in outlet_keys:
            return h1
    return None


def _without_outlet(title: str, outlet_keys: set[str]) -> str:
    """Cut a last or first part of the title that names the outlet (its name or its host).

    The outlet's name may hold a separator itself ("AOC media - Analyse Opinion Critique"),
    so every separator is tried, the outermost first.
    """
    matches = list(_SEPARATOR_RE.finditer(title))
    for match in reversed(matches):
        if _names_outlet(title[match.end() :], outlet_keys):
            return title[: match.start()]
    for match in matches:
        if _names_outlet(title[: match.start()], outlet_keys):
            return title[match.end() :]
    return title


def _names_outlet(part: str, outlet_keys: set[str]) -> bool:
    key = _key(part)
    return bool(key) and any(
        key == k or (len(k) >= _MIN_CONTAINED_KEY and k in key) for k in outlet_keys
    )


def _outlet_keys(site_name: str | None, url: str) -> set[str]:
    """The forms the outlet's name takes in a title: og:site_name, and the host without
    "www." with and without its public suffix ("aerobuzz.de", "aerobuzz")."""
    keys = set()
    if site_name:
        keys.add(_key(_unescape(site_name)))
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    if host:
        keys.add(_key(host))
        labels = host.split(".")
        if len(labels) >= 2:
            keys.add(_key(labels[-2] if len(labels[-2]) > 3 or len(labels) < 3 else labels[-3]))
    return {k for k in keys if k}


def _unescape(value: str) -> str:
    """Decode entities, twice at most: CMSs often encode an already encoded "&amp;#8211;"."""
    for _ in range(2):
        decoded = html.unescape(value)
        if decoded == value:
            break
        value = decoded
    return value


def _key(value: str) -> str:
    return _KEY_RE.sub("", value.casefold())


def _space(value: str) -> str:
    return " ".join(value.replace("\u00a0", " ").split())
