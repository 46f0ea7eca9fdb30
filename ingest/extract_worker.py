"""What an extraction worker process runs: decode and extract one page, and die with its parent.

Kept apart from ``ingest.pipelines`` so that a worker (``python -m ingest.extract_worker``,
started by ``ingest.extract_pool``) imports the extraction code and not the crawl's (Scrapy's
pipelines, SQLAlchemy, the storage layer), and the crawl process does not import the
extraction code (trafilatura and its dependencies) unless it extracts pages itself: each
process holds only what it uses.
"""

from __future__ import annotations

import math
import os
import pickle
import resource
import sys
import threading
import time
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

from ingest.extraction.decode import decode_html
from ingest.extraction.extract import extract_article
from ingest.extraction.extracted import Extracted
from ingest.malloc import release_free_memory

if TYPE_CHECKING:
    from ingest.profiles import SiteProfile


def extract_page(
    body: bytes, content_type: str | None, url: str, profile: SiteProfile | None
) -> Extracted | None:
    """Decode and extract one page; a top-level function so worker processes can run it."""
    return extract_article(
        decode_html(body, content_type),
        url,
        prune_xpath=profile.prune_xpath if profile else (),
        local_zone=profile.timezone if profile else "UTC",
        title_suffix=profile.title_suffix if profile else "",
        site_readers=profile.page_readers if profile else (),
    )


def serve(conn: Connection, parent_pid: int, cpu_seconds: int) -> None:
    """A worker's life: extract the pages sent down ``conn`` one at a time until it closes.

    Each answer is ``(True, result)`` or ``(False, exception)``. With ``cpu_seconds``, each
    page may use that much CPU time before the kernel ends the process with SIGXCPU: a page
    that makes the parser spin costs that page, not the crawl.
    """
    exit_with_parent(parent_pid)
    # A worker killed by its CPU limit would otherwise leave a core file behind.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    while True:
        try:
            args = conn.recv()
        except EOFError:
            return
        if cpu_seconds:
            usage = resource.getrusage(resource.RUSAGE_SELF)
            # Whole seconds, rounded up: the page gets at least cpu_seconds of its own.
            used = math.ceil(usage.ru_utime + usage.ru_stime)
            hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
            soft = used + cpu_seconds
            if hard != resource.RLIM_INFINITY:
                soft = min(soft, hard)
            resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
        try:
            answer: tuple[bool, object] = (True, extract_page(*args))
        except Exception as exc:  # noqa: BLE001 - handed to the parent, which decides
            answer = (False, exc)
        try:
            conn.send(answer)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            conn.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
        # While the parent reads the answer: what this page freed goes back (ingest.malloc).
        release_free_memory()


def exit_with_parent(parent_pid: int) -> None:
    """In a worker: exit when the crawl process is gone (killed by cron's timeout, OOM, SIGKILL).

    A killed parent cannot shut its pool down, and a worker blocked on its task queue would
    otherwise live on, holding its memory, until the machine restarts.
    """

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(_PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


_PARENT_CHECK_SECONDS = 1.0


def main(argv: list[str]) -> None:
    """``python -m ingest.extract_worker FD PARENT_PID CPU_SECONDS``: how ``ExtractionPool``
    starts a worker, with its end of a socket pair open as ``FD``."""
    fd, parent_pid, cpu_seconds = (int(arg) for arg in argv)
    serve(Connection(fd), parent_pid, cpu_seconds)


if __name__ == "__main__":
    main(sys.argv[1:])
