"""justext's stoplists held once: the same words, and trafilatura's fallback reading them."""

from __future__ import annotations

import pytest
import trafilatura.external
from justext.core import define_stoplist
from lxml import html

import ingest.extraction.extract  # noqa: F401 - installs the stand-in, as a worker does
from ingest.extraction.stoplists import AllStoplists
from tests.conftest import FIXTURES

PAGES = sorted((FIXTURES / "pages").glob("*.html"))


@pytest.fixture
def trafilaturas_own_tuple():
    """trafilatura's own JT_STOPLIST for the test's length, the stand-in back afterwards."""
    stand_in = trafilatura.external.JT_STOPLIST
    trafilatura.external.JT_STOPLIST = None
    try:
        yield trafilatura.external.jt_stoplist_init()
    finally:
        trafilatura.external.JT_STOPLIST = stand_in


def test_the_stand_in_holds_the_words_trafilatura_gathers(trafilaturas_own_tuple):
    assert define_stoplist(AllStoplists()) == define_stoplist(trafilaturas_own_tuple)
    assert len(define_stoplist(AllStoplists())) > 100_000


def _justext_paragraphs(page: str) -> list[str]:
    body = trafilatura.external.try_justext(html.fromstring(page), None, None)
    return [p.text for p in body]


def test_trafilaturas_justext_fallback_reads_the_stand_in():
    stand_in = trafilatura.external.JT_STOPLIST
    assert isinstance(stand_in, AllStoplists)
    kept = [_justext_paragraphs(page.read_text(encoding="utf-8")) for page in PAGES]
    # trafilatura used the stand-in rather than build its tuple beside it.
    assert trafilatura.external.JT_STOPLIST is stand_in
    assert sum(map(len, kept)) > len(PAGES)


def test_justext_keeps_the_same_paragraphs_with_either(trafilaturas_own_tuple):
    pages = [page.read_text(encoding="utf-8") for page in PAGES]
    with_tuple = [_justext_paragraphs(page) for page in pages]
    trafilatura.external.JT_STOPLIST = AllStoplists()
    assert [_justext_paragraphs(page) for page in pages] == with_tuple
