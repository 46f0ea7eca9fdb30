"""Extract an article's main text and metadata from its HTML (trafilatura plus the page's own metadata)."""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, urljoin, urlsplit

import trafilatura
from lxml import etree, html
from lxml.etree import ParserError
from trafilatura.settings import Document

from ingest.extraction.bylines import person_names
from ingest.extraction.comments import comment_sections, holds_article, main_paragraphs
from ingest.extraction.extracted import Extracted
from ingest.extraction.fallback import may_fall_back
from ingest.extraction.lexicon import RELATED_HEADING_RE
from ingest.extraction.metadata import (
    PageMetadata,
    class_tokens,
    clean_space,
    link_chars,
    read_metadata,
    text_chars,
    token_matcher,
)
from ingest.extraction.paragraphs import paragraph_key
from ingest.extraction.stoplists import hold_once
from ingest.extraction.times import parse_time, plausible
from ingest.extraction.titles import clean_title

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from lxml.html import HtmlElement

    from ingest.extraction.metadata import SiteReader

logger = logging.getLogger(__name__)

# trafilatura's justext fallback holds the stoplists once per process, not twice.
hold_once()


# Class and id tokens of page furniture that is never article text. Matched as whole tokens
# (split on space, "-" and "_") so that "commentary" or "shareholders" are not caught.
_FURNITURE_TOKENS = frozenset(
    {
        "comment",
        "comments",
        "commentform",
        "disqus",
        "share",
        "sharing",
        "sharebar",
        "social",
        "socials",
        "related",
        "also",
        "font",
        "fontsize",
        "breadcrumb",
        "breadcrumbs",
        "newsletter",
        "subscribe",
        "advert",
        "advertisement",
        "ads",
        "banner",
        "cookie",
        "cookies",
        "modal",
        "popup",
        "tags",
    }
)
_FURNITURE_XPATH = etree.XPath("//body//*[@class or @id]")
_names_furniture = token_matcher(_FURNITURE_TOKENS)
_FONT_TOKENS = frozenset({"font", "fontsize"})
_ALWAYS_PRUNED_XPATH = etree.XPath(
    "//nav | //footer | //script | //style | //noscript[not(.//p)] | //iframe | //svg"
)
# Form controls go after the comment sections have been found: a textarea is what marks one.
_CONTROLS_XPATH = etree.XPath("//button | //select | //textarea | //input")
# Forms are pruned like furniture, by size: ASP.NET pages wrap the whole page in one, and a
# shop's product form wraps the product's description.
_FORMS_XPATH = etree.XPath("//form")
# Containers of the article's paragraphs: two or more of their own.
_PARAGRAPH_CONTAINERS_XPATH = etree.XPath(
    "//body//*[self::div or self::section or self::article][count(p) >= 2]"
)
_SECTION_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
# The most text besides links that a box of links holds: its label.
_MAX_LABEL_CHARS = 30
# A box of links is never this large a share of the page's text.
_MAX_BOX_SHARE = 0.3
# Blocks that may be an inline teaser: a paragraph, a heading (or a div holding no block)
# with a link.
_TEASER_XPATH = etree.XPath(
    "//body//*[self::p or self::h2 or self::h3 or self::h4 or self::h5 or self::h6][.//a[@href]]"
    " | //body//div[.//a[@href]][not(.//p|.//div)]"
)
# An inline teaser is a short label and one link whose text is another story's headline:
# "Read also: <a>headline</a>", "LE PUEDE INTERESAR: …", "À lire aussi » …", in any language.
_TEASER_MAX_LABEL_WORDS = 4
_TEASER_MIN_HEADLINE_WORDS = 4
_TEASER_MIN_LINK_SHARE = 0.6
# What ends a sentence (Latin, CJK, Arabic script): a headline is printed without one after it.
_SENTENCE_ENDS = frozenset(".!?\u3002\uff01\uff1f\u061f")
_HEADING_LIKE_XPATH = etree.XPath(
    "//body//*[self::h2 or self::h3 or self::h4 or self::h5 or self::h6 or self::strong"
    " or self::span or self::div or self::p][not(*) or not(.//p)]"
)
# A container below this share of the body's text can be dropped as furniture; above it, it
# may be (or hold) the article itself, e.g. <body class="has-comments">.
_MAX_FURNITURE_SHARE = 0.4
# Below these, a furniture-named element is taken for furniture: a share bar or "A+ A-" is
# a few words; a related box is mostly links. Tuned on the 181-page corpus (make eval).
_SHORT_FURNITURE_CHARS = 200
_FURNITURE_LINK_DENSITY = 0.5
_COMMENT_TOKENS = frozenset({"comment", "comments", "commentform", "disqus"})
# A link to a document or a medium rather than a page.
_FILE_LINK_RE = re.compile(
    r"\.(?:pdf|docx?|odt|rtf|xlsx?|ods|csv|pptx?|odp|zip|epub|mp3|mp4|jpe?g|png|gif)$",
    re.IGNORECASE,
)
# Boxes that may promote another part of the site: a heading first, a link last.
_PROMO_BOX_XPATH = etree.XPath(
    "//body//*[self::section or self::div or self::aside]"
    "[*[1][self::h2 or self::h3 or self::h4]][*[last()][self::a]]"
)
# The elements whose text trafilatura prints as a line of its own.
_LINE_TAGS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "td", "div", "span", "a")


