"""From an extracted page to a clean article: fill it in from its site profile, then clean it.

The crawl's pipeline stages and ``ingest reextract`` both call these functions, so an article
made again from its stored page is made exactly as a crawl would make it today.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ingest.extraction.boilerplate import BoilerplateRules, strip_boilerplate
from ingest.extraction.fallback import should_fall_back
from ingest.extraction.metadata import ARTICLE_TYPES
from ingest.extraction.paragraphs import dedupe_paragraphs
from ingest.extraction.site_boilerplate import strip_learned, strip_learned_title
from ingest.items import ArticleItem
from ingest.profiles import PROFILES, profile_for_url

if TYPE_CHECKING:
    from collections.abc import Collection
    from datetime import datetime

    from ingest.extraction.boilerplate import Cleaned
    from ingest.extraction.extracted import Extracted
    from ingest.profiles import Edition, SiteProfile

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SiteRules:
    """What a site's articles are made with: its profile, and its boilerplate on top of ours."""

    profile: SiteProfile | None
    boilerplate: BoilerplateRules


_GENERIC = SiteRules(profile=None, boilerplate=BoilerplateRules())
_RULES = {
    key: SiteRules(profile, BoilerplateRules(profile.boilerplate, profile.comment_markers))
    for key, profile in PROFILES.items()
}
# og:type values of pages that are not articles. Not "website": many news sites put it on
# their articles too.
_NON_ARTICLE_TYPES = ("video.", "music.", "profile", "book")
# What a page that declares itself an article (og:type "article", a JSON-LD article type)
# needs of text: a sentence. A short blog post or a news brief is still an article; the
# crawl's ``min_chars`` (a few sentences) is for pages that say nothing of what they are.
_MIN_DECLARED_ARTICLE_CHARS = 80
_DECLARED_ARTICLE_TYPES = frozenset({"article", *(t.casefold() for t in ARTICLE_TYPES)})
# "ku" is the Kurdish macrolanguage: an edition that knows its variety (Sorani) refines it.
_KURDISH = frozenset({"ku", "ckb", "kmr", "sdh"})


def site_rules(site: str | None) -> SiteRules:
    """Return the rules of a site profile's key; generic rules for an unknown site."""
    return _RULES.get(site or "", _GENERIC)


def adopting_profile(
    profile: SiteProfile | None, extracted: Extracted
) -> tuple[SiteProfile, str | None] | None:
    """Return the known site (and edition) that a page from an unknown host belongs to.

    A page listed from a mirror or an unknown host whose canonical URL is a known site's is
    that site's article; the caller extracts it again under that site's rules.
    """
    if profile is not None or not extracted.canonical_url:
        return None
    found = profile_for_url(extracted.canonical_url)
    if found is None:
        return None
    edition = found.edition_for(extracted.canonical_url)
    return found, edition.key if edition else None


def build_article(
    *,
    url: str,
    site: str | None,
    edition: str | None,
    fetched_at: datetime,
    extracted: Extracted,
    profile: SiteProfile | None,
) -> ArticleItem:
    """Fill an article from what the page yielded and what its site profile knows.

    The profile gives the edition's language where the page is silent, the section where the
    URL says it, and one spelling per author.
    """
    found_edition = (
        next((e for e in profile.editions if e.key == edition), None) if profile else None
    )
    canonical = extracted.canonical_url
    if canonical and profile and profile.owns(canonical) and not profile.is_article(canonical):
        # A canonical link to a section or tag page is a template bug, not a merge order.
        logger.info("ignoring canonical %s of %s: not an article URL", canonical, url)
        canonical = None
    authors = list(extracted.authors)
    if profile is not None:
        authors = list(dict.fromkeys(profile.canonical_author(a) for a in authors))
    return ArticleItem(
        url=url,
        canonical_url=canonical or url,
        site=site or (urlsplit(url).hostname or "unknown"),
        edition=edition,
        language=_language(extracted.language, found_edition),
        section=extracted.section or (profile.section_from_url(url) if profile else None),
        title=extracted.title or "",
        text="\n".join(extracted.lines),
        authors=authors,
        published_at=extracted.published_at,
        modified_at=extracted.modified_at,
        tags=list(extracted.tags),
        image_url=extracted.image_url,
        image_caption=extracted.image_caption,
        fetched_at=fetched_at,
        page_type=extracted.page_type,
        reference_text="\n".join(extracted.reference_lines),
        headings=extracted.headings,
    )


