"""Metadata that holds up on any site: titles, bylines, dates and JSON-LD as real pages write them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ingest.extraction.bylines import person_names
from ingest.extraction.extract import extract_article
from ingest.extraction.metadata import load_jsonld
from ingest.extraction.times import plausible
from ingest.extraction.titles import clean_title


@pytest.mark.parametrize(
    ("raw", "outlet", "expected"),
    [
        (["By Jane Doe and John Smith"], [], ["Jane Doe", "John Smith"]),
        (["Von: Anna Müller und Bernd Schulz"], [], ["Anna Müller", "Bernd Schulz"]),
        (["Autor: Kari Nordmann og Ola Nordmann"], [], ["Kari Nordmann", "Ola Nordmann"]),
        (
            ["Alice Adams, Bob Brown and Carol Clark"],
            [],
            ["Alice Adams", "Bob Brown", "Carol Clark"],
        ),
        (["Jane Doe, Washington"], [], ["Jane Doe"]),
        (["Jane Doe in Berlin"], [], ["Jane Doe"]),
        (["Jane Doe | 12.03.2024, 10:15"], [], ["Jane Doe"]),
        (["Jane Doe - 12 March 2024"], [], ["Jane Doe"]),
        (["Jane Doe, Staff Writer"], [], ["Jane Doe"]),
        (["jane.doe@example.com"], [], ["Jane Doe"]),
        (["x9@example.com"], [], []),
        (["https://news.example/author/jane-doe/"], [], ["Jane Doe"]),
        (["jane-doe"], [], ["Jane Doe"]),
        (["12345"], [], []),
        (["(Image: Getty)"], [], []),
        (["Jane Doe (Image: Getty)"], [], ["Jane Doe"]),
        (["Photo: AFP"], [], []),
        (["Reuters"], ["Reuters"], ["Reuters"]),
        (["Reuters", "Jane Doe"], ["Reuters"], ["Jane Doe"]),
        (["Super User"], [], []),
        (["هەژار محەمەد"], [], ["هەژار محەمەد"]),
        (["Ludwig van Beethoven"], [], ["Ludwig van Beethoven"]),
        (["Jane Doe", "JANE DOE", "Jane Doe"], [], ["Jane Doe", "JANE DOE"]),
    ],
)
def test_byline_forms_become_person_names(raw, outlet, expected):
    assert person_names(raw, outlet=outlet) == expected


@pytest.mark.parametrize(
    ("title", "kwargs", "expected"),
    [
        ("Floods in Erbil &amp;#8211; what we know", {}, "Floods in Erbil – what we know"),
        ("Floods in Erbil &quot;today&quot;", {}, 'Floods in Erbil "today"'),
        (
            "Floods in Erbil | The Daily Courier",
            {"site_name": "The Daily Courier"},
            "Floods in Erbil",
        ),
        (
            "The Daily Courier - Floods in Erbil",
            {"site_name": "The Daily Courier"},
            "Floods in Erbil",
        ),
        ("Floods in Erbil - Courier.de", {"url": "https://www.courier.de/a/1"}, "Floods in Erbil"),
        (
            "Floods in Erbil › dailycourier",
            {"url": "https://dailycourier.com/a"},
            "Floods in Erbil",
        ),
        (
            "Floods in Erbil: what we know | Courier",
            {"h1s": ["Floods in Erbil"], "site_name": "Courier"},
            "Floods in Erbil",
        ),
        # An <h1> that is a word of the outlet's name or a section label is not the headline.
        (
            "Floods in Erbil | Opinion Courier",
            {"h1s": ["Opinion"], "site_name": "Opinion Courier"},
            "Floods in Erbil",
        ),
        ("Floods - the aftermath", {"url": "https://news.example/a"}, "Floods - the aftermath"),
        (None, {"h1s": ["Floods in Erbil"]}, "Floods in Erbil"),
    ],
)
def test_title_forms(title, kwargs, expected):
    assert clean_title(title, **kwargs) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('<!-- {"headline": "A"} -->', {"headline": "A"}),
        ('//<![CDATA[\n{"headline": "A"}\n//]]>', {"headline": "A"}),
        ('{"headline": "Two\nlines"}', {"headline": "Two\nlines"}),
        ('{"keywords": ["a", "b",], "headline": "A",}', {"keywords": ["a", "b"], "headline": "A"}),
        ("{&quot;headline&quot;: &quot;A&quot;}", {"headline": "A"}),
        ("not json", None),
    ],
)
def test_jsonld_is_read_tolerantly(raw, expected):
    assert load_jsonld(raw) == expected


def test_implausible_dates_are_rejected():
    now = datetime(2025, 6, 1, tzinfo=UTC)
    assert plausible(datetime(2025, 5, 31, tzinfo=UTC), now) is not None
    assert plausible(datetime(2025, 6, 3, tzinfo=UTC), now) is None
    assert plausible(datetime(1970, 1, 1, tzinfo=UTC), now) is None
    assert plausible(None, now) is None


_BODY = "".join(
    f"<p>Paragraph {i}: the river rose overnight and the town council met at dawn.</p>"
    for i in range(6)
)
PAGE = f"""<html lang="en"><head>
<title>Floods in Erbil | The Daily Courier</title>
<meta property="og:title" content="Floods in Erbil &amp;amp; Duhok | The Daily Courier">
<meta property="og:site_name" content="The Daily Courier">
<!-- schema --><script type="application/ld+json">
{{"@type": "NewsArticle", "headline": "Floods in Erbil &amp; Duhok
 | The Daily Courier", "datePublished": "2024-07-20T10:00:00",
 "author": [{{"name": "By Jane Doe, Erbil"}}, {{"name": "(Image: Getty)"}}],}}
