"""Read what a page says about itself: JSON-LD, OpenGraph and meta tags, <html lang>, canonical."""

from __future__ import annotations

import html
import json
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from lxml import etree

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from lxml.html import HtmlElement

    SiteReader = Callable[[HtmlElement, "PageMetadata"], None]

logger = logging.getLogger(__name__)

ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "BlogPosting",
        "Report",
    }
)
_JSONLD_XPATH = etree.XPath('//script[@type="application/ld+json"]/text()')
_META_XPATH = etree.XPath("//meta[@content][@property or @name or @itemprop]")
_CANONICAL_XPATH = etree.XPath('//link[@rel="canonical"]/@href')
# The HTML parser keeps XHTML's xml:lang as a plain attribute of that name.
_HTML_LANG_XPATH = etree.XPath("/html/@lang | /html/@*[name() = 'xml:lang']")
# A machine-readable time printed with the article: in <article>/<main>, marked up with
# itemprop, or else the first one after the headline.
_TIME_XPATH = etree.XPath(
    "//article//time[@datetime]/@datetime | //main//time[@datetime]/@datetime"
    " | //time[@itemprop]/@datetime | (//h1)[1]/following::time[@datetime][1]/@datetime"
)
_H1_XPATH = etree.XPath("//body//h1")
_TITLE_XPATH = etree.XPath("(//title)[1]/text()")
# A page with more <h1>s than this uses them for every teaser; the first few are enough.
_MAX_H1S = 5
_BODY_ELEMENTS_XPATH = etree.XPath(
    "//body//*[@class or @id or @itemprop or @rel] | //body//figcaption"
)
_ARTICLE_IMAGE_XPATH = etree.XPath(
    "(//article//img[@src] | //main//img[@src] | //*[@itemprop='articleBody']//img[@src])/@src"
)
# Class and id words (split on space, "-" and "_", so BEM names like "article__section" count)
# that mark the pieces of an article's header and footer. Tuned on the fixture sites' layouts.
_SECTION_TOKENS = frozenset({"section", "category", "categories", "kicker", "rubric", "cat"})
_AUTHOR_TOKENS = frozenset({"author", "byline", "writer", "authors", "by"})
_CAPTION_TOKENS = frozenset({"caption", "figcaption", "credit"})
_TAG_TOKENS = frozenset({"tags", "tag", "keywords", "topics"})
_CRUMB_TOKENS = frozenset({"breadcrumb", "breadcrumbs", "crumbs", "crumb"})
_MARKUP_TOKENS = _SECTION_TOKENS | _AUTHOR_TOKENS | _CAPTION_TOKENS | _TAG_TOKENS | _CRUMB_TOKENS
# The lead photo of a page without <article> or <main>: the first image after the headline.
_IMAGE_AFTER_TITLE_XPATH = etree.XPath("(//h1)[1]/following::img[@src][1]/@src")
_IMAGES_XPATH = etree.XPath("//body//img[@src]")
# A caption is a line or two; a box with more text around the lead image is a header or a
# teaser, not the image's box. The cleaning stage's bound on a caption line
# (``ingest.extraction.boilerplate``).
_MAX_CAPTION_CHARS = 400
_TOKEN_SPLIT_RE = re.compile(r"[\s_\-]+")
# A section label or byline is a few words; anything longer is a container around them.
_MAX_LABEL_CHARS = 40
_MAX_BYLINE_CHARS = 80


@dataclass(slots=True)
class PageMetadata:
    """Values a page declares about itself, as strings, before any interpretation."""

    page_type: str | None = None
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    modified: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    image_url: str | None = None
    image_caption: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    #: The <title>: the last resort for the headline, least often the bare headline.
    page_title: str | None = None
    #: The visible headlines (<h1> texts), the article's among them.
    h1s: list[str] = field(default_factory=list)


