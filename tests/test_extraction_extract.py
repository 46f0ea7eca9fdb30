"""extract_article on small inline pages: what any page must get through, whatever its markup."""

from __future__ import annotations

from ingest.extraction.decode import decode_html
from ingest.extraction.extract import extract_article

_PARAGRAPHS = "".join(
    f"<p>Paragraph {i} of the story says something about the river and the town council.</p>"
    for i in range(6)
)
XHTML = (
    '<?xml version="1.0" encoding="iso-8859-1"?>\n'
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN"'
    ' "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
    '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="de"><head>'
    "<title>Bootsdienst: Ausbildung</title></head>"
    f"<body><article><h1>Ausbildung am Fluss</h1>{_PARAGRAPHS}<p>Grüße aus Oldenburg.</p>"
    "</article></body></html>"
)


def test_xhtml_page_with_xml_declaration_is_parsed():
    page = decode_html(XHTML.encode("iso-8859-1"), "application/xhtml+xml")
    extracted = extract_article(page, "https://example.org/ausbildung.html")
    assert extracted is not None
    assert "Grüße aus Oldenburg." in extracted.lines
    assert extracted.language == "de"


def test_xml_declaration_after_a_byte_order_mark_is_parsed():
    extracted = extract_article("\ufeff" + XHTML, "https://example.org/ausbildung.html")
    assert extracted is not None
    assert extracted.lines[-1] == "Grüße aus Oldenburg."


def _story_with(inline: str) -> str:
    paragraphs = [
        f"<p>Paragraph {n} of the report: the ministry said the new plant would supply"
        f" {n + 2} districts with water from next spring.</p>"
        for n in range(5)
    ]
    paragraphs.insert(2, inline)
    return (
        "<html><head><title>Water plant opens</title></head><body><article>"
        f"<h1>Water plant opens</h1>{''.join(paragraphs)}</article></body></html>"
    )


def test_inline_teasers_are_told_by_their_shape_in_any_wording():
    # Labels in no word list: a short label, then one link whose text is another headline.
    for inline, headline in (
        (
            (
                '<p><b>LE PUEDE INTERESAR: <a href="/honduras/ficha-1">La ficha del expresidente'
                " en la cárcel de Nueva York</a></b></p>"
            ),
            "La ficha del expresidente",
        ),
        (
            (
                '<p><strong>Auch spannend »</strong> <a href="https://example.org/a/2">So viel'
                " Wasser verbraucht eine Stadt im Sommer</a></p>"
            ),
            "So viel Wasser",
        ),
        (
            (
                '<div><em>داستانی دیگر:</em> <a href="/fa/3">سد جدید در شمال کشور آب شرب'
                " را تأمین می‌کند</a></div>"
            ),
            "سد جدید",
        ),
    ):
        extracted = extract_article(_story_with(inline), "https://example.org/a/1")
        assert extracted is not None
        text = "\n".join(extracted.lines)
        assert headline not in text, inline
        assert sum(line.startswith("Paragraph") for line in extracted.lines) == 5


def test_a_paragraph_that_links_within_its_sentence_is_kept():
    inline = (
        '<p>The ministry published <a href="/report.pdf">the full report on the water plant'
        "</a> on Monday, with figures for every district it will supply.</p>"
    )
    extracted = extract_article(_story_with(inline), "https://example.org/a/1")
    assert extracted is not None
    assert any(
        line.startswith("The ministry published the full report") for line in extracted.lines
    )


def test_a_heading_over_links_to_other_pages_is_a_related_box_in_any_wording():
    box = (
        "<div><h3>Nie przegap</h3><ul>"
        '<li><a href="/a/7">Nowa oczyszczalnia w Gdańsku gotowa przed zimą</a></li>'
        '<li><a href="/a/8">Ceny wody w regionie wzrosną od stycznia o dziesięć procent</a></li>'
        "</ul></div>"
    )
    extracted = extract_article(_story_with(box), "https://example.org/a/1")
    assert extracted is not None
    text = "\n".join(extracted.lines)
    assert "Nie przegap" not in text
    assert "oczyszczalnia" not in text
    assert sum(line.startswith("Paragraph") for line in extracted.lines) == 5


def test_a_section_heading_over_paragraphs_is_kept():
    section = "<h2>What the plant will cost</h2>"
    extracted = extract_article(_story_with(section), "https://example.org/a/1")
    assert extracted is not None
    assert "What the plant will cost" in extracted.lines
