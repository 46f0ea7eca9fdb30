"""A run says how it went: the verdict rules, and the exit status and ``crawl_runs`` row of real crawls."""

from __future__ import annotations

import shutil
import socket
from datetime import UTC, datetime

from sqlalchemy import select

from ingest.cli import main as ingest
from ingest.health import Thresholds, judge
from ingest.storage import migrate
from ingest.storage.models import CrawlRun
from ingest.storage.queries import stored_in_earlier_runs
from ingest.storage.session import make_engine, make_sessionmaker
from tests.conftest import run_crawl
from tests.site_server import SiteServer

LIMITS = Thresholds(min_pages=10, max_failed_share=0.25, max_dropped_share=0.5)
GOOD = {"response_received_count": 40, "ingest/fetch/pages": 30, "ingest/store/new": 28}


def test_a_run_that_stored_its_pages_is_healthy():
    verdict = judge(
        GOOD | {"ingest/fetch/failed/http_404": 2}, "finished", LIMITS, stored_before=True
    )
    assert verdict.healthy
    assert verdict.reason == "28 articles stored from 30 pages"


def test_each_rule_names_itself_in_the_reason():
    cases = [
        ({}, "finished", False, "nothing fetched: no server answered"),
        (GOOD, "shutdown", True, "ended early (shutdown)"),
        (
            {"response_received_count": 3, "ingest/fetch/pages": 0},
            "finished",
            True,
            "no article stored though earlier runs stored some",
        ),
        (
            GOOD | {"ingest/fetch/failed/timeout": 11},
            "finished",
            True,
            "11 of 41 article pages could not be fetched",
        ),
        (
            GOOD | {"item_dropped_reasons_count/NoArticleBody": 16},
            "finished",
            True,
            "16 of 30 fetched pages dropped",
        ),
        (
            GOOD | {"ingest/spool/pending": 3},
            "finished",
            True,
            "3 items left unstored in the spool",
        ),
    ]
    for stats, reason, stored_before, expected in cases:
        verdict = judge(stats, reason, LIMITS, stored_before=stored_before)
        assert not verdict.healthy
        assert verdict.reason == expected


def test_shares_are_not_judged_on_a_handful_of_pages():
    stats = {"response_received_count": 4, "ingest/fetch/pages": 3, "ingest/store/new": 2}
    stats |= {"ingest/fetch/failed/http_404": 2, "item_dropped_reasons_count/TooShort": 1}
    assert judge(stats, "finished", LIMITS, stored_before=True).healthy


def _runs(url: str) -> list[CrawlRun]:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        runs = list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))
    engine.dispose()
    return runs


def test_a_crawl_with_no_server_exits_1_and_records_why(tmp_path, sqlite_url):
    with socket.socket() as closed:  # a port nobody listens on: every connection is refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    result = run_crawl("rudaw", tmp_path, sqlite_url, f"base_url=http://127.0.0.1:{port}")
    assert result.returncode == 1
    (run,) = _runs(sqlite_url)
    assert run.verdict == "unhealthy"
    assert run.verdict_reason == "nothing fetched: no server answered"
    assert run.host == socket.gethostname()
    assert run.pid


def test_a_site_that_stops_giving_articles_fails_the_run(tmp_path, sqlite_url, capsys):
    site = tmp_path / "site"
    (site / "news").mkdir(parents=True)
    for n in range(3):
        body = "".join(
            f"<p>Paragraph {i} of story {n}: the council met on Tuesday about the water.</p>"
            for i in range(5)
        )
        (site / "news" / f"{n}.html").write_text(
            f"<html><head><title>Story {n}</title></head><body><article>"
            f"<h1>Story {n}</h1>{body}</article></body></html>"
        )
    listed = tmp_path / "urls.txt"
    with SiteServer(site) as server:
        listed.write_text("\n".join(f"{server.url}/news/{n}" for n in range(3)))
        first = run_crawl("urls", tmp_path, sqlite_url, f"file={listed}")
        # The site moved its articles: every listed page is now a 404.
        shutil.rmtree(site / "news")
        second = run_crawl("urls", tmp_path, sqlite_url, f"file={listed}")
    assert first.returncode == 0, first.log[-3000:]
    assert second.returncode == 1, second.log[-2500:]
    runs = _runs(sqlite_url)
    assert [r.verdict for r in runs] == ["healthy", "unhealthy"]
    assert runs[0].verdict_reason == "3 articles stored from 3 pages"
    assert runs[1].verdict_reason == "no article stored of 3 article pages"
    assert ingest(["--db", sqlite_url, "runs"]) == 0
    shown = capsys.readouterr().out
    assert "unhealthy" in shown
    assert "no article stored of 3 article pages" in shown


def test_earlier_runs_that_stored_articles_are_found_per_spider_and_site(db_url):
    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    now = datetime.now(UTC)
    with make_sessionmaker(engine).begin() as session:
        for spider, site, stored, finished in [
            ("rudaw", "rudaw", 5, now),
            ("kurdistan24", "kurdistan24", 0, now),
            ("kurdistan24", "kurdistan24", 7, None),  # unfinished: says nothing
            ("urls", None, 2, now),
        ]:
            session.add(
                CrawlRun(
                    spider=spider,
                    site=site,
                    started_at=now,
                    finished_at=finished,
                    articles_unchanged=stored,
                    items_dropped={},
                    stats={},
                )
            )
    with make_sessionmaker(engine)() as session:
        found = {
            (spider, site): stored_in_earlier_runs(session, spider=spider, site=site)
            for spider, site in [
                ("rudaw", "rudaw"),
                ("kurdistan24", "kurdistan24"),
                ("urls", None),
                ("urls", "rudaw"),
            ]
        }
    engine.dispose()
    assert found == {
        ("rudaw", "rudaw"): True,
        ("kurdistan24", "kurdistan24"): False,
        ("urls", None): True,
        ("urls", "rudaw"): False,
    }
