"""Pages per second with 1, 2 and 4 workers sharing one run through Redis (``make bench-crawl``).

The site is ``tests/generated_site.py``'s, served with 100 ms added to every response (a
distant site); each configuration crawls it into a fresh PostgreSQL database under a Redis key
prefix of its own. Rate: articles stored / seconds from the first worker's spider opening to
the last one's closing (process start-up left out; it is printed as wall time).

    python -m tests.bench_workers [--articles 600] [--workers 1,2,4] [--latency 0.1]
                                  [--concurrent-requests N]

With the project's default concurrency one worker is bound by the CPU of its host, not by the
site; a small ``--concurrent-requests`` (a polite per-worker limit) shows what more workers buy
when waiting on the site is the bound.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from pathlib import Path

import redis

from tests.conftest import fresh_database, start_crawl
from tests.generated_site import write_site
from tests.site_server import SiteServer
from tests.test_distributed import crawl_seconds, stored

REDIS_URL = os.environ.get("INGEST_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


def bench(
    articles: int, workers: int, latency: float, work: Path, concurrency: int | None
) -> dict[str, float]:
    site = work / "site"
    if not site.is_dir():
        write_site(site, articles)
    prefix = f"ingest-bench-{uuid.uuid4().hex[:8]}"
    settings: dict[str, object] = {"INGEST_REDIS_URL": REDIS_URL, "INGEST_REDIS_PREFIX": prefix}
    if concurrency:
        settings["CONCURRENT_REQUESTS"] = concurrency
    server_redis = redis.Redis.from_url(REDIS_URL)
    try:
        with SiteServer(site, latency=latency) as server, fresh_database("postgresql", work) as db:
            args = (f"base_url={server.url}", "editions=english")
            began = time.monotonic()
            crawls = [start_crawl("rudaw", work, db, *args, **settings) for _ in range(workers)]
            results = [crawl.wait(timeout=900) for crawl in crawls]
            wall = time.monotonic() - began
            paths, _ = stored(db)
    finally:
        keys = list(server_redis.scan_iter(f"{prefix}:*"))
        if keys:
            server_redis.delete(*keys)
        server_redis.close()
    failed = [r.returncode for r in results if r.returncode != 0]
    if failed or len(paths) != articles:
        raise SystemExit(f"{workers} workers: exit {failed}, {len(paths)}/{articles} stored")
    seconds = crawl_seconds(*results)
    return {"seconds": seconds, "wall": wall, "pages_per_second": len(paths) / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--concurrent-requests", type=int, default=None)
    options = parser.parse_args()
    limit = options.concurrent_requests or "project default"
    print(f"{options.articles} articles, {options.latency * 1000:.0f} ms per response,", end=" ")
    print(f"CONCURRENT_REQUESTS per worker: {limit}")
    print("workers  crawl s  wall s  pages/s")
    with tempfile.TemporaryDirectory(prefix="ingest-bench-workers-") as work:
        for workers in (int(n) for n in options.workers.split(",")):
            result = bench(
                options.articles, workers, options.latency, Path(work), options.concurrent_requests
            )
            print(
                f"{workers:7d}  {result['seconds']:7.1f}  {result['wall']:6.1f}"
                f"  {result['pages_per_second']:7.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
