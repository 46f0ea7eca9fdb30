"""A site's boilerplate learned over real crawls: stored articles re-cleaned, later ones cleaned."""

from __future__ import annotations

from sqlalchemy import select

from ingest.storage.models import Article
from ingest.storage.session import make_engine, make_sessionmaker
from tests.conftest import run_crawl
from tests.site_server import SiteServer

BRIEFING = "Get our morning briefing in your inbox every weekday at seven."
# The outlet's name after every title; no og:site_name, and the host (127.0.0.1) says nothing.
OUTLET = "The Morning Ledger"
QUOTE = "“Every family will be back home before the winter,” the mayor promised on Monday."


def _page(number: int, *extra: str) -> str:
    paragraphs = [
        (
            f"Story {number} reports that the council of district {number} met on Sunday to"
            f" discuss the repair of {number + 3} schools damaged in the spring floods."
        ),
        (
            f"Officials said the work in district {number} would start next month and cost"
            f" about {number + 2} billion dinars, paid from the provincial budget."
        ),
        *extra,
        BRIEFING,
    ]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Story {number} ~ {OUTLET}</title><meta property='og:type' content='article'>"
        f"<meta property='og:title' content='Story {number} ~ {OUTLET}'>"
        # Complete metadata of its own: no guess from trafilatura, which splits titles too.
        "<meta name='author' content='Jane Doe'>"
        "<meta property='article:published_time' content='2024-07-01T10:00:00+00:00'>"
        "</head><body><main><article>"
        f"<div>{body}</div>"
        "</article></main></body></html>"
    )


def _articles(db: str) -> dict[str, Article]:
    engine = make_engine(db)
    with make_sessionmaker(engine)() as session:
        articles = {a.url.rsplit("/", 1)[1]: a for a in session.scalars(select(Article))}
    engine.dispose()
    return articles


def _texts(db: str) -> dict[str, str]:
    return {name: a.text for name, a in _articles(db).items()}


def test_recurring_paragraph_is_learned_and_cleaned_from_past_and_future_articles(
    tmp_path, sqlite_url
):
    root = tmp_path / "site"
    (root / "news").mkdir(parents=True)
    for number in range(1, 8):
        extra = (QUOTE,) if number in (1, 2) else ()
        (root / "news" / f"{number}.html").write_text(_page(number, *extra), encoding="utf-8")
    with SiteServer(root) as server:
        first = tmp_path / "first.txt"
        first.write_text("\n".join(f"{server.url}/news/{n}" for n in range(1, 7)))
        result = run_crawl("urls", tmp_path, sqlite_url, f"file={first}", INGEST_EXTRACT_WORKERS=0)
        assert result.returncode == 0, result.log[-3000:]
        # The briefing line, and the outlet's name after the titles.
        assert result.stats["ingest/boilerplate/learned"] == 2
        assert result.stats["ingest/boilerplate/recleaned"] == 6
        articles = _articles(sqlite_url)
        assert len(articles) == 6
        assert not any(BRIEFING in a.text for a in articles.values())
        assert [n for n, a in sorted(articles.items()) if QUOTE in a.text] == ["1", "2"]
        assert {n: a.title for n, a in articles.items()} == {
            str(n): f"Story {n}" for n in range(1, 7)
        }

        second = tmp_path / "second.txt"
        second.write_text(f"{server.url}/news/7\n")
        result = run_crawl("urls", tmp_path, sqlite_url, f"file={second}", INGEST_EXTRACT_WORKERS=0)
        assert result.returncode == 0, result.log[-3000:]
        assert result.stats["ingest/clean/learned_boilerplate_lines"] == 1
        assert result.stats["ingest/clean/learned_title_parts"] == 1
        assert "ingest/boilerplate/learned" not in result.stats
        seventh = _articles(sqlite_url)["7"]
        assert BRIEFING not in seventh.text
        assert seventh.title == "Story 7"
