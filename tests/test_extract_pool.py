"""A dead extraction worker costs at most its page: real crawls, workers killed for real."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from ingest.storage.models import Article
from ingest.storage.session import make_engine, make_sessionmaker
from tests.conftest import REPO_ROOT, SCRAPY, run_crawl
from tests.site_server import SiteServer

PAGES = 16
HEAVY = "heavy"


def _article(name: str, filler: int = 0) -> bytes:
    """A small article; ``filler`` table cells after it make trafilatura work for seconds."""
    paragraphs = "".join(
        f"<p>Paragraph {i} of story {name}: the council met on Tuesday to discuss the water"
        " supply of the northern districts.</p>"
        for i in range(6)
    )
    cells = "".join(
        f"<div><table><tr><td><p>cell {i} of the archive table</p></td></tr></table></div>"
        for i in range(filler)
    )
    return (
        f"<html><head><title>Story {name}</title></head><body><article><h1>Story {name}</h1>"
        f"{paragraphs}</article>{cells}</body></html>"
    ).encode()


def _site(tmp_path: Path, heavy_filler: int) -> tuple[Path, list[str]]:
    """Small pages, then the heavy one last: it is the only page in flight once all the
    others are stored, so the worker that burns CPU from then on is the one running it."""
    site = tmp_path / "site"
    (site / "news").mkdir(parents=True)
    names = [*(str(n) for n in range(PAGES)), HEAVY]
    for name in names:
        filler = heavy_filler if name == HEAVY else 0
        (site / "news" / f"{name}.html").write_bytes(_article(name, filler))
    return site, names


def _count(url: str) -> int:
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            return session.scalar(select(func.count()).select_from(Article)) or 0
    except OperationalError:
        return 0  # the crawl has not created the schema yet
    finally:
        engine.dispose()


def _workers(pid: int) -> dict[int, tuple[str, float]]:
    """Return the extraction workers of crawl ``pid`` with their state (R, S…) and CPU seconds
    (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == pid and b"ingest.extract_worker" in command:
            found[int(stat.parent.name)] = (fields[0], (int(fields[11]) + int(fields[12])) / tick)
    return found


def _wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_killed_workers_idle_and_busy_cost_no_page(tmp_path, sqlite_url):
    # Two to three CPU seconds of extraction for the heavy page, milliseconds for the rest.
    site, names = _site(tmp_path, heavy_filler=3_000)
    listed = tmp_path / "urls.txt"
    with SiteServer(site) as server:
        listed.write_text("\n".join(f"{server.url}/news/{n}" for n in names))
        stats_file = tmp_path / "stats.json"
        command = [SCRAPY, "crawl", "urls", "-a", f"file={listed}"]
        for setting in (
            f"INGEST_DATABASE_URL={sqlite_url}",
            f"INGEST_STATS_FILE={stats_file}",
            "INGEST_EXTRACT_WORKERS=2",
            "CONCURRENT_REQUESTS=1",
            "DOWNLOAD_DELAY=0.1",
            "RANDOMIZE_DOWNLOAD_DELAY=False",
            "DOWNLOAD_TIMEOUT=3",
        ):
            command += ["-s", setting]
        env = {k: v for k, v in os.environ.items() if k != "INGEST_DATABASE_URL"}
        crawl = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        try:
            _wait_for(lambda: _count(sqlite_url) >= 2)
            # Between pages both workers sleep on their pipes: kill one while idle.
            idle: list[int] = []

            def idle_worker_found() -> bool:
                idle.extend(p for p, (state, _) in _workers(crawl.pid).items() if state == "S")
                return bool(idle)

            _wait_for(idle_worker_found)
            os.kill(idle[0], signal.SIGKILL)
            # Once every small page is stored only the heavy one is in flight: kill the worker
            # running it once it has spent half a second on it (a small page takes 20 ms).
            _wait_for(lambda: _count(sqlite_url) == len(names) - 1)
            before = {pid: cpu for pid, (_, cpu) in _workers(crawl.pid).items()}
            busy: list[int] = []

            def heavy_worker_found() -> bool:
                for pid, (_, cpu) in _workers(crawl.pid).items():
                    if cpu - before.get(pid, cpu) > 0.5:
                        busy.append(pid)
                return bool(busy)

            _wait_for(heavy_worker_found)
            os.kill(busy[0], signal.SIGKILL)
            log = crawl.communicate(timeout=120)[0].decode()
        finally:
            if crawl.poll() is None:
                crawl.kill()
                crawl.wait()
            assert crawl.stdout is not None
            crawl.stdout.close()
    assert crawl.returncode == 0, log[-3000:]
    assert "Traceback" not in log
    # Every page listed is stored: the heavy one on its second worker.
    assert _count(sqlite_url) == len(names)
    stats = json.loads(stats_file.read_text())
    assert stats["ingest/extract/worker_died"] == 2
    assert not any(k.startswith("item_dropped_reasons_count/") for k in stats)


def test_a_page_that_kills_two_workers_is_dropped_alone(tmp_path, sqlite_url):
    # Far more CPU than the limit: the kernel, not the page's end, stops each worker.
    site, names = _site(tmp_path, heavy_filler=14_000)
    listed = tmp_path / "urls.txt"
    with SiteServer(site) as server:
        listed.write_text("\n".join(f"{server.url}/news/{n}" for n in names))
        # One CPU second per page (two at most, as the limit is in whole seconds): the heavy
        # page needs more, so the kernel kills the worker running it, twice.
        result = run_crawl(
            "urls",
            tmp_path,
            sqlite_url,
            f"file={listed}",
            INGEST_EXTRACT_WORKERS=2,
            INGEST_EXTRACT_CPU_SECONDS=1,
        )
    assert result.stats["ingest/extract/worker_died"] == 2, result.log[-3000:]
    assert result.stats["item_dropped_reasons_count/ExtractionCrashed"] == 1
    assert "Traceback" not in result.log
    assert _count(sqlite_url) == len(names) - 1