def extract_article(
    page: str,
    url: str,
    *,
    prune_xpath: Sequence[str] = (),
    local_zone: str = "UTC",
    title_suffix: str = "",
    site_readers: Sequence[SiteReader] = (),
) -> Extracted | None:
    """Return the main text and metadata of a news page, or None if it has no article body.

    Raises:
        ValueError: ``page`` is not HTML at all (empty, or a document lxml cannot parse).
    """
    tree = _parse(page)
    meta = read_metadata(tree, site_readers)
    # trafilatura's metadata guesses only fill gaps in the page's own, and are read before
    # pruning, which removes the scripts that hold JSON-LD. They leave the tree as it is.
    guesses = None
    if _has_gaps(meta):
        # htmldate's extensive search (half of extract_metadata's time) looks for a date in
        # the page's text; it is only worth it where the page's own date will not be used.
        dated = plausible(parse_time(meta.published, local_zone), datetime.now(UTC)) is not None
        guesses = trafilatura.extract_metadata(tree, default_url=url, extensive=not dated)
    page_chars, identified = _prune(tree, prune_xpath, _Address.of(url, meta.canonical_url))
    # bare_extraction copies the tree it is given: one copy among the several it makes inside
    # (under 2 % of its time), and its public API has no way to hand the tree over.
    # Default mode, not favor_recall: recall skips the comparison with readability and
    # justext once a text looks long, and keeps more of what a page prints around its
    # article (make eval: pages over 0.05 below trafilatura alone 3 -> 1 and 36 -> 20).
    document = trafilatura.bare_extraction(tree, url=url, include_comments=False)
    lines = _lines(document)
    reference_lines: tuple[str, ...] = ()
    if may_fall_back(lines, page_chars):
        # The safety net's yardstick: trafilatura alone on the page as served (parsed again:
        # pruning changed the first tree, and copying every page for these few costs more).
        reference = trafilatura.bare_extraction(_parse(page), url=url, include_comments=False)
        reference_lines = _without(_lines(reference), identified, meta.h1s)
    if not lines and not reference_lines:
        return None
    extracted = _merge(
        meta,
        guesses,
        lines,
        url=url,
        local_zone=local_zone,
        title_suffix=title_suffix,
    )
    return replace(extracted, reference_lines=reference_lines, headings=_headings(document))


def _lines(document: Document | None) -> tuple[str, ...]:
    """Return a trafilatura result's text as non-empty, whitespace-collapsed lines."""
    if document is None or not document.text:
        return ()
    return tuple(line for line in (clean_space(x) for x in document.text.split("\n")) if line)


