"""Export streams every row in batches: more rows than one batch, every format, both backends."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from ingest import cli
from ingest.records import ARTICLE_FIELDS, article_record
from ingest.storage import migrate, queries
from ingest.storage.models import Article
from ingest.storage.repository import upsert_article
from ingest.storage.session import make_engine, make_sessionmaker

ROWS = 25
T0 = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture
def archive(db_url, monkeypatch):
    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    with make_sessionmaker(engine).begin() as session:
        for number in range(ROWS):
            url = f"https://www.rudaw.net/english/kurdistan/{number:08d}"
            values = {"canonical_url": url, "url": url, "site": "rudaw", "edition": "english"}
            values |= {
                "title": f"Story {number}",
                "text": f"Body of story {number}, “quoted” — ڕووداو.",
            }
            values |= {
                "authors": ["Rudaw"],
                "tags": ["a", "b"],
                "published_at": T0 + timedelta(days=number),
            }
            # Seen at a time with microseconds: exports must print them as --json does.
            upsert_article(session, values, T0 + timedelta(microseconds=123456))
    engine.dispose()
    # Several round trips per export: the streaming path, not one fetch, is what runs.
    monkeypatch.setattr(queries, "STREAM_BATCH", 4)
    return db_url


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_export_streams_all_rows_in_order(archive, tmp_path, fmt, capsys):
    output = tmp_path / f"out.{fmt}"
    assert cli.main(["--db", archive, "export", "--format", fmt, "--output", str(output)]) == 0
    assert f"exported {ROWS} articles" in capsys.readouterr().err
    if fmt == "jsonl":
        rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
        assert list(rows[0]) == list(ARTICLE_FIELDS)
        assert rows[3]["published_at"] == "2024-01-04T00:00:00Z"
    elif fmt == "csv":
        with output.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert json.loads(rows[0]["tags"]) == ["a", "b"]
        assert rows[3]["published_at"] == "2024-01-04T00:00:00Z"
    else:
        rows = pq.read_table(output).to_pylist()
        assert rows[3]["published_at"] == T0 + timedelta(days=3)
    assert [r["title"] for r in rows] == [f"Story {n}" for n in range(ROWS)]
    assert rows[0]["text"] == "Body of story 0, “quoted” — ڕووداو."


def test_export_with_filters_and_to_stdout(archive, capsysbinary):
    code = cli.main(
        ["--db", archive, "export", "--since", "2024-01-20", "--format", "jsonl", "-o", "-"]
    )
    assert code == 0
    rows = [json.loads(line) for line in capsysbinary.readouterr().out.splitlines()]
    assert [r["title"] for r in rows] == [f"Story {n}" for n in range(19, ROWS)]


def test_jsonl_records_equal_show_json_records(archive, tmp_path):
    output = tmp_path / "out.jsonl"
    assert cli.main(["--db", archive, "export", "--format", "jsonl", "--output", str(output)]) == 0
    exported = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    engine = make_engine(archive)
    with make_sessionmaker(engine)() as session:
        shown = [article_record(a) for a in session.scalars(select(Article).order_by(Article.id))]
    engine.dispose()
    assert exported == shown
    assert exported[0]["first_seen_at"] == "2024-01-01T00:00:00.123456Z"
