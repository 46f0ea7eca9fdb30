"""Turn a page's bytes into text, choosing the charset the way news servers actually need."""

from __future__ import annotations

from w3lib.encoding import html_body_declared_encoding, html_to_unicode, http_content_type_encoding

# Servers that do not know a page's charset announce one of these by default (Apache's
# AddDefaultCharset, Latin-1 fallbacks); the page's own <meta charset> is then the truth.
_DEFAULT_SERVER_CHARSETS = frozenset({"cp1252", "latin_1", "iso8859_1", "ascii"})


def decode_html(body: bytes, content_type: str | None) -> str:
    """Return the page as text.

    A byte-order mark wins, then the HTTP header, except that a generic Latin-1 header gives
    way to a different charset declared in the page itself. With neither, the charset is
    detected from the bytes. Undecodable bytes become U+FFFD instead of failing the page.
    """
    header = http_content_type_encoding(content_type) if content_type else None
    declared = html_body_declared_encoding(body)
    if header in _DEFAULT_SERVER_CHARSETS and declared and declared != header:
        header = None
    content_type_header = f"charset={header}" if header else None
    _, text = html_to_unicode(content_type_header, body)
    return text