def _headings(document: Document | None) -> frozenset[str]:
    """Return the texts of the headings in trafilatura's result, as its text prints them."""
    if document is None or document.body is None:
        return frozenset()
    return frozenset(clean_space("".join(h.itertext())) for h in document.body.iter("head"))


def _has_gaps(meta: PageMetadata) -> bool:
    """Return whether the page's own metadata leaves a gap that trafilatura's guesses may fill."""
    return not (meta.title and meta.published and meta.authors)


# HTML comments and processing instructions are dropped at parse time: left in the tree they
# make trafilatura lose the text around them (seen on nytimes.com pages of the corpus).
# Elements are lxml.html's HtmlElement (text_content() and the like) through a lookup done in
# C: lxml.html's own parser picks each element's class in Python, once per element proxy,
# which cost about 8 % of extraction, trafilatura's walks over the tree included.
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True)
_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(element=html.HtmlElement))
_PROLOGUE_RE = re.compile(
    r"^[\s\ufeff]*(?:<\?xml\b[^>]*\?>\s*)?(?:<!doctype\b[^>]*>)?", re.IGNORECASE
)
_CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _parse(page: str) -> HtmlElement:
    if not page or not page.strip():
        raise ValueError("empty page")
    # XHTML pages open with <?xml version="1.0" encoding="…"?>, and lxml refuses a str that
    # declares an encoding; the page is decoded already, so it says nothing more. A doctype
    # goes too: with one, libxml2 can drop most of a long page (lxml bug 1955915; seen on
    # careelite.de in trafilatura-eval), and an HTML parser has no use for it.
    page = _PROLOGUE_RE.sub("", page, count=1)
    # Control characters are not allowed in HTML and make libxml2 stop early.
    page = _CONTROL_CHARS_RE.sub("", page)
    try:
        return html.document_fromstring(page, parser=_PARSER)
    except (ParserError, etree.ParserError, ValueError) as exc:
        raise ValueError(f"unparseable HTML: {exc}") from exc


def _prune(
    tree: HtmlElement, prune_xpath: Sequence[str], address: _Address
) -> tuple[int, list[HtmlElement]]:
    """Remove furniture, related-links boxes and the profile's selectors from the tree in place.

    Returns the characters of the page's text without what never holds the article (scripts,
    styles, navigation, footers), which the over-pruning safety net's bound is taken from,
    and the removed elements that were identified as boilerplate by what they are (comment
    sections, related boxes, teasers), not guessed at from a class name or a size: what the
    safety net must not count as lost.
    """
    # Scripts and styles go first: inline JSON would otherwise make the body look far longer
    # than its text, and every size guard below relative to it too lenient.
    for el in _ALWAYS_PRUNED_XPATH(tree):
        _drop(el)
    page_chars = text_chars(tree)
    # A profile's selectors are kept out of ``identified``: a site that changed its markup can
    # make one select the article itself, the loss the safety net is there to catch.
    for xpath in prune_xpath:
        for el in tree.xpath(xpath):
            _drop(el)
    identified: list[HtmlElement] = comment_sections(tree, max_share=_MAX_FURNITURE_SHARE)
    for el in identified:
        _drop(el)
    for el in _CONTROLS_XPATH(tree):
        _drop(el)
    body_chars = max(text_chars(tree), 1)
    _reattach_stray_paragraphs(tree)
    main = main_paragraphs(tree)
    _unwrap_asides(main)
    doomed = _furniture(tree, main, body_chars)
    doomed.extend(
        f
        for f in _FORMS_XPATH(tree)
        if _share(f, body_chars) < _MAX_FURNITURE_SHARE and not holds_article(f, main)
    )
    for el in _HEADING_LIKE_XPATH(tree):
        if el.tag in _SECTION_HEADINGS and _heads_nothing_to_read(el):
            identified.append(el)
            continue
        # A related box is a short heading over links only. Its wording tells it at once; a
        # real heading (h2-h6) in other words is told by what its box holds: links to at
        # least two other pages. Only the heading's own text is read for the wording; reading
        # every container's whole text would be slow.
        worded = RELATED_HEADING_RE.match((el.text or "").strip())
        if not (worded or (el.tag in _SECTION_HEADINGS and _links_follow(el, address))):
            continue
        if text_chars(el) >= 60:
            continue
        box = _related_box(el, body_chars)
        # A heading that could not widen is printed among the article's paragraphs: its
        # links are the lists that follow it in the same container.
        parts = [box, *(_link_lists_after(box, main, address) if box is el else ())]
        if worded or sum(_stories(part, address) for part in parts) >= 2:
            identified.extend(parts)
    identified.extend(box for box in _PROMO_BOX_XPATH(tree) if _is_promo_box(box, address))
    for el in _TEASER_XPATH(tree):
        if _is_teaser(el, address):
            box = _teaser_box(el, body_chars)
            identified.append(box)
            if (label := _label_before(box)) is not None:
                identified.append(label)
    for el in (*doomed, *identified):
        _drop(el)
    return page_chars, identified


