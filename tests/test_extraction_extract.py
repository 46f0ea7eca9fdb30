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
