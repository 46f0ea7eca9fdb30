"""The over-pruning safety net: the pure rule, and the pipeline stage that applies and counts it."""

from __future__ import annotations

from datetime import UTC, datetime

from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from ingest.extraction.fallback import should_fall_back
from ingest.items import ArticleItem
from ingest.pipelines import FallbackPipeline
from ingest.spiders.urls import UrlsSpider
from tests.conftest import project_settings

BODY = [
    f"Paragraph {i}: the council voted on the new bridge, and the mayor explained the cost."
    for i in range(8)
]


def test_keeping_half_of_the_reference_is_enough():
    assert not should_fall_back(BODY[:4], BODY)
    assert should_fall_back(BODY[:3], BODY)
    assert should_fall_back([], BODY)
    assert not should_fall_back(BODY, [])


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
