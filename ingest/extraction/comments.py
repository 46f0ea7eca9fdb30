"""Find a page's comment section by what it is, whatever its wording, class names or language.

A comment section is built around things an article never holds: a form with a free-text box
(``<textarea>``), or a list of comments marked up as such (schema.org ``Comment``). Its
heading ("Comments", "لێدوانەکان", "Yorumlar") and its moderation policy sit next to that form
in the same container. So the section is the widest container around the form that still
leaves the article alone: one that holds neither the page's main run of paragraphs nor its
headline, and not a large share of the page's text.

The form's own ``<form>`` element is not trusted as the boundary: ASP.NET WebForms pages wrap
the whole page, article included, in one ``<form>``.

A section printed without its form (a template that builds the form by script, or a thread
closed to new comments) still has its heading, which the lexicon knows
(``COMMENT_HEADING_RE``, the same words the line cleaning cuts at). A heading anchors a section
only when it has a container of its own: a heading that sits among the article's paragraphs
leaves no container to tell the extent by, and is left to the line cleaning.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from ingest.extraction.lexicon import COMMENT_HEADING_RE
from ingest.extraction.metadata import clean_space, text_chars

if TYPE_CHECKING:
    from lxml.html import HtmlElement

# A free-text box is the comment form's one field that search boxes, newsletter sign-ups and
# log-in forms do not have; schema.org microdata names a comment list outright.
_ANCHORS_XPATH = etree.XPath(
    "//body//textarea | //body//*[contains(@itemtype, 'schema.org/Comment') or @itemprop='comment']"
)
# Elements that may be a section's heading: headings, and blocks holding only their own text.
# A comment heading is a word or a short phrase ("Comments", "Leave a reply"): the length
# test, run in the XPath on text nodes, spares the pattern (and Python) every other element of
# the page; testing text nodes rather than elements costs a third less (0.4 ms a page on AEB).
_MAX_HEADING_CHARS = 40
_HEADINGS_XPATH = etree.XPath(
    f"//body//text()[string-length(normalize-space()) <= {_MAX_HEADING_CHARS}][normalize-space()]"
    "/parent::*[self::h2 or self::h3 or self::h4 or self::h5 or self::h6 or self::legend"
    " or ((self::div or self::span or self::p or self::strong) and not(*))]"
)
# Containers a comment section never widens into: the page itself.
_PAGE_TAGS = frozenset({"body", "html"})


def comment_sections(tree: HtmlElement, *, max_share: float) -> list[HtmlElement]:
    """Return the outermost comment sections of the page, none of which holds the article.

    ``max_share`` caps a section's share of the page's text: above it, a container may be
    (or hold) the article itself, however its parts look.
    """
    anchors = _ANCHORS_XPATH(tree)
    headings = [el for el in dict.fromkeys(_HEADINGS_XPATH(tree)) if _is_comment_heading(el)]
    if not anchors and not headings:
        return []
    body_chars = max(text_chars(tree), 1)
    main = main_paragraphs(tree)
    sections: list[HtmlElement] = []
    for anchor in anchors:
        section = _widen(_start(anchor, main), main, body_chars, max_share)
        if section is not None:
            sections.append(section)
    for heading in headings:
        section = _widen(heading, main, body_chars, max_share)
        if section is not None and section is not heading:
            sections.append(section)
    return _outermost(sections)


def _is_comment_heading(el: HtmlElement) -> bool:
    """Return whether an element's whole text is a comment section's heading."""
    return COMMENT_HEADING_RE.match(clean_space(el.text_content())) is not None


def main_paragraphs(tree: HtmlElement) -> HtmlElement | None:
    """Return the element whose own ``<p>`` children hold the most text: the article body.

    Only direct children count, so that a wrapper does not outscore the body it wraps; of two
    equal copies of the body (mobile and desktop), the first wins.
    """
    scores: dict[HtmlElement, int] = {}
    for p in tree.iter("p"):
        parent = p.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + len(" ".join(p.text_content().split()))
    if not scores:
        return None
    best = max(scores.values())
    return next(el for el, score in scores.items() if score == best)


def _start(anchor: HtmlElement, main: HtmlElement | None) -> HtmlElement:
    """Return the anchor's ``<form>`` when the form is only the comment form, else the anchor."""
    form = next(anchor.iterancestors("form"), None)
    if form is None or holds_article(form, main):
        return anchor
    return form


def _widen(
    block: HtmlElement, main: HtmlElement | None, body_chars: int, max_share: float
) -> HtmlElement | None:
    """Return the widest ancestor of ``block`` (itself included) that is not the article's."""
    if holds_article(block, main):
        return None
    while True:
        parent = block.getparent()
        if (
            parent is None
            or parent.tag in _PAGE_TAGS
            or holds_article(parent, main)
            or text_chars(parent) / body_chars >= max_share
        ):
            return block
        block = parent


def holds_article(el: HtmlElement, main: HtmlElement | None) -> bool:
    """Return whether ``el`` holds the article's paragraphs (``main``, from
    ``main_paragraphs``) or its headline."""
    if main is not None and (el is main or any(a is el for a in main.iterancestors())):
        return True
    return el.tag == "h1" or next(el.iterdescendants("h1"), None) is not None


def _outermost(sections: list[HtmlElement]) -> list[HtmlElement]:
    """Return the sections that are not inside another one, each once."""
    found = {id(s) for s in sections}
    kept: list[HtmlElement] = []
    for section in sections:
        if id(section) in {id(k) for k in kept}:
            continue
        if not any(id(a) in found for a in section.iterancestors()):
            kept.append(section)
    return kept
