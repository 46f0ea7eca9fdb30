"""Shared runs: several real ``scrapy crawl`` workers on one Redis queue and one PostgreSQL
database, against a generated site whose server adds latency to every response."""

from __future__ import annotations

import os
import pickle
import re
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
import redis
from sqlalchemy import create_engine, text

from tests.conftest import fresh_database, run_crawl, start_crawl
from tests.generated_site import write_site
from tests.site_server import SiteServer

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.conftest import CrawlResult

REDIS_URL = os.environ.get("INGEST_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
LATENCY = 0.1
# Few requests at a time per worker (four: 40 pages a second against the 100 ms site, a fraction
# of a core), so that waiting on the site, not the CPU, bounds a crawl.
WORKER = {"CONCURRENT_REQUESTS": 4, "INGEST_EXTRACT_WORKERS": 0}


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    prefix = f"ingest-test-{uuid.uuid4().hex[:12]}"
    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {REDIS_URL} is required and did not answer: {exc}")
    yield prefix
    keys = list(server.scan_iter(f"{prefix}:*"))
    if keys:
        server.delete(*keys)
    server.close()


def shared(prefix: str, **settings: Any) -> dict[str, Any]:
    return {"INGEST_REDIS_URL": REDIS_URL, "INGEST_REDIS_PREFIX": prefix, **WORKER, **settings}


def crawl_seconds(*results: CrawlResult) -> float:
    """From the first worker's spider opening to the last one's closing, from their stats.

    Process start-up (imports: CPU, and noisy on a shared machine) is left out: it is the same
    per process however the crawl is shared.
    """
    starts = [datetime.fromisoformat(r.stats["start_time"]) for r in results]
    ends = [datetime.fromisoformat(r.stats["finish_time"]) for r in results]
    return (max(ends) - min(starts)).total_seconds()


def stored(db: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    engine = create_engine(db)
    with engine.connect() as connection:
        urls = connection.execute(text("SELECT url FROM articles")).scalars().all()
        runs = connection.execute(
            text("SELECT shared_run, finish_reason, articles_new FROM crawl_runs ORDER BY id")
        ).all()
    engine.dispose()
    return [re.sub(r"^https?://[^/]+", "", u) for u in urls], [tuple(r) for r in runs]


def test_three_workers_share_one_crawl(tmp_path: Path, redis_prefix: str) -> None:
    site = tmp_path / "site"
    articles = write_site(site, 300)
    with SiteServer(site, latency=LATENCY) as server:
        base = (f"base_url={server.url}", "editions=english")
        with fresh_database("postgresql", tmp_path) as alone_db:
            alone = run_crawl("rudaw", tmp_path, alone_db, *base, **WORKER)
        assert alone.returncode == 0, alone.log[-3000:]
        assert alone.stats["ingest/store/new"] == 300
        server.requests.clear()

        with fresh_database("postgresql", tmp_path) as db:
            workers = [
                start_crawl("rudaw", tmp_path, db, *base, **shared(redis_prefix)) for _ in range(3)
            ]
            results = [worker.wait(timeout=120) for worker in workers]
            paths, runs = stored(db)

    for result in results:
        assert result.returncode == 0, result.log[-3000:]
        assert result.stats["finish_reason"] == "finished"
    # Every article stored once, no URL asked for twice (robots.txt and sitemaps included).
    assert sorted(paths) == sorted(articles)
    asked = Counter(server.requests)
    assert [path for path, n in asked.items() if n > 1] == []
    assert set(articles) <= set(asked)
    assert asked["/robots.txt"] == 1
    # Each worker did its share, and each has a crawl_runs row naming the one shared run.
    assert len(runs) == 3
    assert len({run for run, _, _ in runs}) == 1
    assert runs[0][0] == results[0].stats["ingest/shared_run"]
    assert all(reason == "finished" and new > 0 for _, reason, new in runs)
    assert sum(new for _, _, new in runs) == 300
    together, one = crawl_seconds(*results), crawl_seconds(alone)
    assert together < one / 2, f"three workers took {together:.1f} s, one took {one:.1f} s"


def test_a_killed_workers_requests_are_fetched_by_another(
    tmp_path: Path, redis_prefix: str
) -> None:
    """SIGKILL a worker while it holds requests: the other one puts them back in the queue
    once the dead one has been silent for INGEST_WORKER_TIMEOUT, fetches them, and the run
    ends with every article stored. The next run has a filter of its own: it fetches again
    what is due (here: what the sitemap says changed) and nothing else."""
    site = tmp_path / "site"
    articles = write_site(site, 40)
    settings = shared(redis_prefix, INGEST_WORKER_TIMEOUT=2, INGEST_REDIS_POLL_SECONDS=0.2)
    server_redis = redis.Redis.from_url(REDIS_URL)
    with SiteServer(site, latency=0.2) as server:
        base = (f"base_url={server.url}", "editions=english")
        with fresh_database("postgresql", tmp_path) as db:
            workers = [start_crawl("rudaw", tmp_path, db, *base, **settings) for _ in range(2)]
            victim, claims_key = _holding_requests(server_redis, redis_prefix, workers)
            victim.process.send_signal(signal.SIGKILL)
            killed_at = len(server.requests)
            held = [pickle.loads(m)["url"] for m in server_redis.zrange(claims_key, 0, -1)]
            survivor = next(w for w in workers if w is not victim).wait(timeout=120)
            victim.wait()
            paths, runs = stored(db)
            assert survivor.returncode == 0, survivor.log[-3000:]
            assert victim.process.returncode == -signal.SIGKILL
            assert held
            assert survivor.stats["ingest/shared_run/given_back"] >= len(held)
            after_kill = set(server.requests[killed_at:])
            assert {re.sub(r"^https?://[^/]+", "", u) for u in held} <= after_kill
            assert sorted(paths) == sorted(articles)
            first_run = survivor.stats["ingest/shared_run"]
            # The killed worker's row stays unfinished; the survivor's is finished.
            assert sorted(str(reason) for run, reason, _ in runs if run == first_run) == [
                "None",
                "finished",
            ]
            # The finished run's keys expire.
            ttls = [server_redis.ttl(k) for k in server_redis.scan_iter(f"{redis_prefix}:*")]
            assert ttls and all(0 < t <= 3600 for t in ttls)

            # Next run: the sitemap says five articles changed since our visit.
            changed = articles[:5]
            sitemap = site / "sitemap.xml"
            now = datetime.now(UTC).isoformat(timespec="seconds")
            xml = sitemap.read_text(encoding="utf-8")
            for path in changed:
                xml = xml.replace(f"{path}</loc>", f"{path}</loc><lastmod>{now}</lastmod>")
            sitemap.write_text(xml, encoding="utf-8")
            server.requests.clear()
            again = start_crawl("rudaw", tmp_path, db, *base, **settings).wait(timeout=120)
    assert again.returncode == 0, again.log[-3000:]
    assert again.stats["ingest/shared_run"] != first_run
    assert sorted(p for p in server.requests if p in set(articles)) == sorted(changed)
    assert again.stats["ingest/discover/sitemap/known_skipped"] == 35
    server_redis.close()


def _holding_requests(server: redis.Redis, prefix: str, workers: list[Any]) -> tuple[Any, str]:
    """Wait until a worker that is not issuing the start requests holds some; return it and
    the key of its claims."""
    deadline = time.monotonic() + 60
    pids = {str(w.process.pid): w for w in workers}
    while time.monotonic() < deadline:
        for key in server.scan_iter(f"{prefix}:rudaw:*:claims:*"):
            worker = key.decode().rsplit(":claims:", 1)[1]
            start = server.get(key.decode().rsplit(":claims:", 1)[0] + ":start")
            pid = worker.split(":")[1]
            if pid in pids and start and start.decode() != worker and server.zcard(key):
                return pids[pid], key.decode()
        time.sleep(0.02)
    raise AssertionError("no worker took a request within 60 s")


def test_redis_down_at_start_is_one_line(tmp_path: Path, sqlite_url: str) -> None:
    # A port that is bound but not listening: connecting is refused, and no one else gets it.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        result = run_crawl(
            "rudaw", tmp_path, sqlite_url, INGEST_REDIS_URL=f"redis://127.0.0.1:{port}/0"
        )
    assert result.returncode == 1
    assert "Traceback" not in result.log
    refused = f"Error 111 connecting to 127.0.0.1:{port}. Connection refused."
    assert [line for line in result.log.splitlines() if "ERROR" in line or "Error" in line] == [
        f"scrapy crawl rudaw: Redis unreachable: {refused}"
    ]


@pytest.fixture
def own_redis() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A Redis server of this test's own, on a Unix socket, for the test to kill or freeze."""
    with tempfile.TemporaryDirectory(prefix="redis-") as folder:  # short: a socket path is
        path = f"{folder}/redis.sock"
        server = subprocess.Popen(
            ["redis-server", "--port", "0", "--unixsocket", path, "--save", "", "--dir", folder],
            stdout=subprocess.DEVNULL,
        )
        url = f"unix://{path}"
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.RedisError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        yield url, server
        server.kill()  # stopped or not
        server.wait()


@pytest.mark.parametrize("fault", ["killed", "stalled"])
def test_a_worker_that_loses_redis_fails_its_run(
    tmp_path: Path, sqlite_url: str, own_redis: tuple[str, Any], run_ingest: Any, fault: str
) -> None:
    """Redis dies (SIGKILL) or stops answering (SIGSTOP) while a worker crawls: the worker stops
    at once with one ERROR line, exits 1, and its crawl_runs row says it lost the shared run.
    What it stored stays; what it did not fetch is found again by the next run."""
    url, redis_server = own_redis
    site = tmp_path / "site"
    articles = write_site(site, 40)
    # A frozen Redis is noticed by the client's socket timeouts (REDIS_PARAMS, 30 s by default).
    timeouts = '{"socket_timeout": 1, "socket_connect_timeout": 1}'
    with SiteServer(site, latency=0.2) as server:
        worker = start_crawl(
            "rudaw",
            tmp_path,
            sqlite_url,
            f"base_url={server.url}",
            "editions=english",
            INGEST_REDIS_URL=url,
            REDIS_PARAMS=timeouts,
            INGEST_REDIS_POLL_SECONDS=0.2,
            **WORKER,
        )
        deadline = time.monotonic() + 30
        while len(set(server.requests) & set(articles)) < 4:
            assert time.monotonic() < deadline and worker.process.poll() is None
            time.sleep(0.02)
        redis_server.send_signal(signal.SIGKILL if fault == "killed" else signal.SIGSTOP)
        lost_at = time.monotonic()
        result = worker.wait(timeout=60)
        took = time.monotonic() - lost_at
    assert result.returncode == 1, result.log[-3000:]
    assert took < 15
    assert result.stats["finish_reason"] == "shared_run_lost"
    assert "Traceback" not in result.log
    errors = [line for line in result.log.splitlines() if " ERROR: " in line]
    assert len(errors) == 2, errors
    assert "[ingest.distributed.scheduler] ERROR: lost shared run" in errors[0]
    assert "run unhealthy: ended early (shared_run_lost: " in errors[1]
    paths, runs = stored(sqlite_url)
    assert 0 < len(paths) < len(articles)
    assert runs == [(result.stats["ingest/shared_run"], "shared_run_lost", len(paths))]
    shown = run_ingest(sqlite_url, "runs")
    assert shown.returncode == 0
    assert "unhealthy" in shown.stdout
    assert "ended early (shared_run_lost: " in shown.stdout
