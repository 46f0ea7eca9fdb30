"""Crawl throughput and memory against plain trafilatura, same run: ``python -m tests.bench``.

What it measures
    A page set of N pages (``--pages``, default 2000) is made by cycling over the 181 pages of
    the shared article-extraction-benchmark corpus (``$INGEST_SHARED_DIR/corpus/...``, by default
    ``../shared`` next to the repository), one file per page (``p/<i>.html``) so that every URL is
    distinct. Each phase runs as its own subprocess, timed from process start to exit
    (interpreter start-up, imports, Scrapy start-up and the database migration included).

    - **reference**: a plain loop of ``trafilatura.extract(html)`` over the same N pages, in one
      process. Each page is read from disk (page cache) just before its extraction, so that the
      reference's memory is trafilatura's and not that of page text held at once (the 181
      distinct pages are ~64 MB as Python strings, ~40 % of the reference's peak); the read time
      is reported apart and is under 1 % of the loop.
    - **crawl → SQLite**: ``scrapy crawl urls`` over the N URLs into a fresh SQLite file, with
      ``CONCURRENT_REQUESTS=32`` (per domain too), ``LOG_LEVEL=WARNING``, log to a file.
    - **re-crawl → SQLite**: the same crawl again on the same file: nothing new to store.
    - **crawl → PostgreSQL**: the same crawl into a fresh database ``ingest_bench_<pid>``,
      dropped afterwards (``--skip-postgres`` leaves it out).
    - **floor: Scrapy fetch only**: a bare Scrapy crawler (Scrapy's default settings, same
      concurrency) fetching the same URLs and doing nothing with them. Not a phase of the
      project: what any Scrapy crawl of these pages pays before it extracts anything. With
      the reference's CPU per page it gives the least CPU per page of any crawl that fetches
      with Scrapy and runs ``trafilatura.extract``, and from that the fastest such a crawl
      can go on this machine's cores; both are printed beside the targets of issue 8. Like
      every phase's, both figures include their process's start-up, so the sum counts one
      start-up too many (a few tenths of a millisecond per page at 2,000 pages).

    Memory: the crawl extracts pages in worker processes (``INGEST_EXTRACT_WORKERS``, by default
    one per core up to 4; ``--extract-workers N`` overrides it), so a single process's
    ``ru_maxrss`` would miss most of it. "peak RSS" is the peak of the RSS summed over the
    phase's process tree (the crawl and its workers), sampled every 0.1 s from ``/proc``, and
    never less than the exact ``ru_maxrss`` of its largest process (also reported). Summing RSS counts shared library pages once per process (a few MB each).
    "CPU s" is user + system time of the tree (``wait4``), i.e. the work done whatever the
    parallelism.

    The pages are served by ``python -m tests.site_server`` in a **separate process**, so its CPU
    and memory count against no phase (its CPU during each phase is reported apart, from
    ``/proc``); but on a 2-core machine it shares the cores with the crawl and its workers, so
    the crawl's wall time includes waiting for the server. The crawl's
    final Scrapy stats come from the project's ``INGEST_STATS_FILE``, because
    ``LOG_LEVEL=WARNING`` hides Scrapy's own stats dump.

Why 2000 pages
    Issue 8's targets are stated at 2000 pages (each corpus page 11 times, every copy its own
    article: ``distinct_copy``); the rates are steady after the crawl's first seconds. Run
    ``--pages 20000`` to see that memory stays flat as the crawl grows.

How to read the table
    ``pages/s`` is pages fetched per second of wall time; ``× ref speed`` that rate over the
    reference's (1.00 = as fast as extraction alone in one process; the crawl does more per
    page: metadata, pruning, cleaning, storing, but may use more cores); ``× ref memory`` the
    phase's peak RSS over the reference's. Below the table, per crawl: pages fetched, rows in
    ``articles``, store outcomes (new/updated/unchanged), items dropped by reason, the ERROR lines
    of its log. Rows are fewer than pages only by the pages the crawl drops (a corpus page
    with too little text, say): every page is a new article on the first crawl.

Exits non-zero with a message when the corpus is missing, a crawl exits non-zero, or a first
crawl stores nothing. ``--json FILE`` writes the same figures; ``--keep`` keeps the work folder
(page set, logs, stats, SQLite file).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import select
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence


logger = logging.getLogger("tests.bench")

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAGES = 2000
CONCURRENCY = 32
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SERVER_START_TIMEOUT = 30.0
FLOOR_PHASE = "floor: Scrapy fetch only"


class BenchFailed(Exception):
    """A phase failed; the message says which and why."""


# --- page set and server ----------------------------------------------------------------


# What makes copies of one corpus page one article: its canonical link and og:url (the
# article's key), removed so that each copy's key is its own URL.
_KEY_TAGS_RE = re.compile(
    rb"<link\b[^>]*\brel\s*=\s*[\"']?canonical\b[^>]*>"
    rb"|<meta\b[^>]*\bproperty\s*=\s*[\"']?og:url\b[^>]*>",
    re.IGNORECASE,
)
_PARAGRAPH_END_RE = re.compile(rb"</p>", re.IGNORECASE)


def distinct_copy(body: bytes, copy: int) -> bytes:
    """Return copy number ``copy`` of a corpus page as a page of its own: no canonical key
    shared with the other copies, and every paragraph ending in the copy number, so that no
    paragraph recurs on the site's other articles (which the crawl would rightly learn as
    boilerplate, and the bench would measure pages collapsing instead of articles stored)."""
    body = _KEY_TAGS_RE.sub(b"", body)
    if copy:
        body = _PARAGRAPH_END_RE.sub(b" (%d)</p>" % copy, body)
    return body


def build_site(root: Path, n: int) -> tuple[Path, int]:
    """Write N pages as ``root/p/<i>.html`` cycling over the corpus, each a distinct article
    (``distinct_copy``); return the folder and the number of distinct corpus pages used."""
    from tests.eval.corpus import AEB, load

    corpus = load(AEB)
    pages_dir = root / "p"
    pages_dir.mkdir(parents=True)
    for i in range(n):
        copy, page = divmod(i, len(corpus))
        (pages_dir / f"{i}.html").write_bytes(distinct_copy(corpus[page].body(), copy))
    return root, min(n, len(corpus))


def write_url_list(path: Path, base_url: str, n: int) -> Path:
    path.write_text("".join(f"{base_url}/p/{i}\n" for i in range(n)), encoding="utf-8")
    return path


@dataclass(frozen=True, slots=True)
class SiteServer:
    """The page server's address and process, whose CPU the report counts apart."""

    url: str
    pid: int

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far, from ``/proc``."""
        fields = _stat_fields(Path(f"/proc/{self.pid}/stat").read_text())
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def site_server(site_dir: Path) -> Iterator[SiteServer]:
    """Serve ``site_dir`` from ``python -m tests.site_server`` in its own process."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.site_server", str(site_dir)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = _read_server_url(process)
        logger.info("site server pid %d at %s", process.pid, url)
        yield SiteServer(url, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


def _read_server_url(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], SERVER_START_TIMEOUT)
    if not ready:
        raise BenchFailed(f"the site server printed no URL within {SERVER_START_TIMEOUT:.0f} s")
    line = process.stdout.readline().strip()
    if not line.startswith("http"):
        raise BenchFailed(f"the site server did not start (exit {process.poll()}, said {line!r})")
    return line