def _without(
    lines: tuple[str, ...], identified: Sequence[HtmlElement], headlines: Sequence[str]
) -> tuple[str, ...]:
    """Return trafilatura's lines without those printed by an identified boilerplate element.

    The elements are out of the tree by now but keep their content. A block's text is read
    per paragraph-like descendant, the units trafilatura prints as lines; a list item comes
    out of trafilatura with a "- " before it. The page's headline stays: a related box of
    the site's latest stories can list the article itself.
    """
    if not identified:
        return lines
    printed = {
        paragraph_key(clean_space(block.text_content()))
        for el in identified
        for block in el.iter(*_LINE_TAGS)
    }.difference(map(paragraph_key, headlines))
    return tuple(line for line in lines if paragraph_key(line.removeprefix("- ")) not in printed)


def _reattach_stray_paragraphs(tree: HtmlElement) -> None:
    """Move back into a container of paragraphs the paragraphs that follow it to its parent's end.

    A stray closing tag inside an article body (an unclosed ``<p>`` or ``<b>`` before it)
    ends the body's container early, and the parser puts the paragraphs after it in the
    container's parent. A page is built that way only by accident: a container whose last
    siblings are nothing but paragraphs held them. Left apart, an extractor that takes the
    body's container loses them.
    """
    for container in _PARAGRAPH_CONTAINERS_XPATH(tree):
        stray = list(container.itersiblings())
        if stray and all(s.tag == "p" for s in stray):
            container.extend(stray)


def _unwrap_asides(main: HtmlElement | None) -> None:
    """Retag as ``<div>`` each ``<aside>`` that holds both the article's paragraphs and its headline.

    trafilatura drops every ``<aside>``. An aside left unclosed before the article (a sidebar
    whose closing tag the template forgot) makes the parser nest the whole article in it, and
    the page then yields only its header's tagline (onlinemarketing.de in trafilatura-eval). A
    real sidebar holds neither the page's main run of paragraphs nor its ``<h1>``.
    """
    if main is None:
        return
    for aside in main.iterancestors("aside"):
        if next(aside.iterdescendants("h1"), None) is not None:
            aside.tag = "div"


def _body_class(main: HtmlElement | None) -> str | None:
    """Return the class worn by the paragraphs that hold most of ``main``'s paragraph text."""
    if main is None:
        return None
    chars: Counter[str | None] = Counter()
    for p in main.iterchildren("p"):
        chars[p.get("class")] += text_chars(p)
    return chars.most_common(1)[0][0] if chars else None


