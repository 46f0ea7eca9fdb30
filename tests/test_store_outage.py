"""The database goes away during a crawl, or for all of it: nothing is lost.

PostgreSQL is reached through a TCP proxy that the test cuts (every connection reset, new
ones refused) and restores, while a real ``scrapy crawl`` runs.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from ingest import cli
from ingest.storage.models import Article, CrawlRun
from ingest.storage.session import make_engine, make_sessionmaker
from ingest.storage.spool import Record, Spool
from tests.conftest import crawlable_articles, run_crawl
from tests.tcp_proxy import TcpProxy

if TYPE_CHECKING:
    from tests.conftest import CrawlResult

# Articles, by canonical URL (an AMP twin and a redirect land on rows of their own article).
ITEMS = len(crawlable_articles("rudaw"))
EXPECTED = len({a["canonical_url"] for a in crawlable_articles("rudaw").values()})
# Slow enough that the crawl is still fetching when the proxy is cut; quick retries.
_SLOW = {"CONCURRENT_REQUESTS_PER_DOMAIN": 1, "DOWNLOAD_DELAY": 0.15, "DOWNLOAD_TIMEOUT": 20}
_RETRY = {"INGEST_STORE_RETRY_BACKOFF": 0.2, "INGEST_STORE_RETRY_BACKOFF_MAX": 1}


def _proxied(url: str, proxy: TcpProxy) -> str:
    return make_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(False)


def _count(url: str) -> int:
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            return session.scalar(select(func.count()).select_from(Article)) or 0
    finally:
        engine.dispose()


def test_database_cut_mid_crawl_loses_nothing(rudaw_site, tmp_path, postgresql_url):
    target = make_url(postgresql_url)
    with TcpProxy(target.host or "127.0.0.1", target.port or 5432) as proxy:
        url = _proxied(postgresql_url, proxy)
        results: list[CrawlResult] = []
        crawl = threading.Thread(
            target=lambda: results.append(
                run_crawl("rudaw", tmp_path, url, f"base_url={rudaw_site.url}", **_SLOW, **_RETRY)
            )
        )
        crawl.start()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if _count(postgresql_url) >= 1:
                    break
            except DBAPIError:
                pass  # the schema is not there yet
            time.sleep(0.1)
        proxy.cut()
        stored_before_cut = _count(postgresql_url)
        time.sleep(2.5)
        proxy.restore()
        crawl.join(timeout=300)
    (result,) = results
    assert result.returncode == 0, result.log[-3000:]
    stats = result.stats
    assert stored_before_cut < EXPECTED  # the cut came while articles were still coming
    assert stats.get("ingest/spool/written", 0) >= 1, result.log[-3000:]
    assert stats["ingest/spool/pending"] == 0, result.log[-6000:]
    assert stats["ingest/spool/replayed"] == stats["ingest/spool/written"]
    assert "item_dropped_reasons_count/StoreFailed" not in stats
    assert _count(postgresql_url) == EXPECTED == stats["ingest/store/new"]
    assert not list((tmp_path / "spool").glob("*.jsonl"))


def test_database_away_for_the_whole_crawl_is_replayed_later(rudaw_site, tmp_path, postgresql_url):
    # The crawl starts with the database there (a database unreachable at start-up is a
    # start-up failure: one line, exit 1), then loses it for the rest of the run.
    target = make_url(postgresql_url)
    with TcpProxy(target.host or "127.0.0.1", target.port or 5432) as proxy:
        url = _proxied(postgresql_url, proxy)
        results: list[CrawlResult] = []
        crawl = threading.Thread(
            target=lambda: results.append(
                run_crawl("rudaw", tmp_path, url, f"base_url={rudaw_site.url}", **_SLOW, **_RETRY)
            )
        )
        crawl.start()
        _wait_for_run_row(postgresql_url)
        proxy.cut()
        stored_before_cut = _count(postgresql_url)
        crawl.join(timeout=300)
        (away,) = results
        spool_files = list((tmp_path / "spool").glob("*.jsonl"))
        # Items left in the spool make the run unhealthy: exit 1, never a silent success.
        assert away.returncode == 1, away.log[-3000:]
        written = away.stats["ingest/spool/written"]
        assert written >= ITEMS - stored_before_cut - 1, away.log[-3000:]
        assert away.stats["ingest/spool/pending"] == written
        assert sum(len(f.read_text().splitlines()) for f in spool_files) == written
        proxy.restore()
        again = run_crawl("rudaw", tmp_path, url, f"base_url={rudaw_site.url}")
    assert again.returncode == 0, again.log[-3000:]
    assert again.stats["ingest/spool/replayed"] == written
    assert again.stats["ingest/spool/pending"] == 0
    assert _count(postgresql_url) == EXPECTED
    assert not list((tmp_path / "spool").glob("*.jsonl"))


def _wait_for_run_row(url: str) -> None:
    """Wait until the crawl has migrated the database and recorded its run: it is under way."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        engine = make_engine(url)
        try:
            with make_sessionmaker(engine)() as session:
                if session.scalar(select(func.count()).select_from(CrawlRun)):
                    return
        except DBAPIError:
            pass  # the schema is not there yet
        finally:
            engine.dispose()
        time.sleep(0.1)
    raise AssertionError("the crawl never recorded its run")


def test_ingest_spool_replay_stores_what_a_dead_crawl_left(tmp_path, sqlite_url, capsys):
    spool_dir = tmp_path / "spool"
    seen_at = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    left = Spool(spool_dir, sqlite_url)
    left.append([Record(_values(n), seen_at) for n in range(3)])
    left.close()  # the crawl ended (or died) with these still spooled
    other = Spool(spool_dir, "sqlite:///elsewhere.sqlite3")
    other.append([Record(_values(9), seen_at)])
    other.close()
    command = ["--db", sqlite_url, "spool", "replay", "--dir", str(spool_dir)]
    assert cli.main(command) == 0
    assert "replayed 3 articles" in capsys.readouterr().out
    assert _count(sqlite_url) == 3
    # Only this database's spool was taken; another database's stays for its own replay.
    assert [p.name for p in spool_dir.iterdir()] == [other.path.name]
    engine = make_engine(sqlite_url)
    with make_sessionmaker(engine)() as session:
        row = session.scalars(select(Article).where(Article.canonical_url.endswith("/1"))).one()
        assert (row.published_at, row.first_seen_at) == (seen_at, seen_at)
    engine.dispose()


def _values(number: int) -> dict[str, object]:
    return {
        "canonical_url": f"https://example.org/news/{number}",
        "url": f"https://example.org/news/{number}",
        "site": "example",
        "edition": None,
        "language": "en",
        "section": None,
        "title": f"Story {number}",
        "text": "Body of the story.",
        "authors": ["A. Writer"],
        "tags": [],
        "published_at": datetime(2026, 11, 30, 8, 0, tzinfo=UTC),
    }
