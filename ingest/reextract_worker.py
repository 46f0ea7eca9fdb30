"""What a re-extraction worker process runs: make one article again from its stored page.

The same chain as a crawl's pipeline stages (extract → fill from the profile → dedupe
paragraphs → strip boilerplate → fall back to trafilatura's text → strip learned boilerplate →
validate), through the same functions, without Scrapy and
without the network. Kept apart from ``ingest.reextract`` so that a spawned worker imports
the extraction code and not the database layer.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from pathlib import Path

from ingest.extract_worker import exit_with_parent, extract_page
from ingest.extraction.article import (
    adopting_profile,
    build_article,
    clean_article,
    rejection,
    site_rules,
)
from ingest.items import ArticleItem
from ingest.raw import RecordLocation, read_page


@dataclass(frozen=True, slots=True)
class Task:
    article_id: int
    raw_dir: str
    location: RecordLocation
    site: str | None
    edition: str | None
    min_chars: int
    #: Digests of the paragraphs learned as the site's boilerplate (``boilerplate_paragraphs``).
    learned: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Result:
    """The article made again, or why none could be: a crawl's drop reason, or
    ``PageUnreadable`` when the stored page is missing or damaged."""

    article_id: int
    article: ArticleItem | None = None
    failure: str | None = None
    message: str = ""


def start_worker(parent_pid: int) -> None:
    """In a worker: leave Ctrl-C to the parent, which stops after its batch, and die with it.

    A terminal sends SIGINT to the whole process group; workers that died of it would break
    the pool under the batch the parent is finishing.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with_parent(parent_pid)


def remake_article(task: Task) -> Result:
    """Read the stored page and make its article as a crawl would today."""
    try:
        page = read_page(Path(task.raw_dir), task.location)
    except (OSError, ValueError) as exc:
        return Result(task.article_id, failure="PageUnreadable", message=str(exc))
    profile = site_rules(task.site).profile
    site, edition = task.site, task.edition
    try:
        extracted = extract_page(page.body, page.content_type, page.url, profile)
        if extracted is None:
            return Result(task.article_id, failure="NoArticleBody", message=page.url)
        if adopted := adopting_profile(profile, extracted):
            profile, edition = adopted
            site = profile.key
            extracted = extract_page(page.body, page.content_type, page.url, profile) or extracted
    except ValueError as exc:
        return Result(task.article_id, failure="UnparseableHtml", message=f"{page.url}: {exc}")
    article = clean_article(
        build_article(
            url=page.url,
            site=site,
            edition=edition,
            fetched_at=page.fetched_at,
            extracted=extracted,
            profile=profile,
        ),
        task.learned,
    )
    if found := rejection(article, task.min_chars):
        reason, message = found
        return Result(task.article_id, failure=reason.value, message=message)
    return Result(task.article_id, article=article)
