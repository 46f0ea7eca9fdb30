"""Pruning before trafilatura: furniture goes by what it is, not by a word in its class name.

Each ``tests/fixtures/pruning/<name>.html`` shows one structure that a name-only rule gets
wrong; each case names what must and must not be in the extracted text.
"""

from __future__ import annotations

import pytest

from ingest.extraction.extract import _Address, _parse, _prune, extract_article
from tests.conftest import FIXTURES

PAGES = FIXTURES / "pruning"

# (fixture, URL, text kept, text dropped), with why the page is built that way.
CASES = [
    # Every paragraph wears "font-serif", a subheading "font-weight-bold": utility classes
    # that style text. The text-size control ("A- A+") and a furniture-named box still go.
    (
        "paragraph_class_font",
        "https://courier.example/news/ferry-returns",
        (
            "The harbour ferry resumed its crossings",
            "Engineers replaced both propeller shafts",
            "What changes for passengers",
            "Fares stay at last year's prices",
        ),
        ("morning briefing", "A+", "Share"),
    ),
    # A shop's order form holds the product's text; a sign-up form in the sidebar is furniture.
    (
        "product_form",
        "https://nadel-und-faden.example/schal-monogramm",
        ("Der Schal ist aus weicher Merinowolle gestrickt", "Jeder Schal wird einzeln gefertigt"),
        ("Neuigkeiten aus der Werkstatt",),
    ),
    # The heading has no box of its own; the bare list of headlines after it is the box's.
    (
        "related_list_in_body",
        "https://courier.example/news/bridge-reopens",
        ("The old bridge over the river reopened", "The repairs cost less than planned"),
        ("Ferry fares stay the same", "New bus lanes open downtown", "Also on the river"),
    ),
    # The sidebar's <aside> is never closed, so the parser puts the article (its paragraphs
    # and its <h1>) inside it; trafilatura drops every aside.
    (
        "article_in_unclosed_aside",
        "https://port-gazette.example/news/cranes",
        (
            "spare parts for them were no longer made",
            "runs on electricity from the quay's own grid",
            "Dock workers were trained on the new controls",
        ),
        ("Your daily news from the harbour",),
    ),
    # A link that carries on the sentence (lower case) or is closed by a full stop or "!" is
    # part of the article's text; a label over a headline link alone is a teaser.
    (
        "sentences_with_links",
        "https://trade-weekly.example/news/new-head-of-press",
        (
            "Anna Berg replaced Tom Hale, who for eight months had combined the role",
            "Read our guide to press releases here!",
        ),
        ("Flour prices rise again",),
    ),
    # A blog's related box: a heading (in words no lexicon holds) over <article> teasers of
    # other posts, each a long excerpt; the box is the post's sibling, not inside it.
    (
        "teaser_articles_after_post",
        "https://catatan-banjar.example/2024/06/pasar-terapung",
        ("Pasar terapung di Sungai Martapura kembali ramai", "pembeli menawar dari perahu"),
        ("Barangkali kamu juga suka", "Jembatan baru", "Musim durian", "Festival perahu"),
    ),
    # Other stories' headlines in the body: a paragraph that is one link to another page of
    # the site, a heading with a label and one, a paragraph of several, and a box of them
    # with its label. A sentence carried on by a link, a paragraph linking to another site
    # (a source) and one whose link is no address at all ("http://[…") stay.
    (
        "headline_links_in_body",
        "https://www.diariodelpuerto.example/economia/muelle-norte-2024?utm_source=rss",
        (
            "que subieron en enero por primera vez",
            "Los planos de la obra, en la web del puerto",
            "Informe Anual de Tráfico Portuario 2023",
            "Las obras empezarán en primavera",
        ),
        (
            "La grúa más grande",
            "astillero",
            "NO TE PIERDAS",
            "paseo marítimo",
            "regata de otoño",
            "[VÍDEO]",
            "Te puede gustar",
            "faro restaurado",
            "mercado de pescado",
        ),
    ),
]


@pytest.mark.parametrize(("name", "url", "kept", "dropped"), CASES, ids=[c[0] for c in CASES])
def test_pruning_keeps_the_article_and_drops_the_furniture(name, url, kept, dropped):
    extracted = extract_article((PAGES / f"{name}.html").read_text(encoding="utf-8"), url)
    assert extracted is not None
    text = "\n".join(extracted.lines)
    for fragment in kept:
        assert fragment in text
    for fragment in dropped:
        assert fragment not in text


# Structures that trafilatura leaves out by itself on a fixture page this short, so that what
# pruning does with them is read from the pruned tree: (fixture, URL, kept, removed).
PRUNED_TREE_CASES = [
    # The press coverage the page is about: a heading over links to PDFs and to other sites.
    # "À lire aussi" over links to other pages of the site is a related box.
    (
        "press_links_under_heading",
        "https://syndicat-du-livre.example/caisse-de-solidarite/",
        ("On parle de la caisse", "Comment seront redistribués", "quel coût"),
        ("À lire aussi", "Assemblée générale", "nouveau bureau"),
    ),
    # App store badges under a heading that announces them: the heading would be a line of
    # text announcing nothing.
    (
        "headline_links_in_body",
        "https://www.diariodelpuerto.example/economia/muelle-norte-2024",
        ("Las obras empezarán en primavera",),
        ("Lea el Diario del Puerto en su móvil",),
    ),
    # A heading, a line under it and one link to a section of the site, after the article
    # ("Entdecke weitere Porträts … Mehr Porträts"). On a photo story, whose body has no
    # <p>, it is the page's largest run of paragraphs, and trafilatura takes it for text.
    (
        "subheading_opens_body",
        "https://zwei-am-klavier.example/ueber-uns/",
        ("Künstlerischer Lebenslauf",),
        ("Entdecke weitere", "Mehr Porträts"),
    ),
]


@pytest.mark.parametrize(
    ("name", "url", "kept", "removed"), PRUNED_TREE_CASES, ids=[c[0] for c in PRUNED_TREE_CASES]
)
def test_pruning_removes_what_the_structure_says_and_keeps_the_rest(name, url, kept, removed):
    tree = _parse((PAGES / f"{name}.html").read_text(encoding="utf-8"))
    _, identified = _prune(tree, (), _Address.of(url, None))
    removed_text = " ".join(el.text_content() for el in identified)
    kept_text = tree.text_content()
    for fragment in kept:
        assert fragment in kept_text
    for fragment in removed:
        assert fragment in removed_text
        assert fragment not in kept_text