def read_metadata(tree: HtmlElement, site_readers: Sequence[SiteReader] = ()) -> PageMetadata:
    """Return the page's own metadata; JSON-LD wins over OpenGraph, which wins over <meta>.

    ``site_readers`` read data only one site has (``ingest.sites``, through its profile);
    they fill what the standard metadata leaves open, before the printed header is guessed at.
    """
    meta = PageMetadata()
    _read_meta_tags(tree, meta)
    _read_jsonld(tree, meta)
    canonical = _CANONICAL_XPATH(tree)
    if canonical and canonical[0].strip():
        meta.canonical_url = canonical[0].strip()
    lang = _HTML_LANG_XPATH(tree)
    if lang and lang[0].strip():
        meta.language = lang[0].strip()
    if meta.published is None:
        times = _TIME_XPATH(tree)
        meta.published = times[0].strip() if times else None
    for reader in site_readers:
        reader(tree, meta)
    _read_markup(tree, meta)
    titles = _TITLE_XPATH(tree)
    meta.page_title = (clean_space(titles[0]) or None) if titles else None
    meta.h1s = [t for t in (clean_space(h.text_content()) for h in _H1_XPATH(tree)[:_MAX_H1S]) if t]
    return meta


def token_matcher(tokens: Iterable[str]) -> Callable[[HtmlElement], bool]:
    """Return a test of whether an element's class or id holds one of ``tokens`` as a whole
    word (``class_tokens``'s words): one regular-expression search, so that a loop over every
    element of a page splits only the names that can matter."""
    words = "|".join(sorted(map(re.escape, tokens), key=len, reverse=True))
    pattern = re.compile(rf"(?:^|[\s_\-])(?:{words})(?=$|[\s_\-])")

    def matches(el: HtmlElement) -> bool:
        return pattern.search(f"{el.get('class', '')} {el.get('id', '')}".lower()) is not None

    return matches


def class_tokens(el: HtmlElement) -> set[str]:
    """Return the words of an element's class and id: "story-media__caption" → story, media, caption."""
    return set(_TOKEN_SPLIT_RE.split(f"{el.get('class', '')} {el.get('id', '')}".lower())) - {""}


_names_markup = token_matcher(_MARKUP_TOKENS)


def _read_markup(tree: HtmlElement, meta: PageMetadata) -> None:
    """Fill what structured metadata left open from the article's printed header and footer."""
    section = byline = caption = crumb = None
    tags: list[str] = []
    for el in _BODY_ELEMENTS_XPATH(tree):
        itemprop = (el.get("itemprop") or "").lower()
        rel = el.get("rel")
        relevant = (
            _names_markup(el)
            or itemprop in ("articlesection", "author")
            or rel in ("tag", "author")
            or el.tag == "figcaption"
        )
        # Cheap tests first: most elements are none of these, and the ancestry walk is not free.
        if not relevant or _in_page_chrome(el):
            continue
        tokens = class_tokens(el)
        if crumb is None and tokens & _CRUMB_TOKENS:
            # Home › Kurdistan: the last link of a breadcrumb trail is the article's section.
            links = [clean_space(a.text_content()) for a in el.iter("a")]
            crumb = links[-1] if len(links) > 1 and len(links[-1]) <= _MAX_LABEL_CHARS else None
            continue
        if rel == "tag" or tokens & _TAG_TOKENS:
            tags.extend(
                clean_space(a.text_content()) for a in (el.iter("a") if el.tag != "a" else [el])
            )
            continue
        if section is None and (itemprop == "articlesection" or tokens & _SECTION_TOKENS):
            text = clean_space(el.text_content())
            if 0 < len(text) <= _MAX_LABEL_CHARS and len(text.split()) <= 4:
                section = text
        if byline is None and (itemprop == "author" or rel == "author" or tokens & _AUTHOR_TOKENS):
            text = clean_space(el.text_content())
            if 0 < len(text) <= _MAX_BYLINE_CHARS:
                byline = text
        if caption is None and (el.tag == "figcaption" or tokens & _CAPTION_TOKENS):
            caption = clean_space(el.text_content()) or None
    meta.section = meta.section or section or crumb
    if not meta.authors and byline:
        meta.authors = [byline]
    meta.image_caption = meta.image_caption or caption
    if not meta.tags:
        meta.tags = _unique([t for t in tags if t and len(t) <= _MAX_LABEL_CHARS])
    if not meta.image_url:
        images = [
            s
            for s in (*_ARTICLE_IMAGE_XPATH(tree), *_IMAGE_AFTER_TITLE_XPATH(tree))
            if not s.startswith("data:")
        ]
        meta.image_url = images[0] if images else None
    if meta.image_caption is None:
        meta.image_caption = _lead_image_caption(tree, meta.image_url)


