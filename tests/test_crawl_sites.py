"""A second site profile and the ``urls`` spider, end to end: new sites are data, not spiders."""

from __future__ import annotations

import json
import shutil
from urllib.parse import urlsplit

from sqlalchemy import select

from ingest.storage.models import Article
from ingest.storage.session import make_engine, make_sessionmaker
from tests.conftest import SEED_LINES, SITES, crawlable_articles, run_crawl
from tests.scheduler_probe import STAT
from tests.site_server import SiteServer


def _stored(url: str) -> dict[str, Article]:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        articles = {urlsplit(a.canonical_url).path: a for a in session.scalars(select(Article))}
    engine.dispose()
    return articles


def test_kurdistan24_profile_crawls_its_own_site(kurdistan24_site, tmp_path, db_url):
    result = run_crawl("kurdistan24", tmp_path, db_url, f"base_url={kurdistan24_site.url}")
    assert result.returncode == 0, result.log[-3000:]
    stored = _stored(db_url)
    expected = {
        urlsplit(a["canonical_url"]).path: a for a in crawlable_articles("kurdistan24").values()
    }
    assert set(stored) == set(expected)
    for path, data in expected.items():
        article = stored[path]
        for field in (
            "title",
            "section",
            "language",
            "edition",
            "authors",
            "image_caption",
            "tags",
            "text",
        ):
            assert getattr(article, field) == data[field], (path, field)
        assert "Read More" not in article.text
    # Story 815512 is linked only from the Middle East section, whose menu link on story pages
    # has a URL shape the profile's listing patterns do not match.
    assert result.stats["ingest/discover/links/sections"] >= 1


def test_a_second_crawl_of_the_same_site_adds_no_row(tmp_path, sqlite_url):
    # Story 815512 has no canonical link. The second crawl finds it under another form of its
    # URL (trailing slash, tracking parameters, fragment), as a site's links change over time.
    site = tmp_path / "site"
    shutil.copytree(SITES / "kurdistan24", site)
    section = site / "en" / "section" / "14" / "middle-east.html"
    story = "/en/story/815512/baghdad-and-ankara-agree-on-summer-water-releases-into-the-tigris"
    runs = []
    with SiteServer(site) as server:
        for _ in range(2):
            runs.append(
                run_crawl(
                    "kurdistan24",
                    tmp_path,
                    sqlite_url,
                    f"base_url={server.url}",
                    INGEST_SKIP_KNOWN=False,
                )
            )
            html = section.read_text(encoding="utf-8")
            section.write_text(
                html.replace(f'"{story}"', f'"{story}/?utm_source=section&utm_medium=menu#top"'),
                encoding="utf-8",
            )
    assert all(run.returncode == 0 for run in runs), runs[-1].log[-3000:]
    assert story in _stored(sqlite_url)
    assert runs[1].stats.get("ingest/store/new", 0) == 0
    assert runs[1].stats["ingest/store/unchanged"] == runs[0].stats["ingest/store/new"]
    assert len(_stored(sqlite_url)) == runs[0].stats["ingest/store/new"]


def test_kurdistan24_editions_argument_narrows_the_crawl(kurdistan24_site, tmp_path, sqlite_url):
    result = run_crawl(
        "kurdistan24", tmp_path, sqlite_url, f"base_url={kurdistan24_site.url}", "editions=ar"
    )
    assert result.returncode == 0, result.log[-3000:]
    assert {a.edition for a in _stored(sqlite_url).values()} == {"ar"}


def test_unknown_edition_is_a_clear_error(kurdistan24_site, tmp_path, sqlite_url):
    result = run_crawl(
        "rudaw", tmp_path, sqlite_url, f"base_url={kurdistan24_site.url}", "editions=klingon"
    )
    assert result.returncode != 0
    assert "unknown edition(s) ['klingon']" in result.log


