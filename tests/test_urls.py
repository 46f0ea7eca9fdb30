"""The URL normal form: the variants of one page's address are one key, different pages are not."""

from __future__ import annotations

import pytest

from ingest.urls import is_page_url, normalise_url

CLEAN = "https://www.rudaw.net/english/sports/200720242"


@pytest.mark.parametrize(
    "variant",
    [
        CLEAN,
        CLEAN + "/",
        CLEAN + "?utm_source=rss&utm_medium=feed&utm_campaign=english",
        CLEAN + "/?fbclid=IwAR0abc#comments",
        CLEAN + "?gclid=Cj0KCQ",
        "HTTPS://WWW.Rudaw.NET:443/english/sports/200720242",
        "  " + CLEAN + "#top\n",
    ],
)
def test_variants_of_one_address_share_its_normal_form(variant):
    assert normalise_url(variant) == CLEAN


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # Parameters that select content stay, in one order; trackers among them go.
        (
            "https://www.rudaw.net/sorani/news?page=2&CategoryID=412627&utm_source=x",
            "https://www.rudaw.net/sorani/news?CategoryID=412627&page=2",
        ),
        (
            "https://www.kurdistan24.net/en/news/?page=1",
            "https://www.kurdistan24.net/en/news?page=1",
        ),
        # The site root keeps its slash; a non-default port stays.
        ("https://www.rudaw.net", "https://www.rudaw.net/"),
        ("http://127.0.0.1:8123/english/", "http://127.0.0.1:8123/english"),
        ("http://www.rudaw.net:443/english", "http://www.rudaw.net:443/english"),
        # One percent-encoding for non-ASCII paths, whichever way the link was written.
        (
            "https://www.rudaw.net/sorani/هەواڵ",
            "https://www.rudaw.net/sorani/%D9%87%DB%95%D9%88%D8%A7%DA%B5",
        ),
        (
            "https://www.rudaw.net/sorani/%d9%87%db%95%d9%88%d8%a7%da%b5",
            "https://www.rudaw.net/sorani/%D9%87%DB%95%D9%88%D8%A7%DA%B5",
        ),
    ],
)
def test_normal_form(url, expected):
    assert normalise_url(url) == expected


@pytest.mark.parametrize("tail", ["/?utm_source=rss#x", "/.", "/./", "/x/..", "/x/../"])
def test_normal_form_is_stable(tail):
    # A dot segment resolved to a trailing slash must not leave it: one key, whatever the form.
    once = normalise_url(CLEAN + tail)
    assert once == normalise_url(CLEAN)
    assert normalise_url(once) == once


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.kurdistan24.net/en/section/14/middle-east", True),
        ("https://www.rudaw.net/english/news?CategoryID=1&page=2", True),
        ("https://www.rudaw.net/english/page.aspx", True),
        ("https://www.rudaw.net/uploads/2024/07/photo.jpg", False),
        ("https://www.rudaw.net/files/report.pdf", False),
        ("https://www.rudaw.net/english/contact", False),
        ("https://www.rudaw.net/english/login", False),
        ("https://www.rudaw.net/feed", False),
    ],
)
def test_page_urls_are_told_from_files_and_service_pages(url, expected):
    assert is_page_url(url) is expected
