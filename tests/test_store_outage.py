"""The database goes away during a crawl, for all of it, or stops answering: nothing is lost.

PostgreSQL is reached through a TCP proxy that the test cuts (every connection reset, new
ones refused), stalls (nothing forwarded, nothing refused) and restores, while a real
``scrapy crawl`` runs. The crawl is the ``urls`` spider over the Rudaw fixture site's
articles, one at a time and paced: a few seconds in which the database can go away while
articles are still coming, without the site's listings and sitemaps around them.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from ingest import cli
from ingest.storage.dialects import Timeouts
from ingest.storage.models import Article, CrawlRun
from ingest.storage.repository import Outcome
from ingest.storage.session import make_engine, make_sessionmaker
from ingest.storage.spool import Record, Spool
from tests.conftest import crawlable_articles, start_crawl
from tests.tcp_proxy import TcpProxy

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from sqlalchemy import Connection

    from tests.conftest import Crawl, CrawlResult
    from tests.site_server import SiteServer

ARTICLES = crawlable_articles("rudaw")
# Articles, by canonical URL (an AMP twin and a redirect land on rows of their own article).
EXPECTED = len({a["canonical_url"] for a in ARTICLES.values()})
# An article every 0.2 s or so, so that the database can go away while they still come; a
# store that finds it away tries again within a second.
_PACED = {"CONCURRENT_REQUESTS_PER_DOMAIN": 1, "DOWNLOAD_DELAY": 0.2}
_RETRY = {"INGEST_STORE_RETRY_BACKOFF": 0.2, "INGEST_STORE_RETRY_BACKOFF_MAX": 1}


@contextmanager
def _through_proxy(
    site: SiteServer, tmp_path: Path, postgresql_url: str
) -> Iterator[tuple[TcpProxy, Callable[..., Crawl]]]:
    """Yield a proxy in front of ``postgresql_url`` and a function that starts a crawl of the
    site's articles storing through it (``-s`` settings as keyword arguments); a crawl still
    running when the block ends (a failed assertion) is killed."""
    urls = tmp_path / "urls.txt"
    urls.write_text("".join(f"{site.url.rstrip('/')}{path}\n" for path in ARTICLES))
    target = make_url(postgresql_url)
    started: list[Crawl] = []
    with TcpProxy(target.host or "127.0.0.1", target.port or 5432) as proxy:
        proxied = target.set(port=proxy.port).render_as_string(hide_password=False)

        def crawl(**settings: object) -> Crawl:
            args = (f"file={urls}", "site=rudaw")
            started.append(start_crawl("urls", tmp_path, proxied, *args, **_RETRY, **settings))
            return started[-1]

        try:
            yield proxy, crawl
        finally:
            for leftover in (c.process for c in started if c.process.poll() is None):
                leftover.kill()
                leftover.wait()


def _count(url: str, model: type[Article | CrawlRun] = Article) -> int:
    """Rows of ``model``; 0 while the crawl has not created the schema yet."""
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            return session.scalar(select(func.count()).select_from(model)) or 0
    except DBAPIError:
        return 0
    finally:
        engine.dispose()


def _wait_for(what: str, done: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _assert_spooled_and_all_stored(result: CrawlResult, tmp_path: Path, url: str) -> None:
    """The run spooled what the database could not take, replayed all of it, and every
    article is stored once, directly or from the spool. A batch whose COMMIT reached the
    server but whose answer was lost is spooled too, and replayed as "unchanged": the client
    cannot know, which is why replaying must be idempotent."""
    stats = result.stats
    assert stats.get("ingest/spool/written", 0) >= 1, result.log[-3000:]
    assert stats["ingest/spool/pending"] == 0, result.log[-6000:]
    assert stats["ingest/spool/replayed"] == stats["ingest/spool/written"]
    assert "item_dropped_reasons_count/StoreFailed" not in stats
    assert _count(url) == EXPECTED
    assert sum(stats.get(f"ingest/store/{o}", 0) for o in Outcome) == len(ARTICLES)
    assert not list((tmp_path / "spool").glob("*.jsonl"))


def test_database_cut_mid_crawl_loses_nothing(rudaw_site, tmp_path, postgresql_url):
    with _through_proxy(rudaw_site, tmp_path, postgresql_url) as (proxy, start):
        crawl = start(**_PACED)
        _wait_for("the first stored article", lambda: _count(postgresql_url) >= 1)
        proxy.cut()
        stored_before_cut = _count(postgresql_url)
        time.sleep(1)
        proxy.restore()
        result = crawl.wait(timeout=60)
    assert result.returncode == 0, result.log[-3000:]
    assert stored_before_cut < EXPECTED  # the cut came while articles were still coming
    _assert_spooled_and_all_stored(result, tmp_path, postgresql_url)


def test_database_stalled_mid_crawl_is_given_up_on_and_nothing_is_lost(
    rudaw_site, tmp_path, postgresql_url
):
    # The proxy keeps every connection open and forwards nothing: no reset, no refusal, and
    # keepalives are answered. Only the crawl's own deadline on each call can see it.
    fast = {"INGEST_DB_CALL_TIMEOUT": 1, "INGEST_DB_CONNECT_TIMEOUT": 2}
    started = time.monotonic()
    with _through_proxy(rudaw_site, tmp_path, postgresql_url) as (proxy, start):
        crawl = start(**_PACED, **fast)
        _wait_for("the first stored article", lambda: _count(postgresql_url) >= 1)
        proxy.stall()
        stored_before_stall = _count(postgresql_url)
        # Long enough for articles to get past the raw page look-up, which gives up after a
        # deadline and a connect timeout (3 s), and meet the stall again in the store.
        time.sleep(6)
        proxy.restore()
        result = crawl.wait(timeout=60)
    # Not frozen: the stall cost the run its length and a few deadlines, nothing more.
    assert time.monotonic() - started < 30, result.log[-3000:]
    assert result.returncode == 0, result.log[-3000:]
    assert "no answer from the database within 1 s" in result.log
    assert "not looked up" in result.log  # the raw page look-up gave up too
    assert stored_before_stall < EXPECTED  # the stall came while articles were still coming
    _assert_spooled_and_all_stored(result, tmp_path, postgresql_url)


def test_database_away_for_the_whole_crawl_is_replayed_later(rudaw_site, tmp_path, postgresql_url):
    # The crawl starts with the database there (a database unreachable at start-up is a
    # start-up failure: one line, exit 1), then loses it for the rest of the run.
    with _through_proxy(rudaw_site, tmp_path, postgresql_url) as (proxy, start):
        crawl = start()
        _wait_for("the crawl's run row", lambda: _count(postgresql_url, CrawlRun) >= 1)
        proxy.cut()
        stored_before_cut = _count(postgresql_url)
        away = crawl.wait(timeout=60)
        spool_files = list((tmp_path / "spool").glob("*.jsonl"))
        # Items left in the spool make the run unhealthy: exit 1, never a silent success.
        assert away.returncode == 1, away.log[-3000:]
        written = away.stats["ingest/spool/written"]
        assert written >= len(ARTICLES) - stored_before_cut - 1, away.log[-3000:]
        assert away.stats["ingest/spool/pending"] == written
        assert sum(len(f.read_text().splitlines()) for f in spool_files) == written
        proxy.restore()
        next_run = start().wait(timeout=60)
    assert next_run.returncode == 0, next_run.log[-3000:]
    assert next_run.stats["ingest/spool/replayed"] == written
    assert next_run.stats["ingest/spool/pending"] == 0
    assert _count(postgresql_url) == EXPECTED
    assert not list((tmp_path / "spool").glob("*.jsonl"))


def test_a_call_without_an_answer_fails_after_its_deadline(postgresql_url):
    """Each kind of call, in this process: a statement, a commit, the ping on checkout."""
    target = make_url(postgresql_url)
    with TcpProxy(target.host or "127.0.0.1", target.port or 5432) as proxy:
        proxied = target.set(port=proxy.port).render_as_string(hide_password=False)
        engine = make_engine(proxied, timeouts=Timeouts(call_s=0.5, connect_s=2))
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (n int)"))

        def fails_within(seconds: float, call: Callable[[Connection], object]) -> None:
            started = time.monotonic()
            with pytest.raises(OperationalError), engine.connect() as connection:
                call(connection)
            assert time.monotonic() - started < seconds
            proxy.restore()

        def statement(connection: Connection) -> None:
            proxy.stall()
            connection.execute(text("SELECT 1"))

        def commit(connection: Connection) -> None:
            connection.execute(text("INSERT INTO t VALUES (1)"))
            proxy.stall()
            connection.commit()

        def ping(connection: Connection) -> None:
            raise AssertionError("the stalled connection was handed out")

        fails_within(2, statement)
        fails_within(2, commit)
        with engine.connect():
            proxy.stall()  # the next checkout pings this pooled connection
        # The ping's deadline, then a connect timeout for the connection replacing it.
        fails_within(4, ping)
        with engine.connect() as connection:  # answering again: new connections
            # The stalled COMMIT reaches the server once the network is back, or not: a
            # client cannot know, which is why replaying the spool must be idempotent.
            assert connection.execute(text("SELECT count(*) FROM t")).scalar() in (0, 1)
        engine.dispose()


def test_a_sqlite_statement_past_its_deadline_is_interrupted(sqlite_url):
    engine = make_engine(sqlite_url, timeouts=Timeouts(call_s=0.3))
    endless = "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT max(i) FROM r"
    started = time.monotonic()
    with pytest.raises(OperationalError, match="interrupted"), engine.connect() as connection:
        connection.execute(text(endless))
    assert time.monotonic() - started < 2
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
    engine.dispose()


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