def test_urls_spider_ingests_exactly_the_listed_pages(rudaw_site, tmp_path, sqlite_url):
    listed = tmp_path / "urls.txt"
    listed.write_text(
        "\n".join(
            [
                "# the golden article, its AMP twin, a removed story and a line that is no URL",
                f"{rudaw_site.url}/english/middleeast/iraq/240720241",
                f"{rudaw_site.url}/english/middleeast/iraq/240720241-amp",
                "",
                f"{rudaw_site.url}/english/middleeast/iran/200720241",
                "not a url",
            ]
        ),
        encoding="utf-8",
    )
    rudaw_site.requests.clear()
    result = run_crawl("urls", tmp_path, sqlite_url, f"file={listed}")
    assert result.returncode == 0, result.log[-3000:]
    stored = _stored(sqlite_url)
    assert list(stored) == ["/english/middleeast/iraq/240720241"]
    article = stored["/english/middleeast/iraq/240720241"]
    assert article.text == "\n".join(SEED_LINES[2:24])
    assert (
        article.site == "rudaw"
    )  # the mirror's pages are matched to the profile by canonical host
    assert result.stats["ingest/urls/invalid"] == 1
    assert (
        result.stats["item_dropped_reasons_count/TooShort"]
        + result.stats.get("item_dropped_reasons_count/NoArticleBody", 0)
        == 1
    )
    # No link following: only the listed pages (and robots.txt) were requested.
    assert {p for p in rudaw_site.requests if p != "/robots.txt"} == {
        "/english/middleeast/iraq/240720241",
        "/english/middleeast/iraq/240720241-amp",
        "/english/middleeast/iran/200720241",
    }


def test_urls_spider_without_a_file_is_a_clear_error(tmp_path, sqlite_url):
    result = run_crawl("urls", tmp_path, sqlite_url, f"file={tmp_path / 'missing.txt'}")
    assert "does not exist" in result.log


def test_bad_responses_are_counted_drops_not_crashes(tmp_path, sqlite_url):
    site = tmp_path / "site"
    (site / "news").mkdir(parents=True)
    (site / "news" / "huge.html").write_bytes(
        b"<html><body>" + b"<p>filler paragraph</p>" * 120_000 + b"</body></html>"
    )
    (site / "news" / "report.pdf.txt").write_bytes(b"%PDF-1.7 not a page")
    (site / "news" / "empty.html").write_bytes(b"")
    (site / "news" / "binary.html").write_bytes(bytes(range(256)) * 40)
    (site / "_site.json").write_text(
        '{"headers": {"/news/report.pdf": {"Content-Type": "application/pdf"}}}'
    )
    with SiteServer(site) as server:
        listed = tmp_path / "urls.txt"
        pages = [
            f"{server.url}/news/{name}"
            for name in ("huge", "report.pdf", "empty", "binary", "missing")
        ]
        # Port 9 (discard) has no listener here: the connection is refused.
        listed.write_text("\n".join([*pages, "http://127.0.0.1:9/news/closed-port"]))
        result = run_crawl(
            "urls", tmp_path, sqlite_url, f"file={listed}", DOWNLOAD_MAXSIZE=1_000_000
        )
    # Not one article among the pages: the run says so in its exit status and verdict.
    assert result.returncode == 1, result.log[-3000:]
    assert result.stats["ingest/run/verdict_reason"] == "no article stored of 6 article pages"
    assert "Traceback" not in result.log
    stats = result.stats
    dropped = {
        k.removeprefix("item_dropped_reasons_count/"): v
        for k, v in stats.items()
        if k.startswith("item_dropped_reasons_count/")
    }
    failed = {
        k.removeprefix("ingest/fetch/failed/"): v
        for k, v in stats.items()
        if k.startswith("ingest/fetch/failed/")
    }
    assert dropped.get("NotHtml") == 1  # the PDF
    assert failed.get("http_404") == 1  # missing
    assert failed.get("too_large") == 1  # huge: cancelled at DOWNLOAD_MAXSIZE
    assert failed.get("connection_refused") == 1
    # empty and binary: no article in them
    assert sum(dropped.values()) + sum(failed.values()) == 6, (dropped, failed)
    assert _stored(sqlite_url) == {}


def test_urls_spider_makes_its_requests_as_the_crawl_has_room(tmp_path, sqlite_url):
    # 60 listed pages, two fetched at a time: the scheduler holds a few, never the whole list.
    site = tmp_path / "site"
    (site / "p").mkdir(parents=True)
    for i in range(60):
        (site / "p" / f"{i}.html").write_text(f"<html><body><p>Page {i}.</p></body></html>")
    listed = tmp_path / "urls.txt"
    with SiteServer(site) as server:
        listed.write_text("".join(f"{server.url}/p/{i}.html\n" for i in range(60)))
        extensions = {
            "ingest.extensions.StatsFileWriter": 510,
            "tests.scheduler_probe.SchedulerProbe": 600,
        }
        result = run_crawl(
            "urls",
            tmp_path,
            sqlite_url,
            f"file={listed}",
            EXTENSIONS=json.dumps(extensions),
            CONCURRENT_REQUESTS=2,
            CONCURRENT_REQUESTS_PER_DOMAIN=2,
        )
    assert result.stats["ingest/fetch/pages"] == 60, result.log[-3000:]
    assert result.stats[STAT] <= 4