</script></head>
<body><article><h1>Floods in Erbil &amp; Duhok</h1>{_BODY}</article></body></html>"""


def test_page_metadata_end_to_end():
    extracted = extract_article(
        PAGE, "https://dailycourier.example/2024/floods", local_zone="Asia/Baghdad"
    )
    assert extracted is not None
    assert extracted.title == "Floods in Erbil & Duhok"
    assert extracted.authors == ("Jane Doe",)
    # No offset on the page: read in the site's zone (Baghdad, UTC+3).
    assert extracted.published_at == datetime(2024, 7, 20, 7, 0, tzinfo=UTC)


def test_future_and_ancient_dates_are_not_published_times():
    future = PAGE.replace("2024-07-20T10:00:00", "2999-01-01T10:00:00")
    assert extract_article(future, "https://dailycourier.example/2024/floods").published_at is None
    ancient = PAGE.replace("2024-07-20T10:00:00", "1970-01-01T00:00:00")
    assert extract_article(ancient, "https://dailycourier.example/2024/floods").published_at is None


@pytest.mark.parametrize(
    ("declared", "expected"),
    [('["Article", "NewsArticle"]', "Article"), ('["NewsArticle", "Article"]', "NewsArticle")],
)
def test_a_list_of_types_gives_the_first_article_type_listed(declared, expected):
    # Read in the page's order: in a set, the order of strings differs from one process to
    # the next, and so did the page type of a node typed twice.
    page = PAGE.replace('"@type": "NewsArticle"', f'"@type": {declared}')
    extracted = extract_article(page, "https://dailycourier.example/2024/floods")
    assert extracted.page_type == expected


_FIGURE_PAGE = """<html><head><meta property="og:image" content="https://cdn.example/img/flood.jpg">
</head><body><h1>Floods in Erbil</h1><div class="media">{box}</div>
<div class="body"><p>Heavy rain flooded the main roads of Erbil on Sunday evening.</p></div>
</body></html>"""


@pytest.mark.parametrize(
    ("box", "expected"),
    [
        # The declared image, served from the site's own host, and a line of text in its box.
        (
            '<a href="/img/flood.jpg"><img src="/img/flood.jpg"></a><div>A flooded road.</div>',
            "A flooded road.",
        ),
        # A teaser: the text with the image is a link to another story.
        ('<img src="/img/flood.jpg"><a href="/news/other">Rain moves north</a>', None),
        # An image floated in a paragraph: the text around it is the paragraph's.
        ('<p><img src="/img/flood.jpg">Rain fell all night on the city.</p>', None),
        # Not the declared image.
        ('<img src="/img/logo.png"><div>The Daily Courier</div>', None),
    ],
)
def test_the_lead_images_own_box_gives_its_caption(box, expected):
    page = _FIGURE_PAGE.format(box=box)
    extracted = extract_article(page, "https://courier.example/news/floods")
    assert extracted is not None
    assert extracted.image_caption == expected
