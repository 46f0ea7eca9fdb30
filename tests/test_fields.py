"""One declaration of an article's fields (``ingest.fields``), checked against a real archive.

Every column of the migrated ``articles`` table is declared once, and an article whose every
field holds a value of its own reaches the table through the item and the upsert, and comes
back out of ``show --json`` and each export format with every exported column, as stored.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import inspect, select

from ingest import fields
from ingest.items import ArticleItem
from ingest.records import iso
from ingest.storage import migrate
from ingest.storage.models import Article
from ingest.storage.repository import row_values
from ingest.storage.session import make_engine, make_sessionmaker
from tests.conftest import store_articles

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.conftest import Done

SEEN = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
#: PostgreSQL's generated full-text columns (search is hand-written DDL in the migrations).
SEARCH_COLUMNS = {"search_vector", "search_head"}
#: The table's columns that are no article field: the row id, and the full-text columns.
NOT_FIELDS = {"id", *SEARCH_COLUMNS}


def _stored_columns(db_url: str) -> list[str]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            return [c["name"] for c in inspect(connection).get_columns("articles")]
    finally:
        engine.dispose()


def _distinct_value(field: fields.Field, number: int) -> Any:
    """Return a value for ``field`` that no other field of the article has."""
    if field.kind == "list":
        return [f"{field.name} one", f"{field.name} two"]
    if field.kind == "time":
        return SEEN - timedelta(days=number, microseconds=number)
    if field.kind == "int":
        return 1000 + number
    if field.name.endswith("url"):
        return f"https://example.org/fields/{field.name}"
    return f"{field.name} {number}"


def _item() -> ArticleItem:
    """Return an item whose every article field (url and canonical URL aside) differs.

    The URLs share a path, as a page and its canonical form do: a twin page (another path)
    would leave a stored article's content alone.
    """
    values = {
        f.name: _distinct_value(f, n)
        for n, f in enumerate(fields.ARTICLE)
        if f.name in {f.name for f in dataclasses.fields(ArticleItem)}
    }
    values["url"] = values["canonical_url"] = "https://example.org/fields/one"
    return ArticleItem(**values, fetched_at=SEEN)


def test_every_articles_column_is_one_declared_field(db_url):
    migrate.upgrade(db_url)
    stored = set(_stored_columns(db_url)) - NOT_FIELDS
    assert stored == {f.name for f in fields.ARTICLE}
    assert len(fields.ARTICLE) == len(stored)


def test_the_item_carries_every_field_but_the_stores_own(db_url):
    migrate.upgrade(db_url)
    carried = {f.name for f in dataclasses.fields(ArticleItem)}
    store_kept = {f.name for f in fields.ARTICLE if f.role is fields.Role.RECORD}
    assert store_kept == {"content_hash", "first_seen_at", "last_seen_at"}
    assert set(_stored_columns(db_url)) - NOT_FIELDS - store_kept <= carried


def test_an_article_reaches_every_column_and_every_output(
    db_url: str, run_ingest: Callable[..., Done], tmp_path: Path
) -> None:
    item = _item()
    store_articles(db_url, [row_values(item)], SEEN)
    columns = _stored_columns(db_url)

    # Stored: every field the item carries, in its column.
    engine = make_engine(db_url)
    with make_sessionmaker(engine)() as session:
        row = session.scalars(select(Article)).one()
        for name in {f.name for f in dataclasses.fields(ArticleItem)} & set(columns):
            assert getattr(row, name) == getattr(item, name), name
        stored = {name: getattr(row, name) for name in columns if name not in SEARCH_COLUMNS}
    engine.dispose()

    # Shown and exported: every column but where the raw page store keeps the page.
    raw = {f.name for f in fields.ARTICLE if f.role is fields.Role.RAW}
    exported = [name for name in columns if name not in raw | SEARCH_COLUMNS]
    expected = {
        name: iso(value) if isinstance(value, datetime) else value
        for name, value in stored.items()
        if name in exported
    }
    done = run_ingest(db_url, "show", str(row.id), "--json")
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown == expected

    outputs = {}
    for fmt in ("jsonl", "csv", "parquet"):
        outputs[fmt] = tmp_path / f"articles.{fmt}"
        done = run_ingest(db_url, "export", "--format", fmt, "--output", str(outputs[fmt]))
        assert done.returncode == 0, done.stderr
    (line,) = outputs["jsonl"].read_text(encoding="utf-8").splitlines()
    assert json.loads(line) == shown
    with outputs["csv"].open(encoding="utf-8", newline="") as handle:
        (record,) = csv.DictReader(handle)
    assert list(record) == list(shown)
    assert record["title"] == shown["title"]
    table = pq.read_table(outputs["parquet"])
    assert sorted(table.column_names) == sorted(exported)
    (exported_row,) = table.to_pylist()
    for name, value in exported_row.items():
        assert value == stored[name], name
    for name in exported:
        kind = next((f.kind for f in fields.ARTICLE if f.name == name), "int")
        assert {
            "time": pa.types.is_timestamp,
            "list": pa.types.is_list,
            "int": pa.types.is_integer,
            "text": pa.types.is_string,
        }[kind](table.schema.field(name).type), name
