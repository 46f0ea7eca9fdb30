"""The over-pruning safety net: the pure rule, and the pipeline stage that applies and counts it."""

from __future__ import annotations

from datetime import UTC, datetime

import trafilatura
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from ingest.extraction.article import build_article, clean_article
from ingest.extraction.extract import extract_article
from ingest.extraction.extracted import Extracted
from ingest.extraction.fallback import MIN_KEPT_SHARE, may_fall_back, should_fall_back
from ingest.items import ArticleItem
from ingest.pipelines import FallbackPipeline
from ingest.spiders.urls import UrlsSpider
from tests.conftest import FIXTURES, project_settings

BODY = [
    f"Paragraph {i}: the council voted on the new bridge, and the mayor explained the cost."
    for i in range(8)
]


def test_keeping_half_of_the_reference_is_enough():
    assert not should_fall_back(BODY[:4], BODY)
    assert should_fall_back(BODY[:3], BODY)
    assert should_fall_back([], BODY)
    assert not should_fall_back(BODY, [])


def test_a_reference_is_needed_below_half_the_page_or_without_a_paragraph():
    page_chars = 2 * sum(map(len, BODY))
    assert may_fall_back([], page_chars)
    assert may_fall_back(BODY[:-1], page_chars)
    assert not may_fall_back(BODY, page_chars)
    # As long as half the page but without a line of a sentence's length: a table.
    cells = ["1. Harbour United", "17", "32 : 2", "+61"] * 40
    assert may_fall_back(cells, sum(map(len, cells)))
    # Paragraphs in a script written without full stops are paragraphs all the same.
    thai = ["การประชุมสภาเมืองเรื่องสะพานใหม่จบลงโดยไม่มีข้อสรุปและจะประชุมอีกครั้งในสัปดาห์หน้า"] * 4
    assert not may_fall_back(thai, sum(map(len, thai)))


def test_a_text_without_a_paragraph_gives_way_to_a_reference_it_does_not_hold():
    cells = ["1. Harbour United", "17", "32 : 2", "+61"] * 40
    assert should_fall_back(cells, BODY)
    # A paragraph on our side, or none on the reference's: the longer text is not replaced.
    assert not should_fall_back([*cells, BODY[0]], BODY)
    assert not should_fall_back(cells, ["Table", "17", "32 : 2"])


URL = "https://news.example/2024/bridge"
PAGE = (
    "<html><head><title>The bridge vote</title></head><body>"
    "<nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/sport'>Sport</a></nav>"
    "<article><h1>The bridge vote</h1>"
    + "".join(f"<p>{line}</p>" for line in BODY)
    + "</article><footer>© News Example, all rights reserved, every year</footer></body></html>"
)


def test_a_page_whose_text_ours_mostly_keeps_runs_trafilatura_once():
    extracted = extract_article(PAGE, URL)
    assert extracted is not None
    assert set(BODY) <= set(extracted.lines)
    assert extracted.reference_lines == ()


def test_an_article_lost_to_pruning_comes_back_from_the_reference():
    extracted = extract_article(PAGE, URL, prune_xpath=["//article//p[position() > 1]"])
    assert extracted is not None
    assert BODY[0] in extracted.lines
    assert BODY[1] not in extracted.lines
    assert set(BODY) <= set(extracted.reference_lines)
    assert _cleaned_text(extracted, URL) == "\n".join(BODY)


def _cleaned_text(extracted: Extracted, url: str) -> str:
    """Return the text an extraction ends with after the crawl's whole cleaning chain."""
    article = build_article(
        url=url,
        site=None,
        edition=None,
        fetched_at=datetime(2025, 6, 1, tzinfo=UTC),
        extracted=extracted,
        profile=None,
    )
    return clean_article(article).text


def _article(text: list[str], reference: list[str]) -> ArticleItem:
    return ArticleItem(
        url="https://news.example/2024/bridge",
        canonical_url="https://news.example/2024/bridge",
        site="news.example",
        edition=None,
        language="en",
        section=None,
        title="The bridge vote",
        text="\n".join(text),
        fetched_at=datetime(2025, 6, 1, tzinfo=UTC),
        reference_text="\n".join(reference),
    )


def _stage() -> FallbackPipeline:
    return build_from_crawler(FallbackPipeline, get_crawler(UrlsSpider, project_settings()))


def test_text_that_lost_most_of_the_article_falls_back_and_is_counted():
    stage = _stage()
    item = stage.process_item(_article(BODY[:2], BODY))
    assert item.text == "\n".join(BODY)
    assert item.lead == BODY[0]
    assert item.reference_text == ""
    assert stage.stats.get_value("ingest/clean/fallback") == 1


def test_identified_boilerplate_in_the_reference_does_not_count_and_does_not_come_back():
    comments = ["Comments", "Please keep your comment civil; comments are moderated."]
    comments += [
        f"Reader {i} wrote a long comment about the bridge and its cost." for i in range(20)
    ]
    stage = _stage()
    item = stage.process_item(_article(BODY, BODY + comments))
    assert item.text == "\n".join(BODY)
    assert stage.stats.get_value("ingest/clean/fallback") is None
    item = stage.process_item(_article(BODY[:2], BODY + comments))
    assert item.text == "\n".join(BODY)


def test_what_pruning_identified_by_structure_does_not_count_as_lost():
    # The post's related box is three <article> teasers under a heading, together longer
    # than the post: trafilatura alone keeps them, and half of its text is not the post.
    page = (FIXTURES / "pruning" / "teaser_articles_after_post.html").read_text(encoding="utf-8")
    url = "https://catatan-banjar.example/2024/06/pasar-terapung"
    extracted = extract_article(page, url)
    assert extracted is not None
    reference = trafilatura.extract(page, url=url, include_comments=False) or ""
    assert "Musim durian" in reference
    assert sum(map(len, extracted.lines)) < MIN_KEPT_SHARE * len(reference)
    assert not any("Musim durian" in line for line in extracted.reference_lines)
    text = _cleaned_text(extracted, url)
    assert "kembali ramai sejak pagi" in text
    assert "Musim durian" not in text