# --- measuring a child process ----------------------------------------------------------

_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_INTERVAL = 0.1


class TreeMemorySampler(threading.Thread):
    """Sample the summed RSS of a process and all its descendants until stopped.

    ``ru_maxrss`` of a child is the peak of its largest single process, not of the tree, and
    the crawl extracts pages in worker processes: their memory counts too.
    """

    def __init__(self, root_pid: int, interval: float = SAMPLE_INTERVAL) -> None:
        super().__init__(daemon=True)
        self.root_pid = root_pid
        self.interval = interval
        self.peak_bytes = 0
        self.max_processes = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while True:
            self.sample()
            if self._stop_event.wait(self.interval):
                return

    def stop(self) -> None:
        self._stop_event.set()
        self.join()

    def sample(self) -> None:
        pids = process_tree(self.root_pid)
        total = sum(_rss_bytes(pid) for pid in pids)
        self.peak_bytes = max(self.peak_bytes, total)
        self.max_processes = max(self.max_processes, len(pids))


def process_tree(root: int) -> list[int]:
    """``root`` and its living descendants, from the parent pids in ``/proc/<pid>/stat``."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(_stat_fields(stat)[1])
        children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def _stat_fields(stat: str) -> list[str]:
    """The fields of a ``/proc/<pid>/stat`` after the command name, which may hold spaces and
    parentheses: the state first, then the parent pid, …, user and system time at 11 and 12."""
    return stat.rsplit(")", 1)[1].split()


def _rss_bytes(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


@dataclass(frozen=True, slots=True)
class Measured:
    exit_code: int
    seconds: float
    #: Peak of the summed RSS of the process tree (sampled), never below the exact peak of
    #: its largest single process (``ru_maxrss``).
    peak_rss_mb: float
    largest_process_rss_mb: float
    #: User + system CPU time of the child and the descendants it waited for.
    cpu_seconds: float
    processes: int


def run_measured(command: Sequence[str], output: Path) -> Measured:
    """Run ``command`` from the repository root, its output to ``output``: wall time from
    start to exit, peak memory of its process tree, CPU time (``wait4``)."""
    logger.debug("running %s", " ".join(command))
    with output.open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT)
        sampler = TreeMemorySampler(process.pid)
        sampler.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            sampler.stop()
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    largest = usage.ru_maxrss / 1024  # KiB on Linux
    return Measured(
        exit_code=process.returncode,
        seconds=seconds,
        peak_rss_mb=max(sampler.peak_bytes / 2**20, largest),
        largest_process_rss_mb=largest,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        processes=sampler.max_processes,
    )


# --- phases -----------------------------------------------------------------------------


@dataclass(slots=True)
class Phase:
    name: str
    pages: int
    measured: Measured
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.measured.seconds if self.measured.seconds else 0.0


def run_reference(pages_dir: Path, n: int, work: Path) -> Phase:
    """Time the plain trafilatura loop in its own process."""
    result_file = work / "reference.json"
    command = [
        sys.executable, "-m", "tests.bench",
        "--reference-child", str(pages_dir), str(n), str(result_file),
    ]  # fmt: skip
    measured = run_measured(command, work / "reference.out")
    if measured.exit_code != 0 or not result_file.is_file():
        raise BenchFailed(
            f"reference loop failed (exit {measured.exit_code}):\n{_tail(work / 'reference.out')}"
        )
    details = json.loads(result_file.read_text(encoding="utf-8"))
    return Phase("reference: trafilatura.extract loop", n, measured, details)


def reference_child(pages_dir: Path, n: int, result_file: Path) -> None:
    """The reference loop itself (runs in the child): read page i, extract it, next."""
    import trafilatura

    read_s = extract_s = 0.0
    extracted = 0
    for i in range(n):
        t0 = time.perf_counter()
        html = (pages_dir / f"{i}.html").read_bytes().decode("utf-8", errors="replace")
        t1 = time.perf_counter()
        text = trafilatura.extract(html)
        t2 = time.perf_counter()
        read_s += t1 - t0
        extract_s += t2 - t1
        extracted += bool(text)
    result = {"read_seconds": read_s, "extract_seconds": extract_s, "pages_with_text": extracted}
    result_file.write_text(json.dumps(result), encoding="utf-8")


def run_fetch_floor(urls: Path, work: Path) -> Phase:
    """Time a bare Scrapy crawler fetching the URL list (``fetch_child``) in its own process."""
    result_file = work / "fetch-floor.json"
    command = [sys.executable, "-m", "tests.bench", "--fetch-child", str(urls), str(result_file)]
    measured = run_measured(command, work / "fetch-floor.out")
    if measured.exit_code != 0 or not result_file.is_file():
        raise BenchFailed(
            f"fetch-only crawl failed (exit {measured.exit_code}):\n"
            f"{_tail(work / 'fetch-floor.out')}"
        )
    details = json.loads(result_file.read_text(encoding="utf-8"))
    if details["pages_fetched"] == 0:
        raise BenchFailed(f"fetch-only crawl fetched nothing:\n{_tail(work / 'fetch-floor.out')}")
    return Phase(FLOOR_PHASE, details["pages_fetched"], measured, details)


def fetch_child(urls: Path, result_file: Path) -> None:
    """The fetch-only crawl itself (runs in the child): Scrapy's defaults, the bench's
    concurrency, every response counted and dropped."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    fetched: list[int] = []

    class FetchOnly(scrapy.Spider):
        name = "fetch_only"

        async def start(self) -> Any:
            for line in urls.read_text(encoding="utf-8").split():
                yield scrapy.Request(line, callback=self.parse)

        def parse(self, response: Any) -> None:
            fetched.append(len(response.body))

    process = CrawlerProcess(
        settings={
            "CONCURRENT_REQUESTS": CONCURRENCY,
            "CONCURRENT_REQUESTS_PER_DOMAIN": CONCURRENCY,
            "LOG_LEVEL": "WARNING",
            "TELNETCONSOLE_ENABLED": False,
        }
    )
    process.crawl(FetchOnly)
    process.start()
    result = {"pages_fetched": len(fetched), "bytes_fetched": sum(fetched)}
    result_file.write_text(json.dumps(result), encoding="utf-8")


