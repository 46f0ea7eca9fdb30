"""A site's boilerplate learned over real crawls: stored articles re-cleaned, later ones cleaned."""

from __future__ import annotations

from sqlalchemy import select

from ingest.storage.models import Article
from ingest.storage.session import make_engine, make_sessionmaker
from tests.conftest import run_crawl
from tests.site_server import SiteServer

BRIEFING = "Get our morning briefing in your inbox every weekday at seven."
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
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Story {number}</title>"
        "<meta property='og:type' content='article'></head><body><main><article>"
        f"<h1>Schools to be repaired in district {number}</h1><div>{body}</div>"
        "</article></main></body></html>"
    )


def _texts(db: str) -> dict[str, str]:
    engine = make_engine(db)
    with make_sessionmaker(engine)() as session:
        texts = {a.url.rsplit("/", 1)[1]: a.text for a in session.scalars(select(Article))}
    engine.dispose()
    return texts


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
        assert result.stats["ingest/boilerplate/learned"] == 1
        assert result.stats["ingest/boilerplate/recleaned"] == 6
        texts = _texts(sqlite_url)
        assert len(texts) == 6
        assert not any(BRIEFING in t for t in texts.values())
        assert [n for n, t in sorted(texts.items()) if QUOTE in t] == ["1", "2"]

        second = tmp_path / "second.txt"
        second.write_text(f"{server.url}/news/7\n")
        result = run_crawl("urls", tmp_path, sqlite_url, f"file={second}", INGEST_EXTRACT_WORKERS=0)
        assert result.returncode == 0, result.log[-3000:]
        assert result.stats["ingest/clean/learned_boilerplate_lines"] == 1
        assert "ingest/boilerplate/learned" not in result.stats
        assert BRIEFING not in _texts(sqlite_url)["7"]
