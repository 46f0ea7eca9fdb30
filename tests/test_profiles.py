"""Site profiles: URL classification, editions, re-rooting, section labels."""

from __future__ import annotations

import pytest

from ingest.profiles import KURDISTAN24, PROFILES, RUDAW, reroot

R = "https://www.rudaw.net"


@pytest.mark.parametrize(
    "path",
    [
        "/english/middleeast/iraq/260820204",
        "/english/kurdistan/18022026",
        "/sorani/sports/260620241",
        "/turkish/middleeast/turkey/220620258",
        "/english/middleeast/iraq/260820204-amp",
        "/english/categories/syria/1079288",
        "/sorani/categories/health/1861792",
    ],
)
def test_rudaw_article_urls_of_both_generations(path):
    assert RUDAW.is_article(R + path)
    assert not RUDAW.is_listing(R + path)


@pytest.mark.parametrize(
    "path",
    [
        "/english/onair/tv/live",
        "/english/tags/iraq",
        "/english/authors/karwan-faidhi-dri",
        "/english/videos/12072024",
        "/english/search?q=iraq",
        "/english/latest-news",
        "/english/rss",
        "/english",
    ],
)
def test_rudaw_non_article_urls(path):
    assert not RUDAW.is_article(R + path)


@pytest.mark.parametrize(
    "path",
    [
        "/english",
        "/english/latest-news?page=2",
        "/english/middleeast/iraq",
        "/sorani/news?CategoryID=412627",
    ],
)
def test_rudaw_listing_urls(path):
    assert RUDAW.is_listing(R + path)


def test_edition_of_a_url():
    assert RUDAW.edition_for(R + "/sorani/categories/health/1861792").language == "ckb"
    assert RUDAW.edition_for(R + "/englishman/x") is None


def test_reroot_moves_only_the_sites_own_urls():
    assert (
        reroot(R + "/english/rss?a=1", "http://127.0.0.1:8000", RUDAW)
        == "http://127.0.0.1:8000/english/rss?a=1"
    )
    assert (
        reroot("https://example.com/x", "http://127.0.0.1:8000", RUDAW) == "https://example.com/x"
    )
    assert reroot("https://rudaw.net/english", "http://127.0.0.1:8000/mirror/", RUDAW) == (
        "http://127.0.0.1:8000/mirror/english"
    )


def test_section_label_from_url():
    assert RUDAW.section_from_url(R + "/english/middleeast/iraq/260820204") == "Iraq"
    assert RUDAW.section_from_url(R + "/english/middleeast/130520241") == "Middle East"
    assert RUDAW.section_from_url(R + "/english/categories/syria/1079288") == "Syria"


def test_kurdistan24_story_urls():
    assert KURDISTAN24.is_article("https://www.kurdistan24.net/en/story/383210/erbil-and-baghdad")
    assert not KURDISTAN24.is_article("https://www.kurdistan24.net/en/news?page=2")
    assert KURDISTAN24.is_listing("https://www.kurdistan24.net/en/news?page=2")


def test_every_profile_has_editions_and_article_patterns():
    for profile in PROFILES.values():
        assert profile.editions and profile.article_patterns and profile.domains
