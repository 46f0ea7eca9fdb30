"""Write a stream of article records as JSON Lines, CSV or Parquet, never holding them all."""

from __future__ import annotations

import csv
import json
from typing import IO, TYPE_CHECKING, Any

from ingest.records import ARTICLE_FIELDS, article_record

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ingest.storage.models import Article

FORMATS = ("jsonl", "csv", "parquet")
#: Records per Parquet row group: large enough to compress well, small enough to stay flat.
PARQUET_BATCH = 5000


def write_articles(articles: Iterable[Article], fmt: str, out: IO[bytes]) -> int:
    """Write every field of the articles to ``out`` (a binary stream); return how many."""
    if fmt == "jsonl":
        return _write_jsonl((article_record(a) for a in articles), out)
    if fmt == "csv":
        return _write_csv((article_record(a) for a in articles), out)
    if fmt == "parquet":
        # Parquet keeps real timestamps, not their ISO text.
        return _write_parquet(({n: getattr(a, n) for n in ARTICLE_FIELDS} for a in articles), out)
    raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")


def _write_jsonl(records: Iterable[dict[str, Any]], out: IO[bytes]) -> int:
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
        count += 1
    return count


class _BinaryText:
    """Let the csv module write UTF-8 into a binary stream."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out

    def write(self, text: str) -> int:
        return self.out.write(text.encode())


def _write_csv(records: Iterable[dict[str, Any]], out: IO[bytes]) -> int:
    writer = csv.DictWriter(_BinaryText(out), fieldnames=ARTICLE_FIELDS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for record in records:
        # Lists stay lossless as JSON arrays inside the cell.
        record["authors"] = json.dumps(record["authors"], ensure_ascii=False)
        record["tags"] = json.dumps(record["tags"], ensure_ascii=False)
        writer.writerow(record)
        count += 1
    return count


def _write_parquet(records: Iterable[dict[str, Any]], out: IO[bytes]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    timestamp = pa.timestamp("us", tz="UTC")
    types = {
        "id": pa.int64(),
        "authors": pa.list_(pa.string()),
        "tags": pa.list_(pa.string()),
        "published_at": timestamp,
        "modified_at": timestamp,
        "first_seen_at": timestamp,
        "last_seen_at": timestamp,
    }
    schema = pa.schema([(name, types.get(name, pa.string())) for name in ARTICLE_FIELDS])
    count = 0
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        batch: list[dict[str, Any]] = []
        for record in records:
            batch.append(record)
            if len(batch) == PARQUET_BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count += len(batch)
                batch = []
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
    return count
