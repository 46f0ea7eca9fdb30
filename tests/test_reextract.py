"""Raw pages and re-extraction end to end: real crawls keep their pages as WARC, the site goes
away, and ``ingest raw`` and ``ingest reextract`` work from the stored pages alone."""

from __future__ import annotations

import gzip
import io
import json
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator

from ingest.reextract import reextract
from ingest.storage.models import Article, ArticleRevision, CrawlRun
from ingest.storage.session import make_engine, make_sessionmaker
from tests.conftest import (
    EDITED_PARAGRAPH,
    GOLDEN_PAGE,
    NEW_PARAGRAPH,
    REPO_ROOT,
    SITES,
    fresh_database,
    run_crawl,
)
from tests.site_server import SiteServer

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.conftest import CrawlResult

INGEST = str(Path(sys.executable).parent / "ingest")
WARCIO = str(Path(sys.executable).parent / "warcio")
GOLDEN_PATH = "/" + GOLDEN_PAGE.removesuffix(".html")


class Archive:
    """A site crawled twice (the golden article edited in between, every page fetched again
    the second time), its server stopped: only the database and the raw pages are left."""

    def __init__(self, directory: Path, url: str, runs: list[CrawlResult], pages: list[bytes]):
        self.directory = directory
        self.url = url
        self.raw_dir = directory / "raw"
        self.first, self.second = runs
        self.golden_before, self.golden_after = pages

    def ingest(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [INGEST, "--db", self.url, "--raw-dir", str(self.raw_dir), *args],
            cwd=REPO_ROOT,
            capture_output=True,
            timeout=120,
            check=False,
        )

    def articles(self) -> dict[str, Article]:
        engine = make_engine(self.url)
        with make_sessionmaker(engine)() as session:
            found = {a.canonical_url.split("/", 3)[3]: a for a in session.scalars(select(Article))}
        engine.dispose()
        return found

    def revisions(self) -> list[ArticleRevision]:
        engine = make_engine(self.url)
        with make_sessionmaker(engine)() as session:
            found = list(session.scalars(select(ArticleRevision).order_by(ArticleRevision.id)))
        engine.dispose()
        return found


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    directory = tmp_path_factory.mktemp("raw")
    site = directory / "site"
    shutil.copytree(SITES / "rudaw", site)
    page = site / GOLDEN_PAGE
    before = page.read_bytes()
    after = before.replace(EDITED_PARAGRAPH.encode(), NEW_PARAGRAPH.encode())
    with fresh_database("sqlite", directory) as url:
        with SiteServer(site) as server:
            first = run_crawl("rudaw", directory, url, f"base_url={server.url}")
            assert first.returncode == 0, first.log[-2000:]
            page.write_bytes(after)
            second = run_crawl(
                "rudaw", directory, url, f"base_url={server.url}", INGEST_SKIP_KNOWN=False
            )
            assert second.returncode == 0, second.log[-2000:]
        yield Archive(directory, url, [first, second], [before, after])


def _records(path: Path) -> list[tuple[str, str]]:
    with path.open("rb") as file:
        return [
            (r.rec_type, r.rec_headers.get_header("WARC-Target-URI") or "")
            for r in ArchiveIterator(file)
        ]