def _furniture(tree: HtmlElement, main: HtmlElement | None, body_chars: int) -> list[HtmlElement]:
    """Return the elements named like furniture that are furniture (``_is_furniture``).

    The class that most of the article's own paragraphs wear (by text, among the paragraphs
    of ``main``, the page's main run of them) is the text's, however it is named:
    "para-with-font" on each paragraph names its typeface, and each paragraph alone is short
    enough to pass for a share bar. One paragraph of the run with a class of its own (a
    newsletter plug between two paragraphs) is still judged by its name. Comments still go:
    a comment's class on the main run means the run is the thread.
    """
    own = _body_class(main)
    doomed = []
    for el in _FURNITURE_XPATH(tree):
        if not _names_furniture(el):
            continue
        tokens = class_tokens(el)
        if own and el.tag == "p" and el.get("class") == own and not tokens & _COMMENT_TOKENS:
            continue
        if tokens & _FURNITURE_TOKENS <= _FONT_TOKENS and not _is_font_control(el):
            continue
        if _is_furniture(el, tokens, body_chars):
            doomed.append(el)
    return doomed


def _is_font_control(el: HtmlElement) -> bool:
    """Return whether an element named for the font is the text-size control ("A+ A-"), not
    text styled by a utility class ("font-weight-bold", "font-blue") that names it too. The
    control's buttons are gone by now; what is left of it is signs, not words."""
    return all(len(word) <= 2 for word in el.text_content().split())


def _links_follow(heading: HtmlElement, address: _Address) -> bool:
    """Return whether what follows a heading points to two or more other stories: the cheap
    look that spares every other heading the walk up its ancestors (``_related_box``). The
    element after it counts the pages of the site it links to; a run of ``<article>``
    elements, each a story of its own by its tag, counts its length.
    """
    following = heading.getnext()
    if following is None:
        return False
    if following.tag != "article":
        return _pages_linked(following, address) >= 2
    run = 0
    for sibling in heading.itersiblings():
        if sibling.tag != "article":
            break
        run += 1
    return run >= 2


def _stories(el: HtmlElement, address: _Address) -> int:
    """Return how many other stories an element points to: one if it is an ``<article>``
    (another story's teaser, whatever it links to), else the site's pages it links to."""
    return 1 if el.tag == "article" else _pages_linked(el, address)


def _pages_linked(el: HtmlElement, address: _Address) -> int:
    """Return how many other stories of the site an element links to (``_Address.links_story``):
    a list of PDFs and videos under a heading is the press coverage a page is about, not a
    box of other stories, which a site keeps on itself."""
    return sum(address.links_story(h) for h in _hrefs(el))


def _hrefs(el: HtmlElement) -> set[str]:
    return {(a.get("href") or "").strip() for a in el.iter("a")}


def _is_teaser(el: HtmlElement, address: _Address) -> bool:
    """Return whether a block is an inline link to another story of the site: at most a label
    of a few words, and one link whose text, a headline, is most of the block. Told by its
    shape, so that the label's wording and language do not matter. The link goes to another
    page of the same site: one to another site is a source the article cites ("Link: <a>…</a>"
    in a podcast's show notes).

    A headline starts afresh and stands alone: a link whose first word is in lower case
    carries on the sentence before it ("Smith replaced Jones, <a>who had …</a>"), and one
    followed by nothing but a full stop or an exclamation mark ends a sentence written around
    it ("Tip: <a>get more ideas here</a>!"). Both are the article's own sentences.
    """
    hrefs = _hrefs(el)
    if len(hrefs) > 1:
        return _is_headline_list(el, address)
    if not hrefs:
        return False
    # The shape first: it rules out most blocks, at less cost than resolving their link.
    text = clean_space(el.text_content())
    anchors = list(el.iter("a"))
    link = " ".join(clean_space(a.text_content()) for a in anchors).strip()
    label_words = len(text.split()) - len(link.split())
    if not (
        0 <= label_words <= _TEASER_MAX_LABEL_WORDS
        and len(link.split()) >= _TEASER_MIN_HEADLINE_WORDS
        and len(link) >= _TEASER_MIN_LINK_SHARE * len(text)
    ) or (link.split()[0].islower() or _ends_sentence(text, anchors[-1])):
        return False
    return address.links_story(next(iter(hrefs)))


