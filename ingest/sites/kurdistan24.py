"""Kurdistan24 (kurdistan24.net): its URL layout, a Drupal site with one path root per edition."""

from __future__ import annotations

EDITIONS = ("en", "ku", "ar")
_RE_ED = "|".join(EDITIONS)
ARTICLE_PATTERNS = (
    # /en/story/815342/<slug>; the short form /en/story/815342 redirects to it.
    rf"^/(?:{_RE_ED})/story/\d+(?:/[^/?#]*)?/?$",
)
LISTING_PATTERNS = (rf"^/(?:{_RE_ED})(?:/[a-z-]+){{0,2}}/?(?:\?page=\d+)?$",)