def _lead_image_caption(tree: HtmlElement, image_url: str | None) -> str | None:
    """Return the text printed in the lead image's own box: a figure built without the tag.

    The box is the image's nearest ancestor that holds text (links and ``<picture>`` around
    the image hold none). It is the image's when that text is one element beside the image,
    caption-sized and not a link (a teaser's headline), and the box holds neither the
    headline nor the article.
    The lead image is the one the page declares (og:image, JSON-LD), matched by path, since
    sites serve it from a CDN host in one place and their own in the other.
    """
    path = _url_path(image_url or "")
    if not path.strip("/"):
        return None
    image = next((i for i in _IMAGES_XPATH(tree) if _url_path(i.get("src")) == path), None)
    if image is None or _in_page_chrome(image):
        return None
    branch, box = image, image.getparent()
    while box is not None and not box.text_content().strip():
        branch, box = box, box.getparent()
    if box is None or box.tag in ("body", "html") or next(box.iter("h1"), None) is not None:
        return None
    # A figure's text is one element beside the image's branch. Text running around the image
    # is a paragraph the image floats in; several texts are a short post, not a caption.
    texts = [child for child in box if child is not branch and child.text_content().strip()]
    loose = [box.text, *(child.tail for child in box)]
    if len(texts) != 1 or any(t and t.strip() for t in loose):
        return None
    text = clean_space(box.text_content())
    if len(text) > _MAX_CAPTION_CHARS or 2 * link_chars(box) > len(text):
        return None
    return text


def _url_path(url: str) -> str:
    """Return a URL's path; empty for one that is no URL (a template's broken IPv6 host)."""
    try:
        return urlsplit(url.strip()).path
    except ValueError:
        return ""


def _in_page_chrome(el: HtmlElement) -> bool:
    """Return whether the element is in site navigation, or a site's (not the article's) header or footer."""
    ancestors = list(el.iterancestors())
    in_article = any(a.tag == "article" for a in ancestors)
    for ancestor in ancestors:
        if ancestor.tag == "nav":
            return True
        if ancestor.tag in ("header", "footer") and not in_article and not ancestor.xpath(".//h1"):
            return True
    return False


def clean_space(value: str) -> str:
    """Collapse runs of whitespace (non-breaking spaces too) into one space."""
    # str.split() splits on exactly what \s matches (Unicode whitespace, no-break space
    # included), at a third of a regular expression's cost on a long container's text.
    return " ".join(value.split())


def text_chars(el: HtmlElement) -> int:
    """Return the length of an element's text, whitespace collapsed: the size that pruning
    and the comment finder compare."""
    return len(clean_space(el.text_content()))


def link_chars(el: HtmlElement) -> int:
    """Return how much of an element's text is link text (what link density is made of)."""
    return sum(text_chars(a) for a in el.iter("a"))


def _read_meta_tags(tree: HtmlElement, meta: PageMetadata) -> None:
    tags: list[str] = []
    for el in _META_XPATH(tree):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").lower()
        value = clean_space(el.get("content") or "")
        if not value:
            continue
        if key in ("og:title", "twitter:title") and not meta.title:
            meta.title = value
        elif key == "og:type":
            meta.page_type = value
        elif key in ("article:published_time", "og:published_time", "datepublished", "pubdate"):
            meta.published = meta.published or value
        elif key in ("article:modified_time", "og:updated_time", "datemodified"):
            meta.modified = meta.modified or value
        elif key == "article:section":
            meta.section = meta.section or value
        elif key == "article:tag":
            tags.append(value)
        elif key == "news_keywords":
            tags.extend(t.strip() for t in value.split(","))
        elif key in ("og:image", "og:image:url", "twitter:image") and not meta.image_url:
            meta.image_url = value
        elif key in ("author", "article:author") and not value.startswith("http"):
            meta.authors.append(value)
        elif key == "og:site_name":
            meta.site_name = value
        elif key == "og:url" and not meta.canonical_url:
            meta.canonical_url = value
    meta.tags = _unique([t for t in tags if t])