def _is_headline_list(el: HtmlElement, address: _Address) -> bool:
    """Return whether a block is several teasers in one: links to other pages of the same
    site, each a headline that starts afresh, with at most a label's words per link
    ("China furious at Macron [INSIGHT]", one per line, under "DON'T MISS")."""
    anchors = [a for a in el.iter("a") if clean_space(a.text_content())]
    if len(anchors) < 2:
        return False
    link_words = 0
    for a in anchors:
        words = clean_space(a.text_content()).split()
        if len(words) < _TEASER_MIN_HEADLINE_WORDS or words[0].islower():
            return False
        link_words += len(words)
    text = clean_space(el.text_content())
    if not (
        len(text.split()) - link_words <= _TEASER_MAX_LABEL_WORDS * len(anchors)
        and link_chars(el) >= _TEASER_MIN_LINK_SHARE * len(text)
        and not _ends_sentence(text, anchors[-1])
    ):
        return False
    return all(address.links_story((a.get("href") or "").strip()) for a in anchors)


def _ends_sentence(text: str, last_link: HtmlElement) -> bool:
    """Return whether nothing but a full stop or the like follows a block's last link: the
    block is a sentence written around it, not a headline."""
    last = clean_space(last_link.text_content())
    after = text.rpartition(last)[2].strip() if last else ""
    return bool(after) and set(after) <= _SENTENCE_ENDS


@dataclass(frozen=True, slots=True)
class _Address:
    """Where a page is, for telling where its links go: its URL, and the site and path of
    both the URL and the canonical link (a page served from elsewhere, an archive or a
    mirror, is still its canonical site's)."""

    url: str
    hosts: frozenset[str]
    paths: frozenset[str]
    #: What ``links_story`` said of each link so far: a page repeats its menus' links.
    _seen: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, url: str, canonical: str | None) -> _Address:
        own = [u for u in (_resolve(url, ""), _resolve(url, canonical or "")) if u is not None]
        return cls(
            url=url,
            hosts=frozenset(_host(u.hostname) for u in own),
            paths=frozenset(u.path.rstrip("/") for u in own),
        )

    def links_story(self, href: str) -> bool:
        """Return whether a link points to another story of the site: to a page of the same
        site (relative, or to its hosts) other than this one, and not to a file. A link to
        another site is a source the article cites, one to a PDF a document it is about, and
        one to the page's own address its title printed as a link (a blog's post title)."""
        if not href or href.startswith("#"):
            return False
        known = self._seen.get(href)
        if known is None:
            target = _resolve(self.url, href)
            known = self._seen[href] = (
                target is not None
                and _host(target.hostname) in self.hosts
                and target.path.rstrip("/") not in self.paths
                and not _FILE_LINK_RE.search(target.path)
            )
        return known


def _resolve(base: str, href: str) -> SplitResult | None:
    """Return a link's absolute address, split, or None for one that is no address at all
    ("http://[broken"): a page's bad link is no reason to lose the page."""
    try:
        return urlsplit(urljoin(base, href))
    except ValueError:
        return None


def _host(hostname: str | None) -> str:
    """Return a host name without "www.", which names the same site with or without it."""
    return (hostname or "").removeprefix("www.")


def _is_furniture(el: HtmlElement, tokens: set[str], body_chars: int) -> bool:
    """Return whether an element named like furniture is small enough, or linky enough, to be it.

    Class names alone mislead ("font-body" on an article body, "has-comments" on a page), so a
    named element goes only when it is short or mostly links; a comment section (policy text
    and all) goes whatever its shape, unless it holds a large share of the page.
    """
    chars = text_chars(el)
    if chars / body_chars >= _MAX_FURNITURE_SHARE:
        return False
    if tokens & _COMMENT_TOKENS or chars <= _SHORT_FURNITURE_CHARS:
        return True
    return link_chars(el) / max(chars, 1) > _FURNITURE_LINK_DENSITY


