"""Rudaw's own page data: the article record its current (Next.js) pages stream."""

from __future__ import annotations

from lxml import html

from ingest.extraction.metadata import PageMetadata, read_metadata
from ingest.profiles import RUDAW
from ingest.sites.rudaw import read_next_flight
from tests.conftest import SITES

CURRENT = SITES / "rudaw" / "english" / "categories" / "syria" / "1079288.html"


def test_next_flight_record_fills_every_gap():
    meta = PageMetadata()
    read_next_flight(html.fromstring(CURRENT.read_bytes()), meta)
    assert meta.title == "SDF and Damascus hold new round of talks on integration deal"
    assert meta.section == "Syria"
    assert meta.published == "2026-01-12T10:20:00"
    assert meta.image_url == "/uploads/2026/01/12/sdf-damascus-talks.jpg"
    assert meta.authors == ["Rudaw"]


def test_next_flight_record_never_overrides_the_pages_own_metadata():
    meta = PageMetadata(title="Own title", section="Own section", authors=["A Person"])
    read_next_flight(html.fromstring(CURRENT.read_bytes()), meta)
    assert (meta.title, meta.section, meta.authors) == ("Own title", "Own section", ["A Person"])


def test_the_profile_runs_the_reader_and_generic_reading_does_not():
    tree = html.fromstring(CURRENT.read_bytes())
    # The page's og tags give no author; only the streamed record does.
    assert read_metadata(tree).authors != ["Rudaw"]
    assert read_metadata(tree, RUDAW.page_readers).authors == ["Rudaw"]


def test_a_page_without_next_data_is_left_alone():
    meta = PageMetadata()
    read_next_flight(html.fromstring("<html><body><script>var x = 1;</script></body></html>"), meta)
    assert meta == PageMetadata()