def test_warc_files_read_back_with_warcio(archive):
    files = sorted(archive.raw_dir.iterdir())
    # Both crawls ended cleanly: every file is closed under its final name.
    assert files
    assert all(f.name.endswith(".warc.gz") for f in files)
    done = subprocess.run(
        [WARCIO, "index", *map(str, files)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    records = [r for f in files for r in _records(f)]
    kinds = [kind for kind, _ in records]
    stats = (archive.first.stats, archive.second.stats)
    assert kinds.count("response") == sum(s["ingest/raw/response"] for s in stats)
    assert kinds.count("revisit") == archive.second.stats["ingest/raw/revisit"]
    # One request record per response or revisit; one warcinfo per file.
    assert kinds.count("request") == kinds.count("response") + kinds.count("revisit")
    assert kinds.count("warcinfo") == len(files)


def test_unchanged_pages_fetched_again_are_revisits(archive):
    first_responses = archive.first.stats["ingest/raw/response"]
    assert archive.first.stats.get("ingest/raw/revisit", 0) == 0
    # The second run fetched every page again; only the edited one (and the AMP twin, whose
    # page is never an article's latest) were stored again in full.
    assert archive.second.stats["ingest/raw/revisit"] >= first_responses - 2
    assert archive.second.stats["ingest/raw/response"] <= 2


def test_every_article_knows_its_page(archive):
    articles = archive.articles()
    assert articles
    for article in articles.values():
        assert article.warc_file and article.warc_offset is not None and article.warc_length
        assert article.warc_digest.startswith("sha1:")


def test_raw_prints_the_latest_page_and_revision_pages(archive):
    golden = archive.articles()[GOLDEN_PATH.lstrip("/")]
    latest = archive.ingest("raw", str(golden.id))
    assert latest.returncode == 0, latest.stderr
    assert latest.stdout == archive.golden_after
    earlier = archive.ingest("raw", golden.canonical_url, "--revision", "1")
    assert earlier.returncode == 0, earlier.stderr
    assert earlier.stdout == archive.golden_before
    (revision,) = [r for r in archive.revisions() if r.article_id == golden.id]
    assert revision.reason == "edit"
    missing = archive.ingest("raw", str(golden.id), "--revision", "2")
    assert missing.returncode == 2
    assert b"1 earlier version" in missing.stderr


def test_raw_warc_writes_the_record_itself(archive):
    golden = archive.articles()[GOLDEN_PATH.lstrip("/")]
    done = archive.ingest("raw", str(golden.id), "--warc")
    assert done.returncode == 0, done.stderr
    assert gzip.decompress(done.stdout).startswith(b"WARC/1.0\r\n")
    records = []
    for record in ArchiveIterator(io.BytesIO(done.stdout)):
        records.append(record.rec_type)
        assert record.rec_headers.get_header("WARC-Target-URI").endswith(GOLDEN_PATH)
        assert record.http_headers.get_statuscode() == "200"
        assert record.content_stream().read() == archive.golden_after
    assert records == ["response"]


def test_stats_shows_the_raw_store(archive):
    done = archive.ingest("stats", "--json")
    assert done.returncode == 0, done.stderr
    store = json.loads(done.stdout)["raw_pages"]
    assert store["articles_with_page"] == len(archive.articles())
    assert store["files"] == len(list(archive.raw_dir.iterdir()))
    assert store["bytes"] == sum(f.stat().st_size for f in archive.raw_dir.iterdir())


def _set(url: str, article_id: int, **values: object) -> None:
    engine = make_engine(url)
    with make_sessionmaker(engine).begin() as session:
        article = session.get_one(Article, article_id)
        for name, value in values.items():
            setattr(article, name, value)
    engine.dispose()


def test_reextract_updates_what_older_code_got_wrong_and_nothing_else(archive):
    """The archive as an older version left it: one article kept a "Read more" line and a
    byline prefix that today's cleaning removes. Re-extraction from the stored pages, with
    the site gone, fixes those two and leaves the rest as they were."""
    articles = archive.articles()
    golden = articles[GOLDEN_PATH.lstrip("/")]
    other = next(a for a in articles.values() if a.id != golden.id and a.authors)
    _set(archive.url, golden.id, text=golden.text + "\nRead more: Iraq's budget talks stall")
    _set(archive.url, other.id, authors=[f"By {other.authors[0]}", *other.authors[1:]])
    before = archive.articles()
    revisions_before = len(archive.revisions())

    dry = archive.ingest("reextract", "--dry-run", "--workers", "0")
    assert dry.returncode == 0, dry.stderr
    out = dry.stdout.decode()
    assert re.search(r"would change 2, unchanged \d+, failed 0", out), out
    assert "-Read more: Iraq's budget talks stall" in out
    assert archive.articles()[GOLDEN_PATH.lstrip("/")].text == before[GOLDEN_PATH.lstrip("/")].text

    done = archive.ingest("reextract", "--workers", "2")
    assert done.returncode == 0, done.stderr
    unchanged = len(articles) - 2
    assert f"changed 2, unchanged {unchanged}, failed 0" in done.stdout.decode()
    after = archive.articles()
    assert after[GOLDEN_PATH.lstrip("/")].text == golden.text
    assert after[other.canonical_url.split("/", 3)[3]].authors == other.authors
    for key, article in after.items():
        if article.id in (golden.id, other.id):
            continue
        old = before[key]
        assert (article.content_hash, article.last_seen_at, article.authors) == (
            old.content_hash,
            old.last_seen_at,
            old.authors,
        )
    new_revisions = archive.revisions()[revisions_before:]
    assert sorted(r.article_id for r in new_revisions) == sorted([golden.id, other.id])
    assert {r.reason for r in new_revisions} == {"reextract"}
    kept = next(r for r in new_revisions if r.article_id == golden.id)
    assert kept.text.endswith("Read more: Iraq's budget talks stall")
    assert kept.warc_file == golden.warc_file and kept.warc_offset == golden.warc_offset

    engine = make_engine(archive.url)
    with make_sessionmaker(engine)() as session:
        run = session.scalars(select(CrawlRun).where(CrawlRun.spider == "reextract")).one()
    engine.dispose()
    assert run.finish_reason == "finished"
    assert (run.pages_fetched, run.articles_updated, run.articles_unchanged) == (
        len(articles),
        2,
        unchanged,
    )
    assert run.finished_at <= datetime.now(UTC)

    again = archive.ingest("reextract", "--workers", "0")
    assert again.returncode == 0, again.stderr
    assert f"changed 0, unchanged {len(articles)}, failed 0" in again.stdout.decode()


def test_reextract_filters_and_limit(archive):
    done = archive.ingest(
        "reextract", "--dry-run", "--workers", "0", "--edition", "english", "--limit", "2"
    )
    assert done.returncode == 0, done.stderr
    assert "read 2 of 2 stored pages" in done.stdout.decode()
    nothing = archive.ingest("reextract", "--dry-run", "--workers", "0", "--site", "kurdistan24")
    assert nothing.returncode == 0, nothing.stderr
    assert "read 0 of 0 stored pages" in nothing.stdout.decode()


def _page_values(text: str, warc_offset: int, digest: str) -> dict[str, object]:
    return {
        "canonical_url": "https://www.rudaw.net/english/middleeast/iraq/1",
        "url": "https://www.rudaw.net/english/middleeast/iraq/1",
        "site": "rudaw",
        "edition": "english",
        "title": "Iraq condemns strikes",
        "text": text,
        "authors": ["Rudaw"],
        "tags": [],
        "warc_file": "ingest-a.warc.gz",
        "warc_offset": warc_offset,
        "warc_length": 100,
        "warc_digest": digest,
    }


def test_rows_and_revisions_keep_their_page_on_both_backends(db_url):
    """Store, re-fetch (new page, same text), edit, re-extract: each version keeps its page."""
    from ingest.storage import migrate
    from ingest.storage.repository import CONTENT_COLUMNS, apply_reextraction, upsert_article

    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    seen = [datetime(2026, 12, 1, hour, tzinfo=UTC) for hour in (1, 2, 3, 4)]
    with sessions.begin() as session:
        upsert_article(session, _page_values("One.\nTwo.", 10, "sha1:A"), seen[0])
    with sessions.begin() as session:
        # A new page (an ad changed) with the same text: the row moves to it, no revision.
        upsert_article(session, _page_values("One.\nTwo.", 200, "sha1:B"), seen[1])
    with sessions.begin() as session:
        upsert_article(session, _page_values("One.\nTwo, edited.", 400, "sha1:C"), seen[2])
    with sessions.begin() as session:
        article = session.scalars(select(Article)).one()
        # Newer code reads the byline differently; title and text come out the same.
        values = {c: getattr(article, c) for c in CONTENT_COLUMNS} | {"authors": ["Hawre Hasan"]}
        assert apply_reextraction(session, article.id, values, seen[3])
    with sessions.begin() as session:
        assert not apply_reextraction(session, article.id, values, seen[3])
    with sessions() as session:
        article = session.scalars(select(Article)).one()
        revisions = list(session.scalars(select(ArticleRevision).order_by(ArticleRevision.id)))
    engine.dispose()
    assert (article.warc_offset, article.warc_digest, article.authors) == (
        400,
        "sha1:C",
        ["Hawre Hasan"],
    )
    assert [(r.reason, r.warc_offset, r.text) for r in revisions] == [
        ("edit", 200, "One.\nTwo."),
        ("reextract", 400, "One.\nTwo, edited."),
    ]


def test_reextract_applies_a_changed_cleaning_rule_in_process(archive, monkeypatch):
    """A new site boilerplate rule (here: the golden article's closing paragraph) reaches the
    stored articles through `reextract` with no crawl; taking the rule back undoes it."""
    from ingest.extraction import article as making
    from ingest.extraction.boilerplate import BoilerplateRules
    from ingest.storage.queries import Filters

    before = archive.articles()
    golden = before[GOLDEN_PATH.lstrip("/")]
    *kept, closing = golden.text.split("\n")
    rules = making.site_rules("rudaw")
    boilerplate = BoilerplateRules(
        (*rules.boilerplate.lines, re.escape(closing)), rules.boilerplate.comment_markers
    )
    monkeypatch.setitem(making._RULES, "rudaw", replace(rules, boilerplate=boilerplate))
    revisions_before = len(archive.revisions())

    def run() -> tuple[int, int, int]:
        report = reextract(
            archive.url,
            archive.raw_dir,
            Filters(site="rudaw"),
            limit=None,
            dry_run=False,
            workers=0,
            min_chars=200,
        )
        return report.changed, report.unchanged, sum(report.failed.values())

    assert run() == (1, len(before) - 1, 0)
    after = archive.articles()
    assert after[GOLDEN_PATH.lstrip("/")].text == "\n".join(kept)
    assert {k: a.content_hash for k, a in after.items() if a.id != golden.id} == {
        k: a.content_hash for k, a in before.items() if a.id != golden.id
    }
    (revision,) = archive.revisions()[revisions_before:]
    assert (revision.article_id, revision.reason, revision.text) == (
        golden.id,
        "reextract",
        golden.text,
    )

    monkeypatch.undo()
    assert run() == (1, len(before) - 1, 0)
    assert archive.articles()[GOLDEN_PATH.lstrip("/")].text == golden.text
