"""Articles and crawl runs as plain records: the stable field names of ``--json`` and exports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ingest.storage.repository import CONTENT_COLUMNS

if TYPE_CHECKING:
    from datetime import datetime

    from ingest.storage.models import Article, ArticleRevision, CrawlRun

#: Every field of an exported article, in output order. Documented in the README; append only.
ARTICLE_FIELDS = (
    "id",
    "url",
    "canonical_url",
    *(column for column in CONTENT_COLUMNS if column != "url"),
    "content_hash",
    "first_seen_at",
    "last_seen_at",
)
#: The article fields that are times (aware, UTC) and lists of strings.
TIME_FIELDS = ("published_at", "modified_at", "first_seen_at", "last_seen_at")
LIST_FIELDS = ("authors", "tags")
RUN_FIELDS = (
    "id",
    "spider",
    "site",
    "started_at",
    "finished_at",
    "finish_reason",
    "pages_fetched",
    "articles_new",
    "articles_updated",
    "articles_unchanged",
    "items_dropped",
    "errors",
    "verdict",
    "verdict_reason",
)


def iso(value: datetime | None) -> str | None:
    """Return an aware datetime as ISO 8601 UTC with a ``Z``."""
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def article_record(article: Article) -> dict[str, Any]:
    record = {name: getattr(article, name) for name in ARTICLE_FIELDS}
    for name in TIME_FIELDS:
        record[name] = iso(record[name])
    for name in LIST_FIELDS:
        record[name] = list(record[name] or [])
    return record


def revision_record(revision: ArticleRevision) -> dict[str, Any]:
    return {
        "id": revision.id,
        "title": revision.title,
        "lead": revision.lead,
        "text": revision.text,
        "content_hash": revision.content_hash,
        "modified_at": iso(revision.modified_at),
        "seen_at": iso(revision.seen_at),
        "replaced_at": iso(revision.replaced_at),
        "reason": revision.reason,
    }


def run_record(run: CrawlRun) -> dict[str, Any]:
    record = {name: getattr(run, name) for name in RUN_FIELDS}
    record["started_at"] = iso(run.started_at)
    record["finished_at"] = iso(run.finished_at)
    record["items_dropped"] = dict(run.items_dropped or {})
    return record
