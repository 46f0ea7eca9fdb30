"""``make demo``: crawl the bundled Rudaw-style sample site into the default SQLite archive and show it.

Runs offline: the sample site (tests/fixtures/sites/rudaw) is served on 127.0.0.1 and the
real ``scrapy crawl rudaw`` is pointed at it with ``-a base_url``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import func, select

from ingest.storage.models import Article
from ingest.storage.session import make_engine, make_sessionmaker
from settings.base import INGEST_DATABASE_URL
from tests.site_server import SiteServer

REPO_ROOT = Path(__file__).resolve().parent.parent
SITE = REPO_ROOT / "tests" / "fixtures" / "sites" / "rudaw"


def main() -> int:
    with SiteServer(SITE) as server:
        print(f"Serving the sample Rudaw site at {server.url}")
        print(f"Crawling it into {INGEST_DATABASE_URL}")
        print(
            "The sample site breaks on purpose (a 500, a 404, a page slower than the timeout, a\n"
            "malformed feed, a removed story): the warnings below are those, counted, not fatal.\n"
        )
        crawl = [
            str(Path(sys.executable).parent / "scrapy"),
            "crawl",
            "rudaw",
            "-a",
            f"base_url={server.url}",
            # The sample site has one deliberately slow page; don't wait 30 s for it.
            "-s",
            "DOWNLOAD_TIMEOUT=5",
            "-s",
            "RETRY_TIMES=0",
            "-s",
            "LOG_LEVEL=WARNING",
        ]
        done = subprocess.run(crawl, cwd=REPO_ROOT, env=os.environ.copy(), check=False)
        if done.returncode != 0:
            print("the crawl failed", file=sys.stderr)
            return done.returncode
    _report()
    return 0


def _report() -> None:
    engine = make_engine(INGEST_DATABASE_URL)
    with make_sessionmaker(engine)() as session:
        total = session.scalar(select(func.count()).select_from(Article))
        print(f"\n{total} articles stored.\n\nArticles per edition and section:")
        rows = session.execute(
            select(Article.edition, Article.section, func.count())
            .group_by(Article.edition, Article.section)
            .order_by(Article.edition, Article.section)
        )
        for edition, section, count in rows:
            print(f"  {edition or '-':10} {section or '-':22} {count}")
        print("\nLatest titles:")
        latest = session.scalars(select(Article).order_by(Article.published_at.desc()).limit(5))
        for article in latest:
            when = (
                article.published_at.strftime("%Y-%m-%d %H:%M UTC")
                if article.published_at
                else "undated"
            )
            print(f"  [{article.language}] {when}  {article.title}")
        golden = session.scalars(
            select(Article).where(Article.canonical_url.like("%/240720241"))
        ).first()
        if golden is not None:
            print("\nOne cleaned article (the seed article, section, caption and body once):")
            print(
                f"  title:   {golden.title}\n  section: {golden.section}\n  authors: {golden.authors}"
            )
            print(f"  caption: {golden.image_caption}")
            body = "\n".join(golden.text.split("\n")[:3])
            print(
                textwrap.indent(body, "  | ")
                + f"\n  | … ({len(golden.text.splitlines())} paragraphs)"
            )
    engine.dispose()
    ingest = str(Path(sys.executable).parent / "ingest")
    for example in (
        ["search", "global coalition", "--limit", "3"],
        ["list", "--edition", "sorani"],
    ):
        shown = " ".join(f'"{a}"' if " " in a else a for a in example)
        print(f"\n$ ingest {shown}", flush=True)
        subprocess.run([ingest, *example], cwd=REPO_ROOT, check=False)
    print("\nMore: ingest --help, and the SQL examples in README.md.")


if __name__ == "__main__":
    raise SystemExit(main())
