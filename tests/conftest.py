"""Shared fixtures: fixture sites on 127.0.0.1, fresh SQLite and PostgreSQL databases, crawl runner."""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import create_engine, text

from tests.site_server import SiteServer

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"
# The Rudaw article as a reader sees it, one paragraph a line: the golden case of cleaning.
# A copy in the repository, so that a fresh clone tests with nothing beside it.
SEED_LINES = (FIXTURES / "seed" / "rudaw-article.txt").read_text(encoding="utf-8").splitlines()
SITES = FIXTURES / "sites"
EXPECTED = FIXTURES / "expected"
POSTGRES_ADMIN_URL = os.environ.get(
    "INGEST_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SCRAPY = str(Path(sys.executable).parent / "scrapy")


@pytest.fixture(scope="session")
def rudaw_site() -> Iterator[SiteServer]:
    with SiteServer(SITES / "rudaw") as server:
        yield server


GOLDEN_PAGE = "english/middleeast/iraq/240720241.html"
EDITED_PARAGRAPH = (
    "The strike comes as Iraq and the United States are discussing the future of the"
    " coalition’s mission in the country."
)
NEW_PARAGRAPH = (
    "The strike comes as Iraq and the United States hold a fourth round of talks on the"
    " coalition’s mission."
)


@dataclass
class CrawledArchive:
    """Three crawls of the Rudaw fixture site into one fresh database, and the paths each
    asked the server for (``crawled_archive``)."""

    url: str
    first: CrawlResult
    second: CrawlResult
    refetch: CrawlResult
    requests: list[list[str]]


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def crawled_archive(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CrawledArchive]:
    """A copy of the Rudaw fixture site (slow URL on) crawled into a fresh database three
    times: a first run; a scheduled run after the golden article was edited and the sitemap
    says so (the revision path), and the page that timed out removed; a full re-fetch. Once per backend, shared by the crawl tests
    and the query tests, so the suite pays for these crawls once."""
    directory = tmp_path_factory.mktemp("archive")
    site = directory / "site"
    shutil.copytree(SITES / "rudaw", site)
    with fresh_database(request.param, directory) as url, SiteServer(site, slow=True) as server:
        runs, requests = [], []
        for settings in ({}, {}, {"INGEST_SKIP_KNOWN": False}):
            if len(runs) == 1:
                _edit_golden_article(site)
                # The page that timed out is gone by the next run: a 404, not a second wait.
                for path in site_config("rudaw")["slow"]:
                    (site / f"{path.strip('/')}.html").unlink()
                server.slow = False
            server.requests.clear()
            run = run_crawl(
                "rudaw", directory, url, f"base_url={server.url}", DOWNLOAD_TIMEOUT=2, **settings
            )
            assert run.returncode == 0, run.log[-2000:]
            runs.append(run)
            requests.append(list(server.requests))
        yield CrawledArchive(url, *runs, requests)


def _edit_golden_article(site: Path) -> None:
    page = site / GOLDEN_PAGE
    html = page.read_text(encoding="utf-8")
    assert EDITED_PARAGRAPH in html
    page.write_text(html.replace(EDITED_PARAGRAPH, NEW_PARAGRAPH), encoding="utf-8")
    # The site says so in its sitemap, which is how a scheduled run learns of an edit.
    sitemap = site / "sitemaps" / "english.xml"
    edited = re.sub(
        r"(240720241</loc>\s*<lastmod>)[^<]+",
        rf"\g<1>{datetime.now(UTC).isoformat(timespec='seconds')}",
        sitemap.read_text(encoding="utf-8"),
    )
    assert edited != sitemap.read_text(encoding="utf-8")
    sitemap.write_text(edited, encoding="utf-8")


@pytest.fixture(scope="session")
def edited_archive(crawled_archive: CrawledArchive) -> str:
    """The URL of ``crawled_archive``'s database: the golden article has one revision."""
    return crawled_archive.url


@pytest.fixture(scope="session")
def kurdistan24_site() -> Iterator[SiteServer]:
    with SiteServer(SITES / "kurdistan24") as server:
        yield server


@contextmanager
def fresh_database(kind: str, directory: Path) -> Iterator[str]:
    """Yield the URL of a new, empty database of ``kind`` ("sqlite" or "postgresql").

    PostgreSQL gets a database of its own, dropped afterwards; without a server the test
    fails, never skips: the PostgreSQL path is as much the product as SQLite.
    """
    if kind == "sqlite":
        yield f"sqlite:///{directory / f'ingest-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    name = f"ingest_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any failure here means no server to test against
        pytest.fail(f"PostgreSQL at {POSTGRES_ADMIN_URL} is required and did not answer: {exc}")
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    with fresh_database("sqlite", tmp_path) as url:
        yield url


@pytest.fixture
def postgresql_url(tmp_path: Path) -> Iterator[str]:
    with fresh_database("postgresql", tmp_path) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test using it runs once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_url")


@dataclass
class Done:
    """What a run of the ``ingest`` command returned and printed."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run_ingest(capsys: pytest.CaptureFixture[str]) -> Callable[..., Done]:
    """Run ``ingest --db DB ARGS…`` in this process (``ingest.cli.main``): a process of its
    own costs a second of start-up and is only worth it where the process is the point."""
    from ingest import cli

    def run(db: str, *args: str) -> Done:
        capsys.readouterr()
        try:
            status = cli.main(["--db", db, *args])
        except SystemExit as exit_:  # argparse: --help, or a malformed command line
            status = exit_.code if isinstance(exit_.code, int) else 2
        out, err = capsys.readouterr()
        return Done(status, out, err)

    return run


def store_articles(db_url: str, articles: Iterable[dict[str, Any]], seen_at: datetime) -> None:
    """Migrate the database and store the articles (``upsert_article`` values), all seen at
    ``seen_at``, as a crawl's storage stage would."""
    from ingest.storage import migrate
    from ingest.storage.repository import upsert_article
    from ingest.storage.session import make_engine, make_sessionmaker

    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    with make_sessionmaker(engine).begin() as session:
        for values in articles:
            upsert_article(session, values, seen_at)
    engine.dispose()


def insert_articles(db_url: str, rows: Iterable[dict[str, Any]], seen_at: datetime) -> None:
    """Migrate the database and insert the rows (``articles`` columns) in one statement.

    For tests that need many articles rather than the write path: storing thousands one
    upsert at a time (``store_articles``) took most of a minute.
    """
    from sqlalchemy import insert

    from ingest.storage import migrate
    from ingest.storage.models import Article
    from ingest.storage.session import make_engine

    migrate.upgrade(db_url)
    defaults = {"first_seen_at": seen_at, "last_seen_at": seen_at, "authors": [], "tags": []}
    values = [
        defaults | {"content_hash": hashlib.sha256(row["text"].encode()).hexdigest()} | row
        for row in rows
    ]
    engine = make_engine(db_url)
    with engine.begin() as connection:
        connection.execute(insert(Article), values)
    engine.dispose()


def run_stages(item: Any) -> Any:
    """Run a ``PageItem`` through the real pipeline stages up to storage, as a crawl would.

    Raises the stage's ``DropItem`` subclass when the page is dropped.
    """
    from scrapy.utils.misc import build_from_crawler
    from scrapy.utils.test import get_crawler

    from ingest.pipelines import (
        BoilerplatePipeline,
        DedupeParagraphsPipeline,
        ExtractPipeline,
        FallbackPipeline,
        ValidatePipeline,
    )
    from ingest.spiders.urls import UrlsSpider

    crawler = get_crawler(UrlsSpider, project_settings())
    stages = (
        ExtractPipeline,
        DedupeParagraphsPipeline,
        BoilerplatePipeline,
        FallbackPipeline,
        ValidatePipeline,
    )
    for stage in stages:
        item = build_from_crawler(stage, crawler).process_item(item)
        if inspect.iscoroutine(item):
            item = asyncio.run(item)
    return item


def project_settings(**overrides: Any) -> dict[str, Any]:
    """Return the project's own settings (not Scrapy's defaults) for ``get_crawler``."""
    import settings.base

    values = {k: v for k, v in vars(settings.base).items() if k.isupper()}
    values.update(overrides)
    return values


@dataclass
class CrawlResult:
    returncode: int
    log: str
    stats: dict[str, Any]


def run_crawl(spider: str, tmp_path: Path, db: str, *args: str, **settings: Any) -> CrawlResult:
    """Run ``scrapy crawl`` in a subprocess, the way cron does, and return its log and stats."""
    return start_crawl(spider, tmp_path, db, *args, **settings).wait()


@dataclass
class Crawl:
    """A ``scrapy crawl`` subprocess still running (``start_crawl``)."""

    process: subprocess.Popen[bytes]
    stats_file: Path
    log_file: Path

    def wait(self, timeout: float = 300) -> CrawlResult:
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        stats = json.loads(self.stats_file.read_text()) if self.stats_file.is_file() else {}
        log = self.log_file.read_text(encoding="utf-8", errors="replace")
        return CrawlResult(self.process.returncode, log, stats)


def start_crawl(spider: str, tmp_path: Path, db: str, *args: str, **settings: Any) -> Crawl:
    """Start ``scrapy crawl`` in a subprocess with the tests' short timeouts; ``wait()`` for it."""
    name = uuid.uuid4().hex[:8]
    stats_file, log_file = tmp_path / f"stats-{name}.json", tmp_path / f"crawl-{name}.log"
    command = [SCRAPY, "crawl", spider, "-s", f"INGEST_DATABASE_URL={db}"]
    command += ["-s", f"INGEST_STATS_FILE={stats_file}", "-s", "DOWNLOAD_TIMEOUT=3"]
    command += ["-s", "RETRY_TIMES=0", "-s", "LOG_LEVEL=INFO"]
    # One extraction process: the fixture sites are small, and each process spawned costs a
    # second of imports on a 2-core machine that runs the rest of the suite too.
    command += ["-s", "INGEST_EXTRACT_WORKERS=1", "-s", "TELNETCONSOLE_ENABLED=False"]
    # Raw pages go beside the test's database, never into the repository's data/raw.
    settings.setdefault("INGEST_RAW_DIR", tmp_path / "raw")
    command += ["-s", f"INGEST_SPOOL_DIR={tmp_path / 'spool'}"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    for arg in args:
        command += ["-a", arg]
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("INGEST_DATABASE_URL", "INGEST_RAW_DIR", "SCRAPY_PROJECT", "INGEST_REDIS_URL")
    }
    # To a file, not a pipe: several crawls at once must never block on a full pipe.
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    return Crawl(process, stats_file, log_file)


def expected_articles(site: str) -> dict[str, dict[str, Any]]:
    """Return the expected fields of every fixture article of a site, by served URL path."""
    root = EXPECTED / site
    articles = {}
    for path in sorted(root.rglob("*.json")):
        if path.name.startswith("_"):
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        articles[data["url_path"]] = data
    return articles


def site_config(site: str) -> dict[str, Any]:
    """Return a fixture site's ``_site.json`` (redirects, statuses, headers, slow paths)."""
    path = SITES / site / "_site.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def crawlable_articles(site: str, *, slow: bool = False) -> dict[str, dict[str, Any]]:
    """Return the expected articles a test crawl can store: all of them, or, from a server
    with its slow URLs on (``SiteServer(slow=True)``), all but those, which time out under the
    tests' ``DOWNLOAD_TIMEOUT``."""
    skipped = set(site_config(site).get("slow", [])) if slow else set()
    return {path: data for path, data in expected_articles(site).items() if path not in skipped}


def not_articles(site: str) -> dict[str, str]:
    path = EXPECTED / site / "_not_articles.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
