"""Boilerplate removal on extracted lines: comment blocks, widgets, header labels, captions."""

from __future__ import annotations

from ingest.extraction.boilerplate import BoilerplateRules, strip_boilerplate
from ingest.extraction.extract import extract_article
from ingest.extraction.paragraphs import dedupe_paragraphs
from ingest.profiles import RUDAW
from tests.conftest import FIXTURES
from tests.conftest import SEED_LINES as SEED

RUDAW_RULES = BoilerplateRules(RUDAW.boilerplate, RUDAW.comment_markers)
GENERIC = BoilerplateRules()
BODY = [
    "ERBIL, Kurdistan Region - Officials met in Erbil on Sunday to discuss the budget.",
    "The meeting lasted four hours and ended without an agreement, officials said.",
]


def test_seed_article_cleans_to_its_body_section_and_caption():
    cleaned = strip_boilerplate(dedupe_paragraphs(SEED), RUDAW_RULES, section="Iraq")
    assert cleaned.lines == SEED[2:24]
    assert cleaned.image_caption == SEED[1]


def test_comment_block_is_cut_without_site_rules():
    lines = [*BODY, *SEED[45:]]
    assert strip_boilerplate(lines, GENERIC).lines == BODY


def test_arabic_comment_block_is_cut():
    lines = [
        *BODY,
        "التعليقات",
        "يراقب موقع روداو جميع التعليقات المنشورة على موقعنا.",
        "أضف تعليقاً",
        "مطلوب",
    ]
    assert strip_boilerplate(lines, GENERIC).lines == BODY


def test_sorani_comment_block_is_cut():
    lines = [
        *BODY,
        "کۆمێنتەکان",
        "ڕووداو هەموو ئەو کۆمێنتانە کۆنتڕۆڵ دەکات کە دەنێردرێن.",
        "کۆمێنتێک بنووسە",
    ]
    assert strip_boilerplate(lines, GENERIC).lines == BODY


def test_a_line_saying_comments_inside_the_body_is_kept():
    lines = [BODY[0], "Comments", BODY[1]]
    assert strip_boilerplate(lines, GENERIC).lines == lines


def test_widgets_and_share_bars_are_removed():
    lines = ["A+ A-", BODY[0], "Share Facebook Twitter WhatsApp", BODY[1], "Required"]
    assert strip_boilerplate(lines, GENERIC).lines == BODY


def test_copyright_and_credit_notices_are_removed_in_any_language():
    notices = [
        "© Oli Scarff/Getty Images",
        "© 2004 - 2020 Nala Löwenkönigin",
        "Copyright © 2019 Dow Jones & Company, Inc. All Rights Reserved",
        "© dpa | Kay Nietfeld",
    ]
    # A credit run into the paragraph after it (no line break in the page) is too long to be
    # a notice: it holds the paragraph, which stays.
    run_in = "© Hafen Nord (Pressedienst) - " + " ".join(["Der Hafen wächst weiter."] * 25)
    lines = [BODY[0], notices[0], BODY[1], *notices[1:], run_in]
    assert strip_boilerplate(lines, GENERIC).lines == [*BODY, run_in]


def test_header_lines_above_the_body_are_removed():
    lines = ["Kurdistan", "Budget talks stall", "24-07-2024", "By Karwan Faidhi Dri", *BODY]
    cleaned = strip_boilerplate(lines, GENERIC, title="Budget talks stall", section="Kurdistan")
    assert cleaned.lines == BODY


def test_a_byline_with_a_role_above_the_body_is_removed_and_the_name_in_a_sentence_kept():
    sentence = "Robert Burns said on Monday that the talks would go on in Hanoi next week."
    lines = ["Robert Burns, AP National Security Writer", "Updated", sentence, *BODY]
    cleaned = strip_boilerplate(lines, GENERIC, authors=["Robert Burns"])
    assert cleaned.lines == [sentence, *BODY]


def test_caption_line_moves_out_of_the_text():
    caption = "Officials in Erbil on Sunday. Photo: Rudaw"
    cleaned = strip_boilerplate([caption, *BODY], GENERIC)
    assert cleaned.lines == BODY
    assert cleaned.image_caption == caption


def test_known_caption_is_removed_even_without_a_credit():
    caption = "Iraqi Prime Minister Mohammed Shia al-Sudani in Baghdad on Monday"
    cleaned = strip_boilerplate([BODY[0], caption, BODY[1]], GENERIC, image_caption=caption)
    assert cleaned.lines == BODY
    assert cleaned.image_caption == caption


def test_site_rules_remove_read_more_lines():
    from ingest.profiles import KURDISTAN24

    rules = BoilerplateRules(KURDISTAN24.boilerplate, KURDISTAN24.comment_markers)
    lines = [BODY[0], "Read More: Erbil and Baghdad agree on salaries", BODY[1]]
    assert strip_boilerplate(lines, rules).lines == BODY


def test_a_salutation_above_the_body_is_not_a_label():
    # "Notes" above the body is a label; "Dear readers," opens the letter that is the body.
    page = (FIXTURES / "pruning" / "letter_opening_with_salutation.html").read_text(
        encoding="utf-8"
    )
    extracted = extract_article(page, "https://workshop-notes.example/goodbye")
    assert extracted is not None
    lines = strip_boilerplate(list(extracted.lines), GENERIC, title=extracted.title).lines
    assert lines[0] == "Dear readers,"
    assert lines[1].startswith("seven years ago I started this blog")


def test_a_phrase_with_a_comma_above_the_body_is_not_a_label():
    # "Enchufla" names the page's section; "Platzwechsel, langsam erklärt" is the subtitle
    # the article opens with, three words like a label but a phrase.
    lines = ["Enchufla", "Platzwechsel, langsam erklärt", *BODY]
    assert strip_boilerplate(lines, GENERIC).lines == lines[1:]


def test_a_subheading_that_opens_the_body_is_not_a_label():
    # "Künstlerischer Lebenslauf" is as short as a section label, but it is printed as the
    # heading of the body's first part.
    page = (FIXTURES / "pruning" / "subheading_opens_body.html").read_text(encoding="utf-8")
    extracted = extract_article(page, "https://zwei-am-klavier.example/ueber-uns/")
    assert extracted is not None
    assert "Künstlerischer Lebenslauf" in extracted.headings
    lines = strip_boilerplate(
        list(extracted.lines), GENERIC, title=extracted.title, headings=extracted.headings
    ).lines
    assert lines[0] == "Künstlerischer Lebenslauf"
    assert "Auszeichnungen" in lines


def test_a_section_label_printed_as_a_heading_is_still_a_label():
    # "News" is printed as a heading too, but over the byline, not over the body's prose.
    lines = ["News", "By Jane Roe", *BODY]
    assert strip_boilerplate(lines, GENERIC, headings={"News"}).lines == BODY


def test_a_caption_that_is_all_the_page_holds_stays_its_text():
    # The story's body is loaded by a script; the page as served holds its lead photo's
    # caption and nothing else. Moved out, it would leave an empty text and lose the article.
    caption = "Taiwanese President Tsai Ing-wen speaks during a televised policy debate in Taipei."
    cleaned = strip_boilerplate([caption], GENERIC, image_caption=caption)
    assert cleaned.lines == [caption]
    assert cleaned.image_caption == caption
    # Beside a body, the same caption goes.
    assert strip_boilerplate([*BODY, caption], GENERIC, image_caption=caption).lines == BODY
