"""Failures that must not cost a run or data: the database going away, a crawl killed half-way."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import OperationalError

from ingest.items import ArticleItem
from ingest.pipelines import StoreFailed, StorePipeline
from ingest.raw import payload_digest, read_page
from ingest.spiders.urls import UrlsSpider
from ingest.storage.models import Article, CrawlRun
from ingest.storage.queries import location_of
from ingest.storage.session import make_engine, make_sessionmaker
from tests.conftest import POSTGRES_ADMIN_URL, REPO_ROOT, SCRAPY, project_settings, run_crawl


def _children(pid: int) -> list[int]:
    """Return the process ids whose parent is ``pid`` (Linux /proc)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def _item(number: int) -> ArticleItem:
    return ArticleItem(
        url=f"https://example.org/news/{number}",
        canonical_url=f"https://example.org/news/{number}",
        site="example",
        edition=None,
        language="en",
        section="World",
        title=f"Story {number}",
        text="A paragraph long enough to be an article body. " * 10,
        fetched_at=datetime.now(UTC),
    )


def _store_pipeline(url: str, spool: Path) -> StorePipeline:
    settings = project_settings(INGEST_DATABASE_URL=url, INGEST_SPOOL_DIR=str(spool))
    pipeline = build_from_crawler(StorePipeline, get_crawler(UrlsSpider, settings))
    pipeline.open_spider()
    return pipeline


def _store(pipeline: StorePipeline, item: ArticleItem) -> ArticleItem:
    return asyncio.run(pipeline.process_item(item))


def _count(url: str) -> int:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        count = session.scalar(select(func.count()).select_from(Article)) or 0
    engine.dispose()
    return count


def test_store_survives_lost_connections_and_spools_while_the_database_is_gone(
    postgresql_url, tmp_path
):
    pipeline = _store_pipeline(postgresql_url, tmp_path / "spool")
    _store(pipeline, _item(1))
    database = postgresql_url.rsplit("/", 1)[1]
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        # The server restarts, or a DBA kills our sessions: the next write reconnects.
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid()"
            ),
            {"d": database},
        )
    _store(pipeline, _item(2))
    assert _count(postgresql_url) == 2
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{database}" WITH (FORCE)'))
        # The database is gone: the article waits in the spool, nothing is dropped.
        _store(pipeline, _item(3))
        assert list((tmp_path / "spool").glob("*.jsonl"))
        connection.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    # Back (empty): the end of the run migrates it and replays the spool.
    asyncio.run(pipeline.close_spider())
    stats = pipeline.stats.get_stats()
    assert stats["ingest/spool/written"] == 1
    assert (stats["ingest/spool/replayed"], stats["ingest/spool/pending"]) == (1, 0)
    assert _count(postgresql_url) == 1
    assert not list((tmp_path / "spool").glob("*.jsonl"))


def test_a_value_the_database_refuses_is_dropped_and_the_rest_stored(postgresql_url, tmp_path):
    pipeline = _store_pipeline(postgresql_url, tmp_path / "spool")
    refused = _item(1)
    refused.text = "PostgreSQL text cannot hold a NUL \x00 character."
    with pytest.raises(StoreFailed):
        _store(pipeline, refused)
    _store(pipeline, _item(2))
    asyncio.run(pipeline.close_spider())
    assert _count(postgresql_url) == 1
    assert pipeline.stats.get_value("ingest/spool/pending") == 0


def test_crawl_killed_half_way_leaves_a_consistent_archive(rudaw_site, tmp_path, sqlite_url):
    command = [
        SCRAPY,
        "crawl",
        "rudaw",
        "-a",
        f"base_url={rudaw_site.url}",
        "-s",
        f"INGEST_DATABASE_URL={sqlite_url}",
        "-s",
        "CONCURRENT_REQUESTS=1",
        "-s",
        "DOWNLOAD_DELAY=0.05",
        "-s",
        "DOWNLOAD_TIMEOUT=3",
        "-s",
        "RETRY_TIMES=0",
        "-s",
        f"INGEST_RAW_DIR={tmp_path / 'raw'}",
    ]
    env = {k: v for k, v in os.environ.items() if k != "INGEST_DATABASE_URL"}
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if _count(sqlite_url) >= 1:
                    break
            except OperationalError:
                pass  # the crawl has not created the schema yet
            time.sleep(0.2)
        workers = _children(process.pid)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    # The extraction workers notice their parent is gone and exit; none is left behind.
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert workers
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]
    stored = _count(sqlite_url)
    assert stored >= 1
    engine = make_engine(sqlite_url)
    with make_sessionmaker(engine)() as session:
        assert all(a.text and a.title for a in session.scalars(select(Article)))
        run = session.scalars(select(CrawlRun)).one()
        assert run.finished_at is None  # killed: shown as "running or killed"
        # Every stored article's page is whole where its row says, in files warcio reads.
        raw_dir = tmp_path / "raw"
        assert [f for f in raw_dir.iterdir() if f.name.endswith(".open")]
        assert _warcio_index(raw_dir).returncode == 0
        for article in session.scalars(select(Article)):
            location = location_of(article)
            assert location is not None
            assert payload_digest(read_page(raw_dir, location).body) == article.warc_digest
    engine.dispose()
    again = run_crawl("rudaw", tmp_path, sqlite_url, f"base_url={rudaw_site.url}")
    assert again.returncode == 0
    assert again.stats.get("ingest/store/new", 0) + stored == _count(sqlite_url)
    assert _count(sqlite_url) > stored
    # The next crawl closed the killed one's file for good.
    assert all(f.name.endswith(".warc.gz") for f in raw_dir.iterdir())
    assert _warcio_index(raw_dir).returncode == 0
    # The second run found the first one's process gone and marked it.
    engine = make_engine(sqlite_url)
    with make_sessionmaker(engine)() as session:
        killed, second = session.scalars(select(CrawlRun).order_by(CrawlRun.id))
        assert killed.verdict == "killed"
        assert killed.verdict_reason.startswith(f"process {process.pid} on ")
        assert second.verdict == "healthy"
    engine.dispose()


def _warcio_index(raw_dir: Path) -> subprocess.CompletedProcess[str]:
    files = sorted(map(str, raw_dir.iterdir()))
    warcio = str(Path(SCRAPY).parent / "warcio")
    return subprocess.run([warcio, "index", *files], capture_output=True, text=True, check=False)
