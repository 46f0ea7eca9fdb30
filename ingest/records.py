"""Articles and crawl runs as plain records: the stable field names of ``--json`` and exports.

Each takes a row of its table (``ingest.storage.queries`` returns ``Row``s) or an ORM object
alike: only the attributes named after the columns are read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ingest import fields

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy import Row

    from ingest.storage.models import Article, ArticleRevision, CrawlRun

_EXPORTED = [f for f in fields.ARTICLE if f.role is not fields.Role.RAW]
#: Every field of an exported article (and of ``ingest show --json``), in output order: the
#: row id, then ``ingest.fields.ARTICLE`` but where the raw page store keeps the page.
ARTICLE_FIELDS = ("id", *(f.name for f in _EXPORTED))
#: The article fields that are times (aware, UTC), lists of strings, and integers.
TIME_FIELDS = tuple(f.name for f in _EXPORTED if f.kind == "time")
LIST_FIELDS = tuple(f.name for f in _EXPORTED if f.kind == "list")
INT_FIELDS = ("id", *(f.name for f in _EXPORTED if f.kind == "int"))
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


def article_record(article: Row[Any] | Article) -> dict[str, Any]:
    record = {name: getattr(article, name) for name in ARTICLE_FIELDS}
    for name in TIME_FIELDS:
        record[name] = iso(record[name])
    for name in LIST_FIELDS:
        record[name] = list(record[name] or [])
    return record


def revision_record(revision: Row[Any] | ArticleRevision) -> dict[str, Any]:
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


def run_record(run: Row[Any] | CrawlRun) -> dict[str, Any]:
    record = {name: getattr(run, name) for name in RUN_FIELDS}
    record["started_at"] = iso(run.started_at)
    record["finished_at"] = iso(run.finished_at)
    record["items_dropped"] = dict(run.items_dropped or {})
    return record
