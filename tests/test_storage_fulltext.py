"""Search syntax, normalisation and snippets (pure), and the same hits on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text as sa_text

from ingest.storage import queries
from ingest.storage.fulltext import (
    QuerySyntaxError,
    Term,
    normalise,
    parse,
    snippet,
    to_fts5,
    to_tsquery,
)
from ingest.storage.session import make_engine
from tests.conftest import store_articles


@pytest.mark.parametrize(
    ("query", "fts5", "tsquery"),
    [
        ("Babil", '"babil"', "('babil')"),
        ("Babil strikes", '("babil" AND "strikes")', "(('babil') & ('strikes'))"),
        (
            '"global coalition"',
            '"global coalition"',
            (
                "(('global':A <-> 'coalition':A) | ('global':B <-> 'coalition':B)"
                " | ('global':C <-> 'coalition':C) | ('global':D <-> 'coalition':D))"
            ),
        ),
        ("Erbil OR Duhok", '("erbil" OR "duhok")', "(('erbil') | ('duhok'))"),
        ("Iraq -Syria", '("iraq") NOT "syria"', "(('iraq') & !('syria'))"),
        ("Iraq AND NOT Syria", '("iraq") NOT "syria"', "(('iraq') & !('syria'))"),
        (
            "al-Sudani",
            '"al sudani"',
            (
                "(('al':A <-> 'sudani':A) | ('al':B <-> 'sudani':B)"
                " | ('al':C <-> 'sudani':C) | ('al':D <-> 'sudani':D))"
            ),
        ),
        (
            "(Erbil OR Duhok) water",
            '(("erbil" OR "duhok") AND "water")',
            "((('erbil') | ('duhok')) & ('water'))",
        ),
    ],
)
def test_query_compiles_the_same_for_both_backends(query, fts5, tsquery):
    node = parse(query)
    assert to_fts5(node) == fts5
    assert to_tsquery(node) == tsquery


@pytest.mark.parametrize("query", ["", "   ", "-Babil", "NOT Babil", "(Babil", "Babil)", '""'])
def test_bad_queries_are_refused_with_a_reason(query):
    with pytest.raises(QuerySyntaxError):
        parse(query)


def test_arabic_script_variants_normalise_alike():
    assert normalise("كوردستانى") == normalise("کوردستانی")
    assert normalise("هەولێر") == normalise("هه‌ولێر".replace("\u200c", ""))
    assert normalise("پێشمه\u200cرگه") == normalise("پێشمەرگە")
    assert normalise("العَرَبِيَّة") == normalise("العربية")


def test_snippet_marks_the_densest_window():
    text = "a b c d e f g h Babil i j Babil k l m n o p"
    assert snippet(text, [Term(("babil",))], width=5) == "… h [Babil] i j [Babil] …"


def test_snippet_marks_spelling_variants_and_whole_words_only():
    # A lone ZWNJ folds to nothing: the marks after it must still land on the right words.
    text = "\u200c لە كوردستانى Babil-town babilon (Babil) ئەمڕۆ"
    terms = [Term(("کوردستانی",)), Term(("babil",))]
    assert snippet(text, terms, width=10) == (
        "\u200c لە [كوردستانى] [Babil-town] babilon [(Babil)] ئەمڕۆ"
    )
    assert snippet("x " * 30 + "Babil", [Term(("babil",))], width=4) == "… x x x [Babil]"
    assert snippet("no match here", [Term(("babil",))], width=2) == "no match …"


ARTICLES = [
    (
        "Iraq condemns strikes on PMF base in Babil",
        "The global coalition struck a base in Babil province.",
    ),
    ("Erbil and Duhok sign water deal", "Officials in Erbil and Duhok agreed to share water."),
    ("Syria talks stall", "Talks on Syria stalled in Geneva; Iraq sent observers."),
    ("پێشمەرگە لە کەرکووک", "هێزەکانی پێشمەرگە گەیشتنە کەرکووک و هەولێر."),
    ("الحكومة العراقية تدين الضربات", "أدانت الحكومة العراقية الضربات على قاعدة في بابل."),
    ("Şîrove li ser hilbijartinê", "Partiyên kurdî li Hewlêrê civiyan."),
    ("İran ve Irak sınır kapısını açtı", "Ankara ile Tahran arasında ılık bir görüşme yapıldı."),
    ("The deal was", "But the parliament did not vote on it."),
]
QUERIES = [
    "Babil",
    '"global coalition"',
    "Erbil OR Syria",
    "Iraq -Babil",
    "پێشمەرگە",
    "كەركووك",  # Arabic kaf: must find the Sorani spelling with keheh
    "العراقيه OR بابل",
    "hewlêrê",
    "(water OR talks) -Geneva",
    "İran",
    "iran OR ilik",
    '"was but"',
]


def _fill(url: str) -> None:
    articles = [
        {
            "canonical_url": f"https://example.org/a/{number}",
            "url": f"https://example.org/a/{number}",
            "site": "example",
            "title": title,
            "text": text,
            "lead": text,
            "authors": [],
            "tags": [],
        }
        for number, (title, text) in enumerate(ARTICLES)
    ]
    store_articles(url, articles, datetime(2024, 7, 1, tzinfo=UTC))


def _hits(url: str, query: str) -> set[str]:
    engine = make_engine(url)
    with engine.connect() as connection:
        found = {
            h.article.canonical_url.rsplit("/", 1)[1]
            for h in queries.search(connection, query, queries.Filters())
        }
    engine.dispose()
    return found


def test_sqlite_and_postgresql_find_the_same_articles(sqlite_url, postgresql_url):
    _fill(sqlite_url)
    _fill(postgresql_url)
    expected = {
        "Babil": {"0"},
        '"global coalition"': {"0"},
        "Erbil OR Syria": {"1", "2"},
        "Iraq -Babil": {"2"},
        "پێشمەرگە": {"3"},
        "كەركووك": {"3"},
        "العراقيه OR بابل": {"4"},
        "hewlêrê": {"5"},
        "(water OR talks) -Geneva": {"1"},
        "İran": {"6"},
        "iran OR ilik": {"6"},
        '"was but"': set(),  # a phrase does not run from the title into the text
    }
    for query in QUERIES:
        on_sqlite, on_postgres = _hits(sqlite_url, query), _hits(postgresql_url, query)
        assert on_sqlite == on_postgres, query
        assert on_sqlite == expected[query], query


def _ranked(url: str, query: str) -> list[str]:
    engine = make_engine(url)
    with engine.connect() as connection:
        hits = queries.search(connection, query, queries.Filters())
    engine.dispose()
    return [h.article.canonical_url.rsplit("/", 1)[1] for h in hits]


def _article(key: str, title: str, text: str, **fields: object) -> dict[str, object]:
    url = f"https://example.org/a/{key}"
    values = {"canonical_url": url, "url": url, "site": "example", "title": title, "text": text}
    return values | {"lead": None, "authors": [], "tags": []} | fields


CAPTIONED = [
    _article("title", "Kirkuk water deal signed", "Officials agreed to share water."),
    _article("text", "Water deal signed", "Officials in Kirkuk agreed to share water."),
    _article(
        "caption",
        "Talks stall",
        "Talks stalled again.",
        image_caption="Peshmerga fighters at the Kirkuk checkpoint",
        tags=["Sinjar agreement", "Erbil"],
    ),
]


def test_captions_and_tags_are_searched_below_titles(sqlite_url, postgresql_url):
    for url in (sqlite_url, postgresql_url):
        store_articles(url, CAPTIONED, datetime(2024, 7, 1, tzinfo=UTC))
        assert _ranked(url, "checkpoint") == ["caption"], url
        assert _ranked(url, '"Sinjar agreement"') == ["caption"], url
        # A phrase stays inside one field: caption's last word, then the first tag.
        assert _ranked(url, '"checkpoint sinjar"') == [], url
        assert _ranked(url, "Kirkuk")[0] == "title", url
        assert set(_ranked(url, "Kirkuk")) == {"title", "text", "caption"}, url
        # Edits reach the index: the caption's words go, the tag's stay.
        edited = {**CAPTIONED[2], "text": "Talks resumed.", "image_caption": None}
        store_articles(url, [edited], datetime.now(UTC))
        assert _ranked(url, "checkpoint") == [], url
        assert _ranked(url, "Erbil") == ["caption"], url


# Kirkuk in the text 12 times in the oldest article down to once in the newest; then once in
# a title and once in a caption.
MANY_MATCHES = [
    _article(f"text{n}", f"Report {n}", " ".join(["Officials in Kirkuk met."] * (13 - n)))
    for n in range(1, 13)
] + [
    _article("title", "Kirkuk water deal", "Officials agreed."),
    _article("caption", "Talks stall", "Talks stalled.", image_caption="Kirkuk checkpoint"),
]


def _full_rank_order(url: str, word: str) -> list[str]:
    """Every match, ordered by ts_rank_cd over the whole search_vector (then newest)."""
    engine = make_engine(url)
    with engine.connect() as connection:
        urls = connection.execute(
            sa_text(
                "SELECT canonical_url FROM articles, to_tsquery('simple', :w) AS q"
                " WHERE search_vector @@ q ORDER BY ts_rank_cd(search_vector, q) DESC, id DESC"
            ),
            {"w": word},
        ).scalars()
        found = [u.rsplit("/", 1)[1] for u in urls]
    engine.dispose()
    return found


def test_postgresql_ranks_the_best_heads_over_their_whole_vector(postgresql_url):
    store_articles(postgresql_url, MANY_MATCHES, datetime(2024, 7, 1, tzinfo=UTC))
    engine = make_engine(postgresql_url)
    with engine.connect() as connection:
        hits = queries.search(connection, "kirkuk", queries.Filters(), limit=20)
        best = queries.search(connection, "kirkuk", queries.Filters(), limit=1)
    engine.dispose()
    full = _full_rank_order(postgresql_url, "kirkuk")
    assert full[:2] == ["text1", "text2"]
    # No more matches than candidates (10 per hit asked for): exactly the order of ts_rank_cd
    # over the whole vector, which is the rank shown.
    assert [h.article.canonical_url.rsplit("/", 1)[1] for h in hits] == full
    assert [h.rank for h in hits] == sorted((h.rank for h in hits), reverse=True)
    # One hit asked for: the 10 candidates are the title and the caption (their heads match)
    # and the 8 newest texts; the best of them over the whole vector is text5 (8 times), not
    # the archive's best, text1, which is too old to be a candidate.
    assert [h.article.canonical_url.rsplit("/", 1)[1] for h in best] == ["text5"]


def test_the_index_migration_indexes_the_articles_already_stored(db_url):
    from alembic import command

    from ingest.storage import migrate
    from ingest.storage.models import Article
    from ingest.storage.repository import content_hash

    migrate.upgrade(db_url, "c3a7e91f5b22")  # before captions and tags were searched
    engine = make_engine(db_url)
    seen = datetime(2024, 7, 1, tzinfo=UTC)
    # Core inserts naming only this revision's columns: the models have columns added since.
    with engine.begin() as connection:
        for values in CAPTIONED:
            row = {"content_hash": content_hash(values["title"], values["text"])}
            row |= {"first_seen_at": seen, "last_seen_at": seen}
            connection.execute(Article.__table__.insert().values(**values, **row))
    engine.dispose()
    migrate.upgrade(db_url)
    assert _ranked(db_url, "checkpoint") == ["caption"]
    assert _ranked(db_url, "Erbil") == ["caption"]
    assert _ranked(db_url, "Kirkuk")[0] == "title"
    command.downgrade(migrate.alembic_config(db_url), "c3a7e91f5b22")
    # Plain SQL: the models have columns that revision does not.
    assert _matches_at_old_revision(db_url, "checkpoint") == 0
    assert _matches_at_old_revision(db_url, "Kirkuk") >= 1


def _matches_at_old_revision(url: str, word: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            sql = "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH :w"
        else:
            sql = (
                "SELECT count(*) FROM articles WHERE search_vector @@ plainto_tsquery('simple', :w)"
            )
        count = connection.execute(sa_text(sql), {"w": word}).scalar_one()
    engine.dispose()
    return count
