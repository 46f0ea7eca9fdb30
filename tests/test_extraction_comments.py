"""Comment sections found by their structure: the form or comment list, never the article."""

from __future__ import annotations

from lxml import html

from ingest.extraction.comments import comment_sections

ARTICLE = "".join(
    f"<p>Paragraph {n} of the article, long enough to be read as the story's own text.</p>"
    for n in range(6)
)


def _sections(page: str) -> list[str]:
    tree = html.document_fromstring(page)
    return [el.get("id") for el in comment_sections(tree, max_share=0.4)]


def test_section_is_the_widest_container_without_the_article():
    page = (
        f"<html><body><div id='page'><h1>Title</h1><div id='body'>{ARTICLE}</div>"
        "<div id='talk'><h3>Over to you</h3><p>We read everything first.</p>"
        "<div id='field'><textarea></textarea></div></div></div></body></html>"
    )
    assert _sections(page) == ["talk"]


def test_page_wide_form_is_not_the_section():
    page = (
        f"<html><body><form id='aspnetForm'><h1>Title</h1><div id='body'>{ARTICLE}</div>"
        "<div id='talk'><p>Say something.</p><textarea></textarea></div></form></body></html>"
    )
    assert _sections(page) == ["talk"]


def test_form_inside_the_article_body_goes_alone():
    page = (
        f"<html><body><h1>Title</h1><div id='body'>{ARTICLE}"
        "<form id='reply'><textarea></textarea></form></div></body></html>"
    )
    assert _sections(page) == ["reply"]


def test_comment_list_without_a_form_is_found_by_its_microdata():
    page = (
        f"<html><body><article><h1>Title</h1><div>{ARTICLE}</div></article>"
        "<section id='thread'><h2>12</h2><div itemscope itemtype='https://schema.org/Comment'>"
        "<p>First!</p></div></section></body></html>"
    )
    assert _sections(page) == ["thread"]


def test_page_without_a_textarea_or_comment_list_has_no_section():
    page = f"<html><body><h1>Title</h1><form id='search'><input></form>{ARTICLE}</body></html>"
    assert _sections(page) == []


def test_heading_without_a_form_anchors_the_container_it_heads():
    # The form is built by script (or the thread is closed): its heading and policy are left.
    page = (
        f"<html><body><div id='page'><h1>Title</h1><div id='body'>{ARTICLE}</div>"
        "<div id='talk'><h4>التعليقات</h4><p>We read every comment before it is published.</p>"
        "</div></div></body></html>"
    )
    assert _sections(page) == ["talk"]


def test_heading_among_the_article_paragraphs_is_no_section():
    # No container of its own tells the section's extent: the line cleaning cuts there.
    page = (
        f"<html><body><h1>Title</h1><div id='body'>{ARTICLE}<h3 id='heading'>Comments</h3>"
        "<p>Be kind.</p></div></body></html>"
    )
    assert _sections(page) == []