def _language(page_language: str | None, edition: Edition | None) -> str | None:
    """Return the page's own language, or the edition's where the page is silent or vaguer."""
    if edition is None:
        return page_language
    if page_language is None or (page_language == "ku" and edition.language in _KURDISH):
        return edition.language
    return page_language


def dedupe_article(article: ArticleItem) -> ArticleItem:
    """Return the article with each paragraph kept once, at its first position."""
    return replace(article, text="\n".join(dedupe_paragraphs(article.text.split("\n"))))


def strip_article(article: ArticleItem) -> ArticleItem:
    """Return the article without comment blocks, widgets and header labels, and with the
    caption moved out of the text and the lead set."""
    return _with_text(article, _strip(article, article.text.split("\n")))


def fall_back(article: ArticleItem) -> tuple[ArticleItem, bool]:
    """Return the article with trafilatura's own text where cleaning kept much less than
    trafilatura finds on the whole page, cleaned of identified boilerplate the same way
    (``ingest.extraction.fallback``), and whether it was taken; the reference text is
    emptied either way, as it is never stored."""
    reference, article = article.reference_text, replace(article, reference_text="")
    if not reference:
        return article, False
    cleaned = _strip(article, dedupe_paragraphs(reference.split("\n")))
    kept = article.text.split("\n") if article.text else []
    if not should_fall_back(kept, cleaned.lines):
        return article, False
    return _with_text(article, cleaned), True


def _strip(article: ArticleItem, lines: list[str]) -> Cleaned:
    """Return ``lines`` cleaned of boilerplate with what the article knows of itself."""
    return strip_boilerplate(
        lines,
        site_rules(article.site).boilerplate,
        title=article.title,
        section=article.section,
        authors=article.authors,
        image_caption=article.image_caption,
        headings=article.headings,
    )


def _with_text(article: ArticleItem, cleaned: Cleaned) -> ArticleItem:
    return replace(
        article,
        text="\n".join(cleaned.lines),
        image_caption=cleaned.image_caption,
        lead=cleaned.lines[0] if cleaned.lines else None,
    )


def strip_learned_article(article: ArticleItem, learned: Collection[str]) -> ArticleItem:
    """Return the article without the paragraphs and title parts learned as its site's
    boilerplate (``ingest.extraction.site_boilerplate``; ``learned`` holds their digests)."""
    if not learned:
        return article
    lines = article.text.split("\n")
    kept = strip_learned(lines, learned)
    title, _ = strip_learned_title(article.title, learned)
    if len(kept) == len(lines) and title == article.title:
        return article
    return replace(article, title=title, text="\n".join(kept), lead=kept[0] if kept else None)


def clean_article(article: ArticleItem, learned: Collection[str] = ()) -> ArticleItem:
    """Run the whole cleaning chain, in the crawl's stage order."""
    article, _ = fall_back(strip_article(dedupe_article(article)))
    return strip_learned_article(article, learned)


class Rejection(enum.StrEnum):
    """Why a made article is not stored; the values are the crawl's drop reasons."""

    NOT_AN_ARTICLE = "NotAnArticle"
    TOO_SHORT = "TooShort"
    NO_TITLE = "NoTitle"


def rejection(article: ArticleItem, min_chars: int) -> tuple[Rejection, str] | None:
    """Return why the article must not be stored, with a message, or None if it may be.

    ``min_chars`` is the least text of a page that does not declare itself an article; one
    that does needs only a sentence's worth."""
    if article.page_type and article.page_type.startswith(_NON_ARTICLE_TYPES):
        return Rejection.NOT_AN_ARTICLE, f"{article.url} is a {article.page_type} page"
    if (article.page_type or "").casefold() in _DECLARED_ARTICLE_TYPES:
        min_chars = min(min_chars, _MIN_DECLARED_ARTICLE_CHARS)
    if len(article.text) < min_chars:
        return (
            Rejection.TOO_SHORT,
            f"{article.url}: {len(article.text)} characters of text after cleaning",
        )
    if not article.title:
        return Rejection.NO_TITLE, f"{article.url} has no title"
    return None
