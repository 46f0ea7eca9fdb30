"""Extraction CPU per page against plain trafilatura, same pages, same process: ``python -m tests.bench_extract``.

What it measures
    Over the pages of the shared article-extraction-benchmark corpus (``--set tev`` for
    trafilatura-eval; ``$INGEST_SHARED_DIR``, by default ``../shared``), each page decoded
    once as the crawl decodes it (``decode_html``), then, page by page and interleaved so that
    both see the same machine load: ``trafilatura.extract(page)`` with default settings (the
    loop ``make bench-crawl`` compares the crawl with), and ``extract_article(page, url)``
    (what an extraction worker runs per page). Each call is timed with
    ``time.process_time()`` (CPU of this process, so other processes on the machine do not
    count), over ``--rounds`` passes, after one untimed warm-up pass over the first pages.

    It also counts the pages whose result carries the whole-page reference text: the pages on
    which extraction ran trafilatura a second time for the over-pruning safety net.

Without a crawl, start-up, storage or IPC: ``make bench-crawl`` measures those. Exits
non-zero when the corpus is missing.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from typing import TYPE_CHECKING

import trafilatura

from ingest.extraction.decode import decode_html
from ingest.extraction.extract import extract_article
from ingest.extraction.extracted import Extracted
from tests.eval import corpus

if TYPE_CHECKING:
    from collections.abc import Sequence

WARM_UP_PAGES = 5


def measure(set_name: str, limit: int | None, rounds: int) -> dict[str, float | int]:
    """Return the CPU seconds of both extractors over the set's pages, and the page counts."""
    pages = []
    for page in corpus.load(set_name)[:limit]:
        pages.append((decode_html(page.body(), "text/html"), page.url or "http://unknown-host/"))
    for html, url in pages[:WARM_UP_PAGES]:
        trafilatura.extract(html)
        _extract(html, url)
    ours = theirs = 0.0
    second_runs = 0
    for _ in range(rounds):
        for html, url in pages:
            started = time.process_time()
            trafilatura.extract(html)
            middle = time.process_time()
            extracted = _extract(html, url)
            ours += time.process_time() - middle
            theirs += middle - started
            second_runs += bool(extracted and extracted.reference_lines)
    return {
        "pages": len(pages),
        "rounds": rounds,
        "trafilatura_seconds": theirs,
        "extract_article_seconds": ours,
        "second_runs": second_runs // rounds,
    }


def _extract(html: str, url: str) -> Extracted | None:
    try:
        return extract_article(html, url)
    except ValueError:
        return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench_extract", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--set", choices=("aeb", "tev"), default="aeb", help="default aeb")
    parser.add_argument("--pages", type=int, metavar="N", help="only the first N pages")
    parser.add_argument("--rounds", type=int, default=1, help="passes over the pages (default 1)")
    args = parser.parse_args(argv)
    # trafilatura logs a warning for every page it discards; the bench counts, not logs.
    logging.disable(logging.WARNING)
    name = {"aeb": corpus.AEB, "tev": corpus.TEV}[args.set]
    result = measure(name, args.pages, args.rounds)
    calls = result["pages"] * result["rounds"]
    theirs = 1000 * result["trafilatura_seconds"] / calls
    ours = 1000 * result["extract_article_seconds"] / calls
    print(f"{name}: {result['pages']} pages × {result['rounds']} rounds, CPU per page")
    print(f"  trafilatura.extract  {theirs:6.1f} ms")
    print(f"  extract_article      {ours:6.1f} ms   ({ours / theirs:.2f}× trafilatura)")
    print(
        f"  pages that ran trafilatura twice (safety net reference): "
        f"{result['second_runs']}/{result['pages']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
