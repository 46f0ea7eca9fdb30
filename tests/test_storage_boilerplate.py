"""Learned boilerplate in the database: learned once, stored articles re-cleaned, shown by the CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from ingest.cli import main
from ingest.storage import boilerplate
from ingest.storage.models import Article, ArticleRevision
from ingest.storage.repository import content_hash
from ingest.storage.session import make_engine, make_sessionmaker
from tests.conftest import store_articles

T0 = datetime(2025, 6, 1, tzinfo=UTC)
FOLLOW = "Follow us on Telegram for the latest news from the region."
POLICY_CKB = "دەستەی نووسەران هەموو نووسینێک پێش بڵاوکردنەوە دەخوێنێتەوە."
QUOTE = "“We will rebuild every house,” the governor said."
THRESHOLDS = boilerplate.Thresholds(min_articles=5, min_share=0.3, window=100)


def _article(number: int, edition: str, *lines: str) -> dict:
    url = f"https://www.rudaw.net/{edition}/kurdistan/{number:08d}"
    text = "\n".join(lines)
    return {
        "canonical_url": url,
        "url": url,
        "site": "rudaw",
        "edition": edition,
        "title": f"Story {number}",
        "lead": lines[0],
        "text": text,
        "authors": [],
        "tags": [],
    }


def _archive(db_url: str) -> None:
    articles = [
        _article(n, "english", FOLLOW, f"Story {n} starts here.", f"Story {n} goes on.", FOLLOW)
        for n in range(8)
    ]
    articles[0]["text"] += f"\n{QUOTE}"
    articles[1]["text"] += f"\n{QUOTE}"
    articles += [
        _article(100 + n, "sorani", f"چیرۆکی {n} دەست پێدەکات.", POLICY_CKB) for n in range(2)
    ]
    articles.append(_article(200, "sorani", "چیرۆکێکی تر.", "کۆتایی."))
    store_articles(db_url, articles, T0)


def _texts(db_url: str) -> dict[str, Article]:
    engine = make_engine(db_url)
    with make_sessionmaker(engine)() as session:
        rows = {a.url.rsplit("/", 1)[1]: a for a in session.scalars(select(Article))}
        revisions = session.scalars(select(ArticleRevision)).all()
    engine.dispose()
    assert revisions == []  # a re-clean is not the site's edit
    return rows


def _learn(db_url: str) -> tuple[int, int]:
    engine = make_engine(db_url)
    with make_sessionmaker(engine).begin() as session:
        result = boilerplate.learn_site(session, "rudaw", THRESHOLDS)
    engine.dispose()
    return result


def test_learning_recleans_stored_articles_and_is_not_repeated(db_url):
    _archive(db_url)
    assert _learn(db_url) == (2, 10)
    rows = _texts(db_url)
    first = rows["00000000"]
    assert first.text == f"Story 0 starts here.\nStory 0 goes on.\n{QUOTE}"
    assert first.lead == "Story 0 starts here."
    assert first.content_hash == content_hash(first.title, first.text)
    assert rows["00000100"].text == "چیرۆکی 0 دەست پێدەکات."
    assert rows["00000200"].text == "چیرۆکێکی تر.\nکۆتایی."
    assert _learn(db_url) == (0, 0)


def test_cli_shows_what_was_learned(db_url, capsys):
    _archive(db_url)
    _learn(db_url)
    assert main(["--db", db_url, "boilerplate", "--site", "rudaw", "--json"]) == 0
    learned = json.loads(capsys.readouterr().out)
    assert [(r["edition"], r["rule"], r["sample"], r["articles"]) for r in learned] == [
        ("english", "recurs", FOLLOW, 8),
        ("sorani", "cross-edition", POLICY_CKB, 2),
    ]
    assert [r["recleaned"] for r in learned] == [8, 2]
    assert main(["--db", db_url, "boilerplate"]) == 0
    out = capsys.readouterr().out
    assert "rudaw / english" in out and FOLLOW[:40] in out
    assert main(["--db", db_url, "boilerplate", "--site", "kurdistan24"]) == 0
    assert "nothing learned yet for kurdistan24" in capsys.readouterr().out
