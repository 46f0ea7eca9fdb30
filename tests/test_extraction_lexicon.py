"""One lexicon per language, joined: every language's furniture words are matched on any page."""

from __future__ import annotations

import pytest

from ingest.extraction.lexicon import (
    AUTHOR_PREFIX_RE,
    COMMENT_HEADING_RE,
    PHOTO_CREDIT_RE,
    READ_MORE_RE,
    RELATED_HEADING_RE,
    WIDGET_LINE_RE,
)


@pytest.mark.parametrize(
    ("pattern", "line"),
    [
        (COMMENT_HEADING_RE, "3 Comments"),
        (COMMENT_HEADING_RE, "لێدوانەکان"),
        (COMMENT_HEADING_RE, "التعليقات:"),
        (COMMENT_HEADING_RE, "Şîrove"),
        (COMMENT_HEADING_RE, "Yorumlar"),
        (WIDGET_LINE_RE, "Share this article Facebook | X | WhatsApp"),
        (WIDGET_LINE_RE, "A+ A-"),
        (WIDGET_LINE_RE, "پێویستە"),
        (WIDGET_LINE_RE, "Paylaş"),
        (READ_MORE_RE, "Read more: Erbil opens a new library"),
        (READ_MORE_RE, "اقرأ أيضاً: افتتاح سوق جديد"),
        (RELATED_HEADING_RE, "Also in Iraq"),
        (RELATED_HEADING_RE, "Herwiha di beşa Çandê de"),
        (READ_MORE_RE, "Lesen Sie auch: Neue Brücke über den Rhein eröffnet"),
        (READ_MORE_RE, "VEA TAMBIÉN: Nueva línea de metro en la capital"),
        (READ_MORE_RE, "Czytaj także: Nowy most w Gdańsku"),
        (RELATED_HEADING_RE, "Ähnliche Beiträge"),
        (RELATED_HEADING_RE, "NOTAS RELACIONADAS"),
        (RELATED_HEADING_RE, "Sur le même sujet"),
        (PHOTO_CREDIT_RE, "Workers repair a line in Erbil. Photo: Rudaw"),
        (PHOTO_CREDIT_RE, "کرێکاران لە هەولێر. وێنە: ڕووداو"),
        (PHOTO_CREDIT_RE, "Erbil'de işçiler. Fotoğraf: Rudaw"),
    ],
)
def test_each_language_is_matched(pattern, line):
    assert pattern.search(line)


@pytest.mark.parametrize(
    ("pattern", "line"),
    [
        (COMMENT_HEADING_RE, "Comments by the minister were criticised on Monday."),
        (WIDGET_LINE_RE, "Name the street after him, the council said."),
        (READ_MORE_RE, "Read more"),
        (READ_MORE_RE, "Mirador de la ciudad: abre el nuevo parque"),
        (PHOTO_CREDIT_RE, "The imagery: satellites show the damage."),
    ],
)
def test_text_that_only_shares_a_word_is_not_matched(pattern, line):
    assert not pattern.search(line)


def test_byline_and_author_prefixes():
    assert AUTHOR_PREFIX_RE.sub("", "By Dr. Sherko Jamal Aziz") == "Dr. Sherko Jamal Aziz"
    assert AUTHOR_PREFIX_RE.sub("", "بقلم سامان") == "سامان"
    assert AUTHOR_PREFIX_RE.sub("", "From Reuters") == "Reuters"
    assert AUTHOR_PREFIX_RE.sub("", "Von: Anna Schmidt") == "Anna Schmidt"
    assert AUTHOR_PREFIX_RE.sub("", "Byron Smith") == "Byron Smith"