def _related_box(heading: HtmlElement, body_chars: int) -> HtmlElement:
    """Return the largest ancestor of a related-links heading that holds only links besides it."""
    allowance = _MAX_LABEL_CHARS + text_chars(heading)
    return _widest_box(heading, body_chars, lambda el: _own_chars(el) <= allowance)


def _teaser_box(teaser: HtmlElement, body_chars: int) -> HtmlElement:
    """Return the largest ancestor of a teaser that holds only teasers and a short label.

    A box of teasers goes whole, with the label over them ("À découvrir" over three
    headlines): left alone, the label would be a line of its own. A heading stops the climb:
    a box under one is the related-box rule's, and a heading over more than links (a
    recipe's "Preparation" over its steps) is the article's.
    """
    return _widest_box(
        teaser,
        body_chars,
        lambda el: (
            _own_chars(el) <= _MAX_LABEL_CHARS
            and next(el.iter(*_SECTION_HEADINGS, "h1"), None) is None
        ),
    )


def _widest_box(
    start: HtmlElement, body_chars: int, holds_only_links: Callable[[HtmlElement], bool]
) -> HtmlElement:
    """Return the last ancestor of ``start`` climbing up to which ``holds_only_links`` holds,
    short of the page's and the article's own containers and of a large share of the page."""
    box = start
    parent = box.getparent()
    while (
        parent is not None
        and parent.tag not in ("body", "article", "main")
        and _share(parent, body_chars) <= _MAX_BOX_SHARE
        and holds_only_links(parent)
    ):
        box, parent = parent, parent.getparent()
    return box


def _own_chars(el: HtmlElement) -> int:
    """Return how much of an element's text is not link text."""
    return text_chars(el) - link_chars(el)


def _is_promo_box(box: HtmlElement, address: _Address) -> bool:
    """Return whether a box promotes another part of the site: a heading, a line under it,
    and at its end a link to another page of the site ("Discover more home stories", "Browse
    our readers' homes", "More home stories"), and nothing more."""
    children = list(box)
    return (
        len(children) == 3
        and children[1].tag == "p"
        and text_chars(box) <= _SHORT_FURNITURE_CHARS
        and _pages_linked(box, address) == 1
    )


def _heads_nothing_to_read(heading: HtmlElement) -> bool:
    """Return whether a heading stands over links with no text to the end of its box: app
    store badges, partner logos. In the text it would be a line announcing nothing."""
    following = list(heading.itersiblings())
    # Any text at all settles it, and is found without reading a whole container's text.
    return bool(following) and all(
        not any(t.strip() for t in el.itertext()) and (el.tag == "a" or el.find(".//a") is not None)
        for el in following
    )


def _label_before(teaser: HtmlElement) -> HtmlElement | None:
    """Return the label printed just before a teaser as a block of its own ("DON'T MISS"
    over a paragraph of headlines), or None: a few words, no link, no sentence end."""
    label = teaser.getprevious()
    if (
        label is None
        or label.tag not in ("p", "div", "span", "strong")
        or label.find(".//a") is not None
    ):
        return None
    text = clean_space(label.text_content())
    if not text or len(text.split()) > _TEASER_MAX_LABEL_WORDS or text[-1] in _SENTENCE_ENDS:
        return None
    return label


def _link_lists_after(
    heading: HtmlElement, main: HtmlElement | None, address: _Address
) -> list[HtmlElement]:
    """Return the run of link lists or story teasers right after a related-links heading, its
    siblings.

    "Also in Kurdistan" over a bare ``<ul>`` inside the article's container is a box of one
    element (``_related_box`` stops at a parent that holds text of its own), and its links
    follow it there. Such a list (``<ul>``/``<ol>``) links to other pages and is mostly link
    text, which the article's own lists are not. An ``<article>`` there is by its tag a
    composition of its own, another story's teaser (a blog's "You may like" over excerpts of
    other posts), whatever it links to. The run ends at the first sibling that is neither,
    so the paragraphs after it stay.
    """
    lists = []
    for sibling in heading.itersiblings():
        if holds_article(sibling, main):
            break
        if sibling.tag == "article":
            lists.append(sibling)
            continue
        if sibling.tag not in ("ul", "ol"):
            break
        chars = text_chars(sibling)
        if not (chars and _pages_linked(sibling, address)) or (
            link_chars(sibling) / chars <= _FURNITURE_LINK_DENSITY
        ):
            break
        lists.append(sibling)
    return lists


