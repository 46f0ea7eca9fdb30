"""Turn the author strings a page declares into a list of person names.

Bylines come as "By A and B", "Von: A, Ort", "A | 12.03.2024, 10:15", an e-mail, an author
page's URL slug, a CMS user id, or a photo credit that a template put in the author field.
One normaliser for all of them, so that every source of authors (JSON-LD, meta tags, the
printed byline, trafilatura's guess) yields the same names. Its words (prefixes, "and", roles,
credits) are the lexicon's, per language (``ingest.extraction.lexicon``).
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from ingest.extraction.lexicon import (
    AUTHOR_PREFIX_RE,
    CREDIT_LINE_RE,
    CREDIT_NOTE_RE,
    NAME_PARTICLES,
    NAME_SEPARATOR_RE,
    NAME_TRAIL_RE,
    ROLES,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

_EMAIL_RE = re.compile(r"^([\w.+-]+)@[\w-]+(?:\.[\w-]+)+$")
_SLUG_RE = re.compile(r"^[a-z]+(?:[-_.][a-z]+)+$")
_DIGIT_RE = re.compile(r"\d")
_MAX_NAME_WORDS = 5
_MAX_LABEL_CHARS = 60


def person_names(raw: Iterable[str], *, outlet: Iterable[str] = ()) -> list[str]:
    """Return the person names in ``raw`` (author strings, in page order), each once.

    The outlet's own name (``outlet``: its site name, its host) is kept only when no person
    is named, since "Reuters" alone still says who wrote it.
    """
    outlet_keys = {_key(o) for o in outlet if o}
    names: list[str] = []
    fallback: list[str] = []
    for value in raw:
        for candidate in _candidates(value):
            if _key(candidate) in outlet_keys or not _is_person(candidate):
                if _is_label(candidate):
                    fallback.append(candidate)
                continue
            names.append(candidate)
    chosen = names or fallback[:1]
    return list(dict.fromkeys(chosen))


def _candidates(value: str) -> list[str]:
    """Split one author string into cleaned name candidates."""
    value = " ".join(html.unescape(value).replace("\u00a0", " ").split())
    if not value or CREDIT_LINE_RE.match(value):
        return []
    value = CREDIT_NOTE_RE.sub("", value).strip()
    if value.startswith(("http://", "https://", "/")):
        return [n for n in [_from_slug(urlsplit(value).path.rstrip("/").rsplit("/", 1)[-1])] if n]
    if match := _EMAIL_RE.match(value):
        return [n for n in [_from_slug(match.group(1))] if n]
    value = AUTHOR_PREFIX_RE.sub("", value)
    out = []
    for piece in NAME_SEPARATOR_RE.split(value):
        name = AUTHOR_PREFIX_RE.sub("", piece.strip(" .:-–—()[]"))
        name = NAME_TRAIL_RE.sub("", name).strip(" .:-–—,")
        if _SLUG_RE.match(name):
            name = _from_slug(name) or ""
        if name:
            out.append(name)
    return out


def _from_slug(slug: str) -> str | None:
    """ "john-smith", "john.smith" (an e-mail's local part) → "John Smith"; else None."""
    words = [w for w in re.split(r"[-_.+]+", unquote(slug)) if w]
    if len(words) < 2 or any(not w.isalpha() or len(w) < 2 for w in words):
        return None
    return " ".join(w.capitalize() for w in words)


def _is_person(name: str) -> bool:
    """Two to five words, none lower-case but name particles, no digits and no role word."""
    if _DIGIT_RE.search(name):
        return False
    words = name.split()
    if not 2 <= len(words) <= _MAX_NAME_WORDS:
        return False
    if any(w.casefold().strip(".") in ROLES for w in words):
        return False
    # Scripts without case (Arabic, Kurdish) have neither upper- nor lower-case letters.
    return all(not w[0].islower() or w.casefold() in NAME_PARTICLES for w in words)


def _is_label(name: str) -> bool:
    """An outlet or agency name that may stand for the author when no person is named."""
    words = name.casefold().split()
    return (
        0 < len(name) <= _MAX_LABEL_CHARS
        and not name[0].islower()
        and any(c.isalpha() for c in name)
        and not (_DIGIT_RE.search(name) and len(words) > 1)
        and not any(w.strip(".:") in ROLES for w in words)
    )


def _key(value: str) -> str:
    return re.sub(r"\W+", "", value.casefold())
