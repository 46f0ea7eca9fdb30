"""Write a stream of article rows as JSON Lines, CSV or Parquet, never holding them all."""

from __future__ import annotations

import csv
from typing import IO, TYPE_CHECKING, Any

import orjson

from ingest.records import ARTICLE_FIELDS

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

FORMATS = ("jsonl", "csv", "parquet")
#: Rows per Parquet row group: large enough to compress well, small enough to stay flat.
PARQUET_BATCH = 5000
_LIST_FIELDS = ("authors", "tags")


#: Formats that take rows as text (``iter_article_rows(..., as_text=True)``): times as ISO
#: strings, lists as JSON text. Parquet takes typed rows.
TEXT_FORMATS = ("jsonl", "csv")


def write_articles(rows: Iterable[Mapping[str, Any]], fmt: str, out: IO[bytes]) -> int:
    """Write the rows (every field of ``ARTICLE_FIELDS``) to ``out``; return how many."""
    if fmt == "jsonl":
        return _write_jsonl(rows, out)
    if fmt == "csv":
        return _write_csv(rows, out)
    if fmt == "parquet":
        return _write_parquet(rows, out)
    raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")


def _write_jsonl(rows: Iterable[Mapping[str, Any]], out: IO[bytes]) -> int:
    # orjson: several times faster than the standard library's encoder; the list columns
    # arrive as JSON text already and go in as they are.
    count = 0
    for row in rows:
        record = dict(row)
        for name in _LIST_FIELDS:
            record[name] = orjson.Fragment(record[name] or "[]")
        out.write(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE))
        count += 1
    return count


class _BinaryText:
    """Let the csv module write UTF-8 into a binary stream."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out

    def write(self, text: str) -> int:
        return self.out.write(text.encode())


def _write_csv(rows: Iterable[Mapping[str, Any]], out: IO[bytes]) -> int:
    # Rows arrive as text: times in ISO 8601, lists as JSON arrays, lossless in their cell.
    writer = csv.writer(_BinaryText(out), lineterminator="\n")
    writer.writerow(ARTICLE_FIELDS)
    count = 0
    for row in rows:
        writer.writerow(row.values())
        count += 1
    return count


def _write_parquet(rows: Iterable[Mapping[str, Any]], out: IO[bytes]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    timestamp = pa.timestamp("us", tz="UTC")
    types = {
        "id": pa.int64(),
        **dict.fromkeys(_LIST_FIELDS, pa.list_(pa.string())),
        **dict.fromkeys(
            ("published_at", "modified_at", "first_seen_at", "last_seen_at"), timestamp
        ),
    }
    schema = pa.schema([(name, types.get(name, pa.string())) for name in ARTICLE_FIELDS])
    count = 0
    columns: dict[str, list[Any]] = {name: [] for name in ARTICLE_FIELDS}
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        for row in rows:
            for name, value in row.items():
                columns[name].append(value)
            count += 1
            if count % PARQUET_BATCH == 0:
                writer.write_table(pa.Table.from_pydict(columns, schema=schema))
                columns = {name: [] for name in ARTICLE_FIELDS}
        if columns["id"]:
            writer.write_table(pa.Table.from_pydict(columns, schema=schema))
    return count
