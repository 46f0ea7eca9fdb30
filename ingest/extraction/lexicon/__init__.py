"""The furniture words of every language the project reads, one module per language.

Each language's words are in its own module, named by its ISO 639 code (``en``, ``ckb``, ``ar``,
``kmr``, ``tr``, and the languages whose bylines the crawl meets; brand names and symbols in
``neutral``); the patterns below join them, so a page is matched against
every language at once: sites mix them (an English share bar on a Sorani page). A new language
is a new module added to ``LANGUAGES``.
"""

from __future__ import annotations

import re

from ingest.extraction.lexicon import (
    ar,
    az,
    ckb,
    da,
    de,
    en,
    es,
    fa,
    fr,
    it,
    kmr,
    nb,
    neutral,
    nl,
    pl,
    pt,
    sv,
    tr,
)
from ingest.extraction.lexicon.base import Lexicon

LANGUAGES: tuple[Lexicon, ...] = tuple(
    module.WORDS
    for module in (neutral, en, ckb, ar, kmr, tr, de, fr, es, pt, it, nl, sv, nb, da, pl, fa, az)
)


def _any(kind: str) -> str:
    return "|".join(fragment for words in LANGUAGES for fragment in getattr(words, kind))


_I = re.IGNORECASE
#: A whole line that heads a comment section.
COMMENT_HEADING_RE = re.compile(rf"^(?:{_any('comment_headings')})[\s:.!]*$", _I)
#: A line that starts as only the comment form's lines do.
COMMENT_ACTION_RE = re.compile(rf"^(?:{_any('comment_actions')})", _I)
#: A word of a comment policy.
COMMENT_WORD_RE = re.compile(_any("comment_words"), _I)
#: A whole line that is a widget: a form label, font-size buttons, a share bar.
WIDGET_LINE_RE = re.compile(
    rf"^(?:{_any('form_labels')}|(?:(?:{_any('share_words')})[\s|:·,/]*)+)$", _I
)
#: An inline link to another story placed between paragraphs ("Read More: <headline>").
READ_MORE_RE = re.compile(rf"^(?:{_any('read_more')})\s*:\s*\S.{{0,200}}$", _I)
#: The heading of a related-links box.
RELATED_HEADING_RE = re.compile(rf"^(?:{_any('related_headings')})", _I)
#: A photo credit at the end of a line (it marks the line as a caption).
PHOTO_CREDIT_RE = re.compile(
    rf"(?<!\w)(?:{_any('photo_credits')})(?: by)?\s*:\s*[^\n]{{1,90}}$", _I
)
#: A byline above the body.
BYLINE_RE = re.compile(rf"^(?:{_any('bylines')})\s+\S", _I)
#: The words before a name in an author field ("By", "Von:"), to strip from the name.
AUTHOR_PREFIX_RE = re.compile(rf"^(?:{_any('bylines')}|{_any('author_prefixes')})\s*[:：]?\s+", _I)
#: What stands between two names in a byline: punctuation, or "and" in some language.
NAME_SEPARATOR_RE = re.compile(rf"\s*(?:,|;|\||/|&|\+|\s(?:{_any('name_joiners')})\s)\s*", _I)
#: What trails a name in a byline: a place (" in Berlin"), or a date or role after a dash.
NAME_TRAIL_RE = re.compile(rf"\s+(?:{_any('place_words')})\s+[A-ZÀ-Þ].*$|\s+[-–—·•]\s+.*$")
#: A photo credit in an author field: "(Image: Getty)" inside it, or "Photo: AFP" as all of it.
CREDIT_NOTE_RE = re.compile(rf"\(\s*(?:{_any('photo_credits')})s?\b[^)]*\)", _I)
CREDIT_LINE_RE = re.compile(rf"^(?:{_any('photo_credits')})s?\s*(?:credit)?\s*[:：]", _I)
#: Words that are a role or an account, never a person's name.
ROLES = frozenset(word for words in LANGUAGES for word in words.roles)
#: Lower-case words a person's name may hold.
NAME_PARTICLES = frozenset(word for words in LANGUAGES for word in words.name_particles)
#: A relative time above the body ("3 hours ago").
TIME_AGO_RE = re.compile(rf"^(?:{_any('times_ago')})$", _I)