def crawl_command(
    urls: Path, database_url: str, log_file: Path, stats_file: Path, extra: dict[str, str]
) -> list[str]:
    settings: dict[str, Any] = {
        "INGEST_DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        "LOG_FILE": str(log_file),
        "CONCURRENT_REQUESTS": CONCURRENCY,
        "CONCURRENT_REQUESTS_PER_DOMAIN": CONCURRENCY,
        # The project's StatsFileWriter: Scrapy's own stats dump is hidden at WARNING.
        "INGEST_STATS_FILE": str(stats_file),
        # The crawl keeps its pages (a cost of every crawl), in the work folder, not in data/.
        "INGEST_RAW_DIR": str(log_file.parent / f"{log_file.stem}-raw"),
        **extra,
    }
    command = [sys.executable, "-m", "scrapy", "crawl", "urls", "-a", f"file={urls}"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    return command


def extract_workers(requested: int | None) -> int:
    """The crawl's extraction worker processes: ``--extract-workers`` or the project's setting."""
    from settings import base

    return requested if requested is not None else int(getattr(base, "INGEST_EXTRACT_WORKERS", 0))


def run_crawl(
    name: str,
    slug: str,
    urls: Path,
    database_url: str,
    work: Path,
    *,
    first: bool,
    extra: dict[str, str],
) -> Phase:
    """Crawl the URL list into ``database_url``; fail if the crawl fails or (first) stores nothing.

    Its log, output and stats stay in ``work`` as ``<slug>.log``, ``.out``, ``.stats.json``.
    """
    log_file, stats_file = work / f"{slug}.log", work / f"{slug}.stats.json"
    measured = run_measured(
        crawl_command(urls, database_url, log_file, stats_file, extra), work / f"{slug}.out"
    )
    if measured.exit_code != 0:
        raise BenchFailed(
            f"{name} failed (exit {measured.exit_code}):\n"
            f"{_tail(work / f'{slug}.out')}\n{_tail(log_file)}"
        )
    stats = json.loads(stats_file.read_text(encoding="utf-8")) if stats_file.is_file() else {}
    rows = count_articles(database_url)
    if first and rows == 0:
        raise BenchFailed(f"{name} stored nothing; log:\n{_tail(log_file)}")
    fetched = int(stats.get("ingest/fetch/pages", 0))
    details = crawl_details(stats, rows, log_file)
    return Phase(name, fetched, measured, details)


def crawl_details(stats: dict[str, Any], rows: int, log_file: Path) -> dict[str, Any]:
    """The figures of a crawl besides time and memory, from its stats and its log."""
    prefix = "item_dropped_reasons_count/"
    return {
        "pages_fetched": int(stats.get("ingest/fetch/pages", 0)),
        "fetch_failed": {
            k.rsplit("/", 1)[-1]: v
            for k, v in stats.items()
            if k.startswith("ingest/fetch/failed/")
        },
        "items_scraped": int(stats.get("item_scraped_count", 0)),
        "items_dropped": int(stats.get("item_dropped_count", 0)),
        "dropped_reasons": {k[len(prefix) :]: v for k, v in stats.items() if k.startswith(prefix)},
        "store": {
            k.rsplit("/", 1)[-1]: v for k, v in stats.items() if k.startswith("ingest/store/")
        },
        "articles_rows": rows,
        "log_errors": int(stats.get("log_count/ERROR", 0)),
        "error_lines": error_lines(log_file),
        "scrapy_elapsed_seconds": stats.get("elapsed_time_seconds"),
        "scrapy_memusage_max_mb": round(stats["memusage/max"] / 2**20, 1)
        if "memusage/max" in stats
        else None,
        "finish_reason": stats.get("finish_reason"),
    }


def error_lines(log_file: Path, limit: int = 5) -> list[str]:
    if not log_file.is_file():
        return []
    lines = log_file.read_text(encoding="utf-8", errors="replace").splitlines()
    return [ln[:200] for ln in lines if " ERROR: " in ln or " CRITICAL: " in ln][:limit]


def count_articles(database_url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM articles")).scalar_one())
    finally:
        engine.dispose()


@contextmanager
def scratch_postgres(admin_url: str) -> Iterator[str]:
    """Create ``ingest_bench_<pid>`` next to ``admin_url``'s database; drop it afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    name = f"ingest_bench_{os.getpid()}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        raise BenchFailed(
            f"PostgreSQL not reachable at {admin_url} ({exc.orig}); use --skip-postgres"
        ) from exc
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        logger.info("dropped database %s", name)


def _tail(path: Path, lines: int = 15) -> str:
    if not path.is_file():
        return f"({path.name} missing)"
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


# --- report -----------------------------------------------------------------------------


def table_rows(phases: Sequence[Phase]) -> list[dict[str, Any]]:
    reference = phases[0]
    ref_rss = reference.measured.peak_rss_mb
    return [
        {
            "phase": p.name,
            "pages": p.pages,
            "seconds": round(p.measured.seconds, 2),
            "pages_per_s": round(p.pages_per_s, 2),
            "peak_rss_mb": round(p.measured.peak_rss_mb, 1),
            "cpu_seconds": round(p.measured.cpu_seconds, 1),
            "largest_process_rss_mb": round(p.measured.largest_process_rss_mb, 1),
            "processes": p.measured.processes,
            "speed_ratio": _ratio(p.pages_per_s, reference.pages_per_s),
            "memory_ratio": _ratio(p.measured.peak_rss_mb, ref_rss),
            **p.details,
        }
        for p in phases
    ]


def _ratio(value: float, reference: float) -> float | None:
    return round(value / reference, 3) if reference else None


def print_table(rows: Sequence[dict[str, Any]]) -> None:
    header = (
        "phase",
        "pages",
        "seconds",
        "pages/s",
        "peak RSS MB",
        "× ref speed",
        "× ref memory",
        "CPU s",
    )
    cells = [
        (
            r["phase"],
            str(r["pages"]),
            f"{r['seconds']:.1f}",
            f"{r['pages_per_s']:.1f}",
            f"{r['peak_rss_mb']:.0f}",
            f"{r['speed_ratio']:.2f}",
            f"{r['memory_ratio']:.2f}",
            f"{r['cpu_seconds']:.0f}",
        )
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(header)]

    def line(values: Sequence[str]) -> str:
        first = values[0].ljust(widths[0])
        return " | ".join(
            [first, *(v.rjust(w) for v, w in zip(values[1:], widths[1:], strict=True))]
        )

    print(line(header))
    print("-+-".join("-" * w for w in widths))
    for c in cells:
        print(line(c))


def print_details(rows: Sequence[dict[str, Any]]) -> None:
    reference = rows[0]
    print(
        f"\nreference: {reference['pages_with_text']} of {reference['pages']} pages gave text;"
        f" extraction {reference['extract_seconds']:.1f} s,"
        f" page reads {reference['read_seconds']:.2f} s"
    )
    for r in rows[1:]:
        if r["phase"] == FLOOR_PHASE:
            print_floor(r, reference)
            continue
        print(f"{r['phase']}:")
        print(
            f"  fetched {r['pages_fetched']}, items stored {r['items_scraped']},"
            f" dropped {r['items_dropped']} {_counts(r['dropped_reasons'])};"
            f" store outcomes {_counts(r['store'])}; rows in articles {r['articles_rows']}"
        )
        extra = f"; fetch failures {_counts(r['fetch_failed'])}" if r["fetch_failed"] else ""
        print(
            f"  processes {r['processes']} (crawl, workers), largest single process"
            f" {r['largest_process_rss_mb']:.0f} MB; CPU {1000 * r['cpu_seconds'] / max(r['pages'], 1):.0f}"
            f" ms per page (reference {1000 * reference['cpu_seconds'] / reference['pages']:.0f});"
            f" the site server {_per_page_ms(r['server_cpu_seconds'], r['pages']):.1f} ms per page"
        )
        print(
            f"  Scrapy: elapsed {r['scrapy_elapsed_seconds']:.1f} s (start-up excluded),"
            f" memusage/max {r['scrapy_memusage_max_mb']} MB (sampled every 60 s: misses the"
            f" peak of a short crawl), finish {r['finish_reason']};"
            f" ERROR log lines {r['log_errors']}{extra}"
        )
        for error in r["error_lines"]:
            print(f"    {error}")


def print_floor(floor: dict[str, Any], reference: dict[str, Any]) -> None:
    """Print the fetch-only crawl and what it means for issue 8's speed and CPU targets: the
    least CPU per page of a crawl that fetches with Scrapy and runs trafilatura.extract, and
    the most pages per second this machine's cores give for it, the server's share included."""
    cpus = os.cpu_count() or 1
    ref_ms = _per_page_ms(reference["cpu_seconds"], reference["pages"])
    fetch_ms = _per_page_ms(floor["cpu_seconds"], floor["pages"])
    server_ms = _per_page_ms(floor["server_cpu_seconds"], floor["pages"])
    least_ms = ref_ms + fetch_ms
    fastest = 1000 * cpus / (least_ms + server_ms)
    print(
        f"{floor['phase']}: fetched {floor['pages']} ({floor['bytes_fetched'] / 2**20:.0f} MB);"
        f" CPU {fetch_ms:.1f} ms per page, the site server {server_ms:.1f} ms per page;"
        f" peak RSS {floor['peak_rss_mb']:.0f} MB"
    )
    print(
        "  so any crawl that fetches with Scrapy and runs trafilatura.extract takes at least"
        f" {fetch_ms:.1f} + {ref_ms:.1f} = {least_ms:.1f} ms of CPU per page"
        f" ({least_ms / ref_ms:.2f}× trafilatura's; issue 8's target ≤ 1.10×),\n  and with the"
        f" server's {server_ms:.1f} ms on the same {cpus} cores goes at most {fastest:.0f} pages/s"
        f" ({fastest / reference['pages_per_s']:.2f}× the reference; issue 8's target ≥ 1.50×)"
    )


def _per_page_ms(seconds: float, pages: int) -> float:
    return 1000 * seconds / max(pages, 1)


def _counts(counts: dict[str, Any]) -> str:
    return "(" + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + ")" if counts else "()"


# --- main -------------------------------------------------------------------------------


def run_all(args: argparse.Namespace, work: Path) -> list[Phase]:
    site, distinct = build_site(work / "site", args.pages)
    logger.info(
        "page set: %d pages from %d distinct corpus pages in %s", args.pages, distinct, site
    )
    logger.info("phase 1/5: reference loop")
    phases = [run_reference(site / "p", args.pages, work)]
    extra = {}
    if args.extract_workers is not None:
        extra["INGEST_EXTRACT_WORKERS"] = str(args.extract_workers)
    with site_server(site) as server:
        urls = write_url_list(work / "urls.txt", server.url, args.pages)
        sqlite_url = f"sqlite:///{work / 'bench.sqlite3'}"

        def crawl(name: str, slug: str, database_url: str, *, first: bool) -> Phase:
            return run_crawl(name, slug, urls, database_url, work, first=first, extra=extra)

        logger.info("phase 2/5: crawl into SQLite")
        phases.append(
            serving(server, crawl, "crawl → SQLite", "crawl-sqlite", sqlite_url, first=True)
        )
        logger.info("phase 3/5: re-crawl into the same SQLite file")
        phases.append(
            serving(
                server,
                crawl,
                "re-crawl → SQLite (nothing new)",
                "recrawl-sqlite",
                sqlite_url,
                first=False,
            )
        )
        if not args.skip_postgres:
            logger.info("phase 4/5: crawl into PostgreSQL")
            with scratch_postgres(args.postgres_admin_url) as pg_url:
                phases.append(
                    serving(
                        server, crawl, "crawl → PostgreSQL", "crawl-postgres", pg_url, first=True
                    )
                )
        logger.info("phase 5/5: fetch only, bare Scrapy")
        phases.append(serving(server, run_fetch_floor, urls, work))
    return phases


def serving(server: SiteServer, run: Callable[..., Phase], *args: Any, **kwargs: Any) -> Phase:
    """Run a phase against the site server and add the server's CPU time during it."""
    before = server.cpu_seconds()
    phase = run(*args, **kwargs)
    phase.details["server_cpu_seconds"] = server.cpu_seconds() - before
    return phase


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--pages", type=int, default=DEFAULT_PAGES, help=f"page set size (default {DEFAULT_PAGES})"
    )
    parser.add_argument(
        "--skip-postgres", action="store_true", help="leave out the PostgreSQL crawl"
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures to FILE")
    parser.add_argument(
        "--postgres-admin-url", default=PG_ADMIN_URL, help=f"default {PG_ADMIN_URL}"
    )
    parser.add_argument(
        "--extract-workers",
        type=int,
        metavar="N",
        help="INGEST_EXTRACT_WORKERS for the crawls (default: the project's setting)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, stats)")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument(
        "--reference-child", nargs=3, metavar=("DIR", "N", "OUT"), help=argparse.SUPPRESS
    )
    parser.add_argument("--fetch-child", nargs=2, metavar=("URLS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.pages < 1:
        parser.error("--pages must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.reference_child:
        pages_dir, n, out = args.reference_child
        reference_child(Path(pages_dir), int(n), Path(out))
        return 0
    if args.fetch_child:
        urls, out = args.fetch_child
        fetch_child(Path(urls), Path(out))
        return 0
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(message)s"
    )
    work = Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    load_before = os.getloadavg()[0]
    try:
        phases = run_all(args, work)
    except BenchFailed as exc:
        logger.error("bench failed: %s", exc)
        args.keep = True
        return 1
    finally:
        if args.keep:
            logger.info("work folder kept: %s", work)
        else:
            _remove_tree(work)
    rows = table_rows(phases)
    workers = extract_workers(args.extract_workers)
    load = (round(load_before, 2), round(os.getloadavg()[0], 2))
    print_header(args.pages, workers, load)
    print_table(rows)
    print_details(rows)
    if args.json:
        payload = {
            "pages": args.pages,
            "cpus": os.cpu_count(),
            "server": "separate process (python -m tests.site_server)",
            "concurrent_requests": CONCURRENCY,
            "extract_workers": workers,
            "load_average_1min_before_after": load,
            "peak_rss": "sum of RSS over the process tree, sampled every 0.1 s",
            "phases": rows,
        }
        args.json.write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")
    return 0


def print_header(pages: int, workers: int, load: tuple[float, float]) -> None:
    from tests.eval.corpus import AEB as CORPUS_NAME

    cpus = os.cpu_count() or 1
    busy = load[0] > cpus / 2
    warning = (
        "  <- other work on the machine: wall times are inflated; CPU s less so" if busy else ""
    )
    print(
        f"\nBench: {pages} pages cycled from the {CORPUS_NAME} corpus, {cpus} CPUs; 1-min load"
        f" average {load[0]:.1f} before, {load[1]:.1f} after{warning}."
        "\nSite server: a separate process (python -m tests.site_server), not counted in any"
        " phase, but it shares the CPUs with the crawl."
        f"\nCrawl: CONCURRENT_REQUESTS={CONCURRENCY}, INGEST_EXTRACT_WORKERS={workers}."
        "\nEach phase is a subprocess timed from start to exit. Peak RSS is summed over its"
        " process tree (crawl, extraction workers),\nsampled every"
        " 0.1 s; CPU s is the tree's user + system time.\n"
    )


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
