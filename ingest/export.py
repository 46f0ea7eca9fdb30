"""Write batches of article rows as JSON Lines, CSV or Parquet, never holding them all.

Each format's writer imports what only it needs (orjson, pyarrow): ``ingest`` reads
``FORMATS`` from here for every command line it parses.
"""

from __future__ import annotations

import re
from typing import IO, TYPE_CHECKING, Any

from ingest.records import ARTICLE_FIELDS, INT_FIELDS, LIST_FIELDS, TIME_FIELDS

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from concurrent.futures import Future

    from ingest.storage.stream import Shape

FORMATS = ("jsonl", "csv", "parquet")
#: The shape of the rows each format takes from ``stream.iter_article_rows``.
SHAPES: dict[str, Shape] = {"jsonl": "text", "csv": "text", "parquet": "arrow"}
#: Rows per Parquet row group: large enough to compress well, small enough to stay flat.
PARQUET_ROW_GROUP = 5_000
# A CSV cell needs quotes when it holds the delimiter, a quote or a line break.
_NEEDS_QUOTES = re.compile(r'[",\r\n]')


def write_articles(batches: Iterable[Sequence[Sequence[Any]]], fmt: str, out: IO[bytes]) -> int:
    """Write the rows (every field of ``ARTICLE_FIELDS``, in order, in the shape
    ``SHAPES[fmt]``) to ``out``; return how many."""
    if fmt == "jsonl":
        return _write_jsonl(batches, out)
    if fmt == "csv":
        return _write_csv(batches, out)
    if fmt == "parquet":
        return _write_parquet(batches, out)
    raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")


def _write_jsonl(batches: Iterable[Sequence[Sequence[Any]]], out: IO[bytes]) -> int:
    import orjson

    # orjson: several times faster than the standard library's encoder; the list columns
    # arrive as JSON text already and go in as they are.
    count = 0
    for batch in batches:
        lines = []
        for row in batch:
            record = dict(zip(ARTICLE_FIELDS, row, strict=True))
            for name in LIST_FIELDS:
                record[name] = orjson.Fragment(record[name] or "[]")
            lines.append(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE))
        out.write(b"".join(lines))
        count += len(batch)
    return count


def _write_csv(batches: Iterable[Sequence[Sequence[Any]]], out: IO[bytes]) -> int:
    # RFC 4180, as the csv module writes it (quotes only where needed, "" for a quote), but
    # built with str methods that run in C: csv.writer inspects every character in Python's
    # loop and was three quarters of the export's time on long texts.
    out.write((",".join(ARTICLE_FIELDS) + "\n").encode())
    count = 0
    for batch in batches:
        lines = [",".join(map(_csv_cell, row)) for row in batch]
        lines.append("")
        out.write("\n".join(lines).encode())
        count += len(batch)
    return count


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        return str(value)
    if _NEEDS_QUOTES.search(value):
        return '"' + value.replace('"', '""') + '"'
    return value


def _write_parquet(batches: Iterable[Sequence[Sequence[Any]]], out: IO[bytes]) -> int:
    from concurrent.futures import ThreadPoolExecutor

    import orjson
    import pyarrow as pa
    import pyarrow.parquet as pq

    timestamp = pa.timestamp("us", tz="UTC")
    types = {
        **dict.fromkeys(INT_FIELDS, pa.int64()),
        **dict.fromkeys(LIST_FIELDS, pa.list_(pa.string())),
        **dict.fromkeys(TIME_FIELDS, timestamp),
    }
    schema = pa.schema([(name, types.get(name, pa.string())) for name in ARTICLE_FIELDS])

    def column(name: str, values: Sequence[Any]) -> pa.Array:
        if name in LIST_FIELDS:
            return pa.array([orjson.loads(v) if v else [] for v in values], schema.field(name).type)
        if name in TIME_FIELDS:
            return pa.array(values, pa.int64()).cast(timestamp)
        if name in INT_FIELDS:
            return pa.array(values, pa.int64())
        # Text arrives as UTF-8 bytes (short columns as str, which pa.binary() takes too):
        # the cast checks the UTF-8 in C.
        return pa.array(values, pa.binary()).cast(pa.string())

    def row_groups() -> Iterator[pa.Table]:
        pending: list[pa.Table] = []
        for batch in batches:
            if not batch:
                continue
            columns = zip(*batch, strict=True)
            arrays = [
                column(name, values) for name, values in zip(ARTICLE_FIELDS, columns, strict=True)
            ]
            pending.append(pa.Table.from_arrays(arrays, schema=schema))
            if sum(t.num_rows for t in pending) >= PARQUET_ROW_GROUP:
                yield pa.concat_tables(pending)
                pending = []
        if pending:
            yield pa.concat_tables(pending)

    count = 0
    # Dictionary encoding only where values repeat: trying it on every text column costs
    # time and gains nothing on unique bodies.
    repeating = ["site", "edition", "language", "section"]
    with (
        pq.ParquetWriter(
            out,
            schema,
            compression="zstd",
            compression_level=1,
            use_dictionary=repeating,
            write_statistics=["id", *repeating, *TIME_FIELDS],
        ) as writer,
        ThreadPoolExecutor(1, thread_name_prefix="ingest-parquet") as compressor,
    ):
        # Encoding and compressing a row group runs in C without the GIL: in its own thread
        # it overlaps building the next one.
        written: Future[None] | None = None
        for table in row_groups():
            if written is not None:
                written.result()
            written = compressor.submit(writer.write_table, table)
            count += table.num_rows
        if written is not None:
            written.result()
    return count
