"""Bare trafilatura on the same pages: ``trafilatura.extract`` with default settings, in a worker."""

from __future__ import annotations

import gzip
import logging
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence


@dataclass(frozen=True, slots=True)
class Reference:
    text: str
    title: str | None
    date: str | None


def reference_for(file: str) -> Reference:
    """The text ``trafilatura.extract(html)`` gives (bytes in: its own charset detection), and
    the title and date its metadata extraction finds (run apart: ``extract``'s text is the
    reference, and metadata options would change what it does)."""
    import trafilatura

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    body = gzip.decompress(Path(file).read_bytes())
    text = trafilatura.extract(body) or ""
    meta = trafilatura.extract_metadata(body)
    return Reference(text, meta.title if meta else None, meta.date if meta else None)


def start(files: Sequence[str]) -> tuple[ProcessPoolExecutor, Iterator[Reference]]:
    """Run the reference over the pages in two background processes while the crawl runs."""
    pool = ProcessPoolExecutor(2)
    return pool, pool.map(reference_for, files, chunksize=20)