def _share(el: HtmlElement, body_chars: int) -> float:
    return text_chars(el) / body_chars


def _drop(el: HtmlElement) -> None:
    """Remove an element but keep its tail text (which belongs to the parent)."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail and el.tail.strip():
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _merge(
    meta: PageMetadata,
    guesses: Document | None,
    lines: tuple[str, ...],
    *,
    url: str,
    local_zone: str,
    title_suffix: str,
) -> Extracted:
    """Combine the page's own metadata with trafilatura's guesses, which only fill gaps."""
    guessed = _Guesses.of(guesses)
    now = datetime.now(UTC)
    title = clean_title(
        meta.title or guessed.title or meta.page_title,
        h1s=meta.h1s,
        site_name=meta.site_name,
        url=url,
    )
    if title and title_suffix:
        title = re.sub(title_suffix, "", title).strip()
    authors = person_names(
        meta.authors or (guessed.author or "").split(";"),
        outlet=(meta.site_name or "", (urlsplit(url).hostname or "").removeprefix("www.")),
    )
    image = meta.image_url or guessed.image
    section = meta.section or guessed.section
    return Extracted(
        lines=lines,
        title=title or None,
        authors=tuple(authors),
        published_at=plausible(parse_time(meta.published, local_zone), now)
        or plausible(parse_time(guessed.date, local_zone), now),
        modified_at=plausible(parse_time(meta.modified, local_zone), now),
        # A "section" longer than a label is a keyword list some CMSs put there.
        section=section if section and len(section) <= _MAX_SECTION_CHARS else None,
        # trafilatura's tags are the SEO keywords meta, not the article's tags: not used.
        tags=tuple(_unique(t for t in meta.tags if t)),
        language=normalise_language(meta.language),
        image_url=urljoin(url, image) if image else None,
        image_caption=meta.image_caption,
        canonical_url=_canonical(meta.canonical_url, url),
        page_type=meta.page_type,
    )


@dataclass(frozen=True, slots=True)
class _Guesses:
    """The few fields taken from trafilatura's metadata, all None when it was not run."""

    title: str | None = None
    author: str | None = None
    image: str | None = None
    section: str | None = None
    date: str | None = None

    @classmethod
    def of(cls, document: Document | None) -> _Guesses:
        if document is None:
            return cls()
        return cls(
            title=document.title,
            author=document.author,
            image=document.image,
            section=next(iter(document.categories or []), None),
            date=document.date,
        )


_MAX_SECTION_CHARS = 100
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}$")


def _canonical(declared: str | None, url: str) -> str | None:
    """Return the declared canonical URL made absolute, unless it points at a site's front page
    or is no valid URL (a template's broken host or port)."""
    if not declared:
        return None
    try:
        absolute = urljoin(url, declared)
        parts = urlsplit(absolute)
        parts.port  # noqa: B018 - raises ValueError for a port that is out of range or no number
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or parts.path.strip("/") == "":
        return None
    return absolute


def normalise_language(tag: str | None) -> str | None:
    """Return a language code from an HTML lang tag: ``en-US`` → ``en``, ``ku-Arab`` → ``ckb``."""
    if not tag:
        return None
    parts = tag.strip().replace("_", "-").lower().split("-")
    if parts[0] == "ku" and "arab" in parts[1:]:
        return "ckb"
    return parts[0] if _LANGUAGE_RE.match(parts[0]) else None


def _unique(values: object) -> list[str]:
    return list(dict.fromkeys(values))  # type: ignore[call-overload]
