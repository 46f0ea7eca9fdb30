"""What the raw page store costs and what re-extraction gains: ``python -m tests.bench_raw``.

Two page sets, each crawled into a fresh SQLite archive with its pages kept as WARC:

- the Rudaw fixture site (``tests/fixtures/sites/rudaw``), crawled by ``scrapy crawl rudaw``;
- the 181 pages of the shared article-extraction-benchmark corpus (``$INGEST_SHARED_DIR``,
  by default ``../shared``), served locally and crawled by ``scrapy crawl urls``.

For each it reports the WARC bytes per article kept (request and response records, gzip per
record, the file's warcinfo record included), the HTML bytes per article for comparison, how
much a second crawl that fetches every page again adds per article (unchanged pages become
``revisit`` records), the CPU time per page of keeping a page (``WarcStore.write`` of each kept
page into a fresh store, in this process: building the records, their digests, gzip, the
``fsync``), and the wall time per page of the first crawl against that of ``ingest reextract``
over the same pages (both timed from process start to exit).

Exits non-zero when a crawl or the re-extraction fails. ``--keep`` keeps the work folder.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tests.bench import BenchFailed, build_site, site_server, write_url_list

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ingest.raw import StoredPage

REPO_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FIXTURE_SITE = REPO_ROOT / "tests" / "fixtures" / "sites" / "rudaw"


@dataclass
class Result:
    name: str
    articles: int
    pages_fetched: int
    warc_bytes: int
    html_bytes: int
    refetch_bytes: int
    crawl_seconds: float
    reextract_seconds: float
    reextract_read: int
    write_cpu_seconds: float


def _crawl(args: Sequence[str], database: str, raw_dir: Path, log: Path) -> tuple[float, int]:
    """Run one crawl; return its wall time and the pages it fetched."""
    stats_file = log.with_suffix(".json")
    command = [str(BIN / "scrapy"), "crawl", *args]
    for setting in (
        f"INGEST_DATABASE_URL={database}",
        f"INGEST_RAW_DIR={raw_dir}",
        f"INGEST_STATS_FILE={stats_file}",
        "LOG_LEVEL=WARNING",
        f"LOG_FILE={log}",
        "DOWNLOAD_TIMEOUT=5",
        "RETRY_TIMES=0",
    ):
        command += ["-s", setting]
    started = time.monotonic()
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise BenchFailed(f"crawl {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    stats = json.loads(stats_file.read_text(encoding="utf-8"))
    return seconds, int(stats.get("ingest/fetch/pages", 0))


def _ingest(database: str, raw_dir: Path, *args: str) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run(
        [str(BIN / "ingest"), "--db", database, "--raw-dir", str(raw_dir), *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchFailed(f"ingest {' '.join(args)} failed: {done.stderr.strip()}")
    return time.monotonic() - started, done.stdout


def _size(raw_dir: Path) -> int:
    return sum(p.stat().st_size for p in raw_dir.iterdir())


def _kept_pages(database: str, raw_dir: Path) -> list[StoredPage]:
    """Return the pages the archive's articles were stored from, read back from the store."""
    from sqlalchemy import select

    from ingest.raw import read_page
    from ingest.storage.models import Article
    from ingest.storage.queries import location_of
    from ingest.storage.session import make_engine, make_sessionmaker

    engine = make_engine(database)
    with make_sessionmaker(engine)() as session:
        rows = session.execute(
            select(Article.warc_file, Article.warc_offset, Article.warc_length, Article.warc_digest)
        )
        locations = [location_of(row) for row in rows]
    engine.dispose()
    return [read_page(raw_dir, loc) for loc in locations if loc is not None]


def _write_cpu(pages: Sequence[StoredPage], work: Path) -> float:
    """Return the CPU seconds of storing each page again into a fresh store, as a crawl does."""
    from ingest.raw import FetchedPage, WarcStore

    (work / "rewrite").mkdir()
    store = WarcStore(work / "rewrite", 2**40)
    fetched = [
        FetchedPage(
            url=page.url,
            fetched_at=page.fetched_at,
            status=200,
            protocol="HTTP/1.1",
            request_headers=[("User-Agent", "ingest-bench")],
            response_headers=[("Content-Type", page.content_type or "text/html")],
            body=page.body,
        )
        for page in pages
    ]
    started = time.process_time()
    for page in fetched:
        store.write(page, None)
    seconds = time.process_time() - started
    store.close()
    return seconds


def measure(
    name: str, crawl_args: Sequence[str], refetch_args: Sequence[str], work: Path
) -> Result:
    database = f"sqlite:///{work / 'archive.sqlite3'}"
    raw_dir = work / "raw"
    crawl_seconds, fetched = _crawl(crawl_args, database, raw_dir, work / "first.log")
    first_size = _size(raw_dir)
    kept = _kept_pages(database, raw_dir)
    if not kept:
        raise BenchFailed(f"{name}: the crawl kept no pages")
    articles, html = len(kept), sum(len(page.body) for page in kept)
    write_cpu = _write_cpu(kept, work)
    _crawl(refetch_args, database, raw_dir, work / "refetch.log")
    refetch = _size(raw_dir) - first_size
    seconds, out = _ingest(database, raw_dir, "reextract")
    read = int(re.search(r"read (\d+) of", out).group(1))  # type: ignore[union-attr]
    return Result(
        name, articles, fetched, first_size, html, refetch, crawl_seconds, seconds, read, write_cpu
    )


def print_results(results: Sequence[Result]) -> None:
    print(
        f"{'page set':28} {'articles':>8} {'WARC B/article':>15} {'HTML B/article':>15}"
        f" {'refetch B/article':>18} {'write CPU ms/page':>18} {'crawl s/page':>13}"
        f" {'reextract s/page':>17}"
    )
    for r in results:
        print(
            f"{r.name:28} {r.articles:>8} {r.warc_bytes / r.articles:>15,.0f}"
            f" {r.html_bytes / r.articles:>15,.0f} {r.refetch_bytes / r.articles:>18,.0f}"
            f" {1000 * r.write_cpu_seconds / r.articles:>18.2f}"
            f" {r.crawl_seconds / max(r.pages_fetched, 1):>13.3f}"
            f" {r.reextract_seconds / max(r.reextract_read, 1):>17.3f}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="ingest-bench-raw-"))
    os.environ.pop("INGEST_DATABASE_URL", None)
    try:
        results = []
        fixture = work / "fixture"
        fixture.mkdir()
        with site_server(FIXTURE_SITE) as server:
            base = ["rudaw", "-a", f"base_url={server.url}"]
            results.append(
                measure(
                    "fixture site (rudaw)",
                    base,
                    [*base, "-s", "INGEST_SKIP_KNOWN=False"],
                    fixture,
                )
            )
        corpus = work / "corpus"
        site, pages = build_site(corpus / "site", 181)
        with site_server(site) as server:
            urls = write_url_list(corpus / "urls.txt", server.url, pages)
            crawl = ["urls", "-a", f"file={urls}"]
            results.append(measure(f"corpus ({pages} pages)", crawl, crawl, corpus))
        print_results(results)
    except BenchFailed as exc:
        print(f"bench_raw: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"work folder kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
