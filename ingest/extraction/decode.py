"""Turn a page's bytes into text, choosing the charset the way news servers actually need."""

from __future__ import annotations

import re

from charset_normalizer import from_bytes
from w3lib.encoding import html_body_declared_encoding, html_to_unicode, http_content_type_encoding

# Servers that do not know a page's charset announce one of these by default (Apache's
# AddDefaultCharset, Latin-1 fallbacks); the page's own <meta charset> is then the truth.
_DEFAULT_SERVER_CHARSETS = frozenset({"cp1252", "latin_1", "iso8859_1", "ascii"})


def decode_html(body: bytes, content_type: str | None) -> str:
    """Return the page as text.

    A byte-order mark wins, then the HTTP header, except that a generic Latin-1 header gives
    way to a different charset declared in the page itself. With neither, the charset is
    detected from the bytes (``_detect``). Undecodable bytes become U+FFFD instead of failing
    the page.
    """
    header = http_content_type_encoding(content_type) if content_type else None
    declared = html_body_declared_encoding(body)
    if header in _DEFAULT_SERVER_CHARSETS and declared and declared != header:
        header = None
    content_type_header = f"charset={header}" if header else None
    _, text = html_to_unicode(content_type_header, body, auto_detect_fun=_detect)
    return text


def _detect(body: bytes) -> str | None:
    """Return the charset of a page that declares none.

    UTF-8 when the bytes are valid UTF-8 (they almost never are by accident). Otherwise the
    byte statistics of the page's text, markup left out (it is ASCII and only dilutes them),
    tell a Cyrillic, Arabic or Latin single-byte page apart (w3lib alone would assume UTF-8
    and leave U+FFFD). Among the Latin code pages the statistics of a short text barely
    differ, so windows-1252 is taken when it fits, as browsers do for undeclared pages
    (WHATWG Encoding: the legacy default of Western locales).
    """
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    results = from_bytes(_MARKUP.sub(b" ", body))
    best = results.best()
    if best is None:
        return None
    if all(a.startswith(_LATIN) for a in best.alphabets) and any(
        r.encoding == "cp1252" for r in results
    ):
        return "cp1252"
    return best.encoding


_MARKUP = re.compile(rb"<[^>]*>")
_LATIN = ("Basic Latin", "Latin")
