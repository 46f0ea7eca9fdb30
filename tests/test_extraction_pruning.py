"""Pruning before trafilatura: furniture goes by what it is, not by a word in its class name.

Each ``tests/fixtures/pruning/<name>.html`` shows one structure that a name-only rule gets
wrong; the tests name what must and must not be in the extracted text.
"""

from __future__ import annotations

from ingest.extraction.extract import extract_article
from tests.conftest import FIXTURES

PAGES = FIXTURES / "pruning"


def _text(name: str, url: str) -> str:
    extracted = extract_article((PAGES / f"{name}.html").read_text(encoding="utf-8"), url)
    assert extracted is not None
    return "\n".join(extracted.lines)


def test_paragraphs_whose_class_names_a_typeface_are_the_article():
    # Every paragraph wears "font-serif"; a furniture-named box beside them still goes.
    text = _text("paragraph_class_font", "https://courier.example/news/ferry-returns")
    for fragment in (
        "The harbour ferry resumed its crossings",
        "Engineers replaced both propeller shafts",
        "Fares stay at last year's prices",
    ):
        assert fragment in text
    assert "morning briefing" not in text
    assert "A+" not in text
    assert "Share" not in text


def test_a_form_that_wraps_the_description_is_not_furniture():
    # A shop's order form holds the product's text; a sign-up form in the sidebar is furniture.
    text = _text("product_form", "https://nadel-und-faden.example/schal-monogramm")
    assert "Der Schal ist aus weicher Merinowolle gestrickt" in text
    assert "Jeder Schal wird einzeln gefertigt" in text
    assert "Neuigkeiten aus der Werkstatt" not in text


def test_a_related_heading_among_the_paragraphs_goes_with_its_link_list():
    # The heading has no box of its own; the bare list of headlines after it is the box's.
    text = _text("related_list_in_body", "https://courier.example/news/bridge-reopens")
    assert "The old bridge over the river reopened" in text
    assert "The repairs cost less than planned" in text
    assert "Ferry fares stay the same" not in text
    assert "New bus lanes open downtown" not in text
    assert "Also on the river" not in text


def test_an_aside_left_open_around_the_article_keeps_the_article():
    # The sidebar's <aside> is never closed, so the parser puts the article (its paragraphs
    # and its <h1>) inside it; trafilatura drops every aside.
    text = _text("article_in_unclosed_aside", "https://port-gazette.example/news/cranes")
    assert "spare parts for them were no longer made" in text
    assert "runs on electricity from the quay's own grid" in text
    assert "Dock workers were trained on the new controls" in text
    assert "Your daily news from the harbour" not in text


def test_sentences_that_end_in_a_link_are_not_teasers():
    # A link that carries on the sentence (lower case) or is closed by a full stop or "!" is
    # part of the article's text; a label over a headline link alone is a teaser.
    text = _text("sentences_with_links", "https://trade-weekly.example/news/new-head-of-press")
    assert "Anna Berg replaced Tom Hale, who for eight months had combined the role" in text
    assert "Read our guide to press releases here!" in text
    assert "Flour prices rise again" not in text
