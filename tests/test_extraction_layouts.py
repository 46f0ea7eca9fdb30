"""Rudaw-style pages in layouts the site profiles were not written for, one test per field.

Each ``tests/fixtures/pages/<name>.html`` is a page as a site might serve it; ``<name>.json``
holds its URL and the expected fields. They cover markup no fixture site uses: Bootstrap 3
``visible-xs``/``hidden-xs`` copies, a WordPress comment form, a related box that is a bare
heading and list, mobile/desktop copies with a truncated twin, a caption in a plain paragraph,
a section only in JSON-LD breadcrumbs or in a breadcrumb trail; ``comments_unlisted_*``:
comment blocks in English, Sorani, Arabic, Kurmanci and Turkish whose wording, classes and ids
say nothing a word list knows (one a schema.org comment list, one inside an ASP.NET page-wide
``<form>``); ``repeats_meal_plan_summary``: a meal plan whose lines come back on other days
(kept) next to the lead printed twice and a "more" copy of the last paragraph (dropped).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from ingest.items import PageItem
from ingest.profiles import profile_for_url
from tests.conftest import FIXTURES, run_stages

PAGES = FIXTURES / "pages"
CASES = {
    path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(PAGES.glob("*.json"))
}
FIELDS = (
    "title",
    "section",
    "authors",
    "published_at",
    "language",
    "image_url",
    "image_caption",
    "tags",
    "lead",
    "text",
)


@pytest.fixture(scope="module")
def results():
    processed = {}
    for name, expected in CASES.items():
        url = expected["url"]
        profile = profile_for_url(url)
        edition = profile.edition_for(url) if profile else None
        item = PageItem(
            url=url,
            requested_url=url,
            status=200,
            body=(PAGES / f"{name}.html").read_bytes(),
            content_type="text/html",
            fetched_at=datetime(2025, 6, 1, tzinfo=UTC),
            site=profile.key if profile else None,
            edition=edition.key if edition else None,
            found_via="list",
        )
        processed[name] = run_stages(item)
    return processed


@pytest.mark.parametrize(("name", "field"), [(n, f) for n in CASES for f in FIELDS])
def test_layout_field(results, name, field):
    value = getattr(results[name], field)
    if isinstance(value, datetime):
        value = value.isoformat().replace("+00:00", "Z")
    assert value == CASES[name][field]


def test_no_comment_or_widget_text_survives(results):
    for item in results.values():
        for fragment in (
            "moderates",
            "Required",
            "Share on",
            "Also in",
            "التعليقات",
            "مطلوب",
            "Post a comment",
            # Comment blocks in wording no word list has, found by their form or comment list.
            "Have your say",
            "ڕای خۆت بڵێ",
            "ما رأيك",
            "Nêrîna te",
            "Düşünceniz",
            "editors read",
            "فريق التحرير",
        ):
            assert fragment not in item.text
