"""Remove what a news page prints around its body: comment blocks, labels, widgets, captions.

Works on the extracted lines, after trafilatura: what the structural pruning at extraction
(``ingest.extraction.comments``) could not see. The words are in ``ingest.extraction.lexicon``;
their place in the article is what this module knows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ingest.extraction.lexicon import (
    BYLINE_RE,
    COMMENT_ACTION_RE,
    COMMENT_HEADING_RE,
    COMMENT_WORD_RE,
    PHOTO_CREDIT_RE,
    READ_MORE_RE,
    TIME_AGO_RE,
    WIDGET_LINE_RE,
)
from ingest.extraction.paragraphs import is_prose, paragraph_key

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

_MAX_CAPTION_CHARS = 400
# A line that opens with the copyright sign is a notice, of the site ("© 2004 - 2020 …") or of a
# photo's owner ("© Oli Scarff/Getty Images"), in any language; no paragraph starts with one.
# A notice run into the paragraph after it is longer than a caption, and stays.
_NOTICE_RE = re.compile(r"^(?:copyright\s*)?©", re.IGNORECASE)
# Header lines printed above the body: dates, "N hours ago" (``TIME_AGO_RE``), bylines.
_DATE_LINE_RE = re.compile(
    r"^(?:\d{1,2}[-./]\d{1,2}[-./]\d{4}|\d{4}-\d{2}-\d{2})(?:\s+\d{1,2}:\d{2})?$"
)
_LABEL_MAX_WORDS = 3
# A byline is a name and a role, a place or an agency; a line longer than this is text.
_BYLINE_MAX_WORDS = 10
_SENTENCE_END_RE = re.compile(r"[.!?؟。:\"”»)]$")


@dataclass(frozen=True, slots=True)
class BoilerplateRules:
    """A site's own boilerplate, on top of the built-in, language-wide rules."""

    lines: tuple[str, ...] = ()
    comment_markers: tuple[str, ...] = ()
    _line_res: tuple[re.Pattern[str], ...] = field(init=False, repr=False)
    _marker_res: tuple[re.Pattern[str], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_line_res", tuple(re.compile(p) for p in self.lines))
        object.__setattr__(self, "_marker_res", tuple(re.compile(p) for p in self.comment_markers))

    def is_site_boilerplate(self, line: str) -> bool:
        return any(r.fullmatch(line) for r in self._line_res)

    def opens_comments(self, line: str) -> bool:
        return any(r.fullmatch(line) for r in self._marker_res)


@dataclass(frozen=True, slots=True)
class Cleaned:
    lines: list[str]
    image_caption: str | None


def strip_boilerplate(
    lines: Sequence[str],
    rules: BoilerplateRules,
    *,
    title: str | None = None,
    section: str | None = None,
    authors: Sequence[str] = (),
    image_caption: str | None = None,
    headings: Collection[str] = (),
) -> Cleaned:
    """Return the body lines without page furniture, and the photo caption found among them.

    In order: the comment section and all after it is cut; widget lines, copyright and
    credit notices and the site's own boilerplate go; the header lines above the body
    (section label, title, date, byline; not a subheading over the first paragraph) go;
    caption lines move out of the text into ``image_caption``.
    """
    kept = _cut_comment_section(list(lines), rules)
    kept = [
        ln
        for ln in kept
        if not (
            WIDGET_LINE_RE.match(ln)
            or READ_MORE_RE.match(ln)
            or rules.is_site_boilerplate(ln)
            or (_NOTICE_RE.match(ln) and len(ln) <= _MAX_CAPTION_CHARS)
        )
    ]
    kept = _drop_header(kept, title=title, section=section, authors=authors, headings=headings)
    return _move_captions(kept, image_caption)


def _cut_comment_section(lines: list[str], rules: BoilerplateRules) -> list[str]:
    for index, line in enumerate(lines):
        if rules.opens_comments(line) or COMMENT_ACTION_RE.match(line):
            start = index - 1 if index and COMMENT_HEADING_RE.match(lines[index - 1]) else index
            return lines[:start]
        if COMMENT_HEADING_RE.match(line) and any(
            COMMENT_WORD_RE.search(following) for following in lines[index + 1 : index + 4]
        ):
            return lines[:index]
    return lines


def _drop_header(
    lines: list[str],
    *,
    title: str | None,
    section: str | None,
    authors: Sequence[str],
    headings: Collection[str],
) -> list[str]:
    known = {paragraph_key(x) for x in (title, section, *authors) if x}
    subheadings = {paragraph_key(h) for h in headings} - known
    names = tuple(paragraph_key(a) for a in authors if a)
    for index, line in enumerate(lines):
        key = paragraph_key(line)
        # A heading right over prose is the article's first subheading, however short; a
        # section label printed as a heading stands over the headline, a byline or a date.
        opens_body = key in subheadings and index + 1 < len(lines) and is_prose(lines[index + 1])
        is_header = (
            key in known
            # A byline with more than the name: "Robert Burns, AP National Security Writer".
            or (
                names
                and key.startswith(names)
                and len(line.split()) <= _BYLINE_MAX_WORDS
                and not _SENTENCE_END_RE.search(line)
            )
            or _DATE_LINE_RE.match(line)
            or TIME_AGO_RE.match(line)
            or BYLINE_RE.match(line)
            or (
                not opens_body
                and len(line.split()) <= _LABEL_MAX_WORDS
                and not _SENTENCE_END_RE.search(line)
                # A comma makes a phrase ("Dear readers,", "Slow steps, explained"); a label
                # names a section in a word or two and holds none.
                and "," not in line
            )
        )
        if not is_header:
            return lines[index:]
    return []


def _move_captions(lines: list[str], image_caption: str | None) -> Cleaned:
    """Return the lines without the photo caption and credits, and the caption.

    A caption is moved out from beside a body. Where it is all the page holds (a story whose
    body a script loads), it stays the text as well: it is what the page says, and the
    article is then kept with it rather than lost.
    """
    caption_key = paragraph_key(image_caption) if image_caption else None
    kept: list[str] = []
    for line in lines:
        key = paragraph_key(line)
        if caption_key and (key == caption_key or (len(key) > 40 and caption_key.startswith(key))):
            continue
        if len(line) <= _MAX_CAPTION_CHARS and PHOTO_CREDIT_RE.search(line):
            image_caption = image_caption or line
            continue
        kept.append(line)
    return Cleaned(lines=kept or list(lines), image_caption=image_caption)
