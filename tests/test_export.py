"""Export streams every row in batches: more rows than one batch, every format, both backends."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import create_engine, select, text

from ingest import cli
from ingest.records import ARTICLE_FIELDS, article_record, iso
from ingest.storage import stream
from ingest.storage.models import Article
from ingest.storage.session import make_engine, make_sessionmaker
from tests.conftest import POSTGRES_ADMIN_URL, insert_articles, store_articles

ROWS = 25
TRICKY = 'He said "no", then left.\r\nNext line\n\ttab \\ backslash \x01 control'
T0 = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture
def archive(db_url, monkeypatch):
    articles = []
    for number in range(ROWS):
        url = f"https://www.rudaw.net/english/kurdistan/{number:08d}"
        values = {"canonical_url": url, "url": url, "site": "rudaw", "edition": "english"}
        values |= {
            "title": f"Story {number}",
            "text": f"Body of story {number}, “quoted” — ڕووداو.",
            # Every character a CSV or JSON writer must escape, in some of the rows.
            "lead": TRICKY if number % 3 == 0 else None,
            "image_caption": f'The "{number}" caption, with a comma' if number % 2 else None,
        }
        values |= {
            "authors": ["Rudaw"],
            "tags": ["a", "b"],
            "published_at": T0 + timedelta(days=number),
        }
        articles.append(values)
    # Seen at a time with microseconds: exports must print them as --json does.
    store_articles(db_url, articles, T0 + timedelta(microseconds=123456))
    # Several round trips per export: the streaming path, not one fetch, is what runs.
    monkeypatch.setattr(stream, "STREAM_BATCH", 4)
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


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_every_format_holds_the_records_show_json_prints(archive, tmp_path, fmt):
    output = tmp_path / f"out.{fmt}"
    assert cli.main(["--db", archive, "export", "--format", fmt, "--output", str(output)]) == 0
    engine = make_engine(archive)
    with make_sessionmaker(engine)() as session:
        shown = [article_record(a) for a in session.scalars(select(Article).order_by(Article.id))]
    engine.dispose()
    assert read_back(output, fmt) == shown
    assert shown[0]["lead"] == TRICKY
    assert shown[0]["first_seen_at"] == "2024-01-01T00:00:00.123456Z"


def read_back(path, fmt):
    """The exported rows as ``article_record`` dicts, undoing only what the format imposes."""
    if fmt == "jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    if fmt == "csv":
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            # CSV has text only: no number type, no list type, no null apart from "".
            row["id"] = int(row["id"])
            row["authors"], row["tags"] = json.loads(row["authors"]), json.loads(row["tags"])
            row.update({name: None for name, value in row.items() if value == ""})
        return rows
    rows = pq.read_table(path).to_pylist()
    for row in rows:
        row.update({n: iso(v) for n, v in row.items() if isinstance(v, datetime)})
    return rows


def test_csv_matches_the_csv_module(archive, tmp_path):
    """The hand-built CSV is byte for byte what ``csv.writer`` makes of the same rows."""
    output = tmp_path / "out.csv"
    assert cli.main(["--db", archive, "export", "--format", "csv", "--output", str(output)]) == 0
    records = read_back(output, "csv")
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\n")
    writer.writerow(ARTICLE_FIELDS)
    for record in records:
        writer.writerow(
            json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v for v in record.values()
        )
    assert output.read_bytes().decode() == expected.getvalue()


def fill(db_url, rows, text):
    urls = [f"https://www.rudaw.net/english/world/{number:08d}" for number in range(rows)]
    articles = [
        {"canonical_url": url, "url": url, "site": "rudaw", "edition": "english"}
        | {"title": f"Story {number}", "text": text}
        for number, url in enumerate(urls)
    ]
    insert_articles(db_url, articles, T0)


INGEST = str(Path(sys.executable).with_name("ingest"))


def test_a_reader_that_stops_early_ends_the_export_cleanly(db_url, tmp_path):
    """``ingest export -o - | head -1``: the export stops, exits 0, prints no traceback."""
    # 300 rows of 20 kB: far more than a pipe holds, so the writer must block.
    fill(db_url, 300, "word " * 4000)
    command = [INGEST, "--db", db_url, "export", "-o", "-"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        first = json.loads(process.stdout.readline())
        process.stdout.close()
        assert process.wait(timeout=60) == 0
        errors = process.stderr.read()
    assert first["title"] == "Story 0"
    assert b"Traceback" not in errors


def test_a_database_lost_mid_export_is_one_line_and_exit_1(postgresql_url):
    """The server ends the export's connection half-way: one clear line, exit 1, no traceback."""
    fill(postgresql_url, 6000, "word " * 400)
    command = [INGEST, "--db", postgresql_url, "export", "-o", "-"]
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    database = postgresql_url.rsplit("/", 1)[1]
    try:
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
            # The pipe fills and the export blocks with rows still on the server's cursor.
            assert json.loads(process.stdout.readline())["title"] == "Story 0"
            with admin.connect() as connection:
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = :d AND pid <> pg_backend_pid()"
                    ),
                    {"d": database},
                )
            lines = process.stdout.read().splitlines()
            assert process.wait(timeout=60) == 1
            errors = process.stderr.read().decode()
    finally:
        admin.dispose()
    assert 1000 <= len(lines) + 1 < 6000  # what was fetched before the loss got written
    assert errors.startswith("ingest: database error: ")
    assert len(errors.strip().splitlines()) == 1