def _read_jsonld(tree: HtmlElement, meta: PageMetadata) -> None:
    for raw in _JSONLD_XPATH(tree):
        data = load_jsonld(raw)
        if data is None:
            # Past repair: the page still has OpenGraph and trafilatura's guesses.
            logger.debug("unparseable JSON-LD block skipped")
            continue
        for node in _walk_jsonld(data):
            declared = node.get("@type")
            # In the page's order, not a set's: a set's order of strings changes from one
            # process to the next, and with it which of "Article", "NewsArticle" was kept.
            types = declared if isinstance(declared, list) else [declared]
            if any(t in ARTICLE_TYPES for t in types if isinstance(t, str)):
                _read_article_node(node, meta, types)
            elif "BreadcrumbList" in types and not meta.section:
                meta.section = _last_crumb(node)


_JSONLD_WRAPPER_RE = re.compile(r"^\s*(?://\s*)?(?:<!--|<!\[CDATA\[)|(?://\s*)?(?:-->|\]\]>)\s*$")
_TRAILING_COMMA_RE = re.compile(r",(\s*[}\]])")


def load_jsonld(raw: str) -> Any:
    """Parse a JSON-LD block the way real sites write it, or return None.

    Tolerated: an HTML comment or CDATA section around it, raw newlines and tabs inside
    strings (``strict=False``), the whole block entity-encoded (``{&quot;@type&quot;…``), and
    trailing commas before ``}`` or ``]``. Each repair is tried only when the plain parse fails.
    """
    text = _JSONLD_WRAPPER_RE.sub("", raw).strip()
    attempts = (text, html.unescape(text), _TRAILING_COMMA_RE.sub(r"\1", html.unescape(text)))
    for attempt in dict.fromkeys(attempts):
        try:
            return json.loads(attempt, strict=False)
        except ValueError:
            continue
    return None


def _walk_jsonld(data: Any) -> list[dict[str, Any]]:
    """Flatten a JSON-LD document (lists and @graph) into its top-level nodes."""
    if isinstance(data, list):
        return [n for item in data for n in _walk_jsonld(item)]
    if isinstance(data, dict):
        if "@graph" in data:
            return _walk_jsonld(data["@graph"])
        return [data]
    return []


def _read_article_node(node: dict[str, Any], meta: PageMetadata, types: list[Any]) -> None:
    meta.page_type = next(t for t in types if isinstance(t, str) and t in ARTICLE_TYPES)
    if headline := _text(node.get("headline") or node.get("name")):
        meta.title = headline
    if published := _text(node.get("datePublished")):
        meta.published = published
    if modified := _text(node.get("dateModified")):
        meta.modified = modified
    section = node.get("articleSection")
    if isinstance(section, list):
        section = section[-1] if section else None
    if section := _text(section):
        meta.section = section
    authors = [n for n in (_name(a) for a in _as_list(node.get("author"))) if n]
    if authors:
        meta.authors = authors
    keywords = [
        clean_space(part)
        for keyword in _as_list(node.get("keywords"))
        if isinstance(keyword, str)
        for part in keyword.split(",")
    ]
    if keywords := [k for k in keywords if k]:
        meta.tags = _unique(keywords)
    for image in _as_list(node.get("image"))[:1]:
        if isinstance(image, str):
            meta.image_url = image
        elif isinstance(image, dict):
            meta.image_url = _text(image.get("url") or image.get("contentUrl")) or meta.image_url
            meta.image_caption = _text(image.get("caption")) or meta.image_caption
    if lang := _text(node.get("inLanguage")):
        meta.language = meta.language or lang


def _last_crumb(node: dict[str, Any]) -> str | None:
    """Return the last named item of a JSON-LD BreadcrumbList past the home page."""
    items = [i for i in _as_list(node.get("itemListElement")) if isinstance(i, dict)]
    names = [_name(i.get("item")) or _name(i) for i in items]
    names = [n for n in names if n]
    return names[-1] if len(names) > 1 and len(names[-1]) <= _MAX_LABEL_CHARS else None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _name(value: Any) -> str | None:
    if isinstance(value, dict):
        return _text(value.get("name"))
    return _text(value)


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return clean_space(value) or None
    return None


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))
