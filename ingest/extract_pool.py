"""Extraction worker processes that outlive the death of any one of them.

``concurrent.futures.ProcessPoolExecutor`` cannot do this job: when one worker dies, the
whole executor is broken, every page in flight fails with ``BrokenProcessPool``, and it
cannot say which page the dead worker was on. Here each worker is a process with its own
pipe and runs one page at a time, so a death is charged to exactly the page that worker was
running: the worker is replaced, the page is tried once more on a fresh worker, and a page
that kills a second worker is given up as ``WorkerDied``. Other pages never notice.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

# A page is tried on this many workers before it is given up.
_TRIES = 2


class WorkerDied(Exception):
    """The worker process running a page exited before answering (SIGKILL, OOM, CPU limit)."""


class _Worker:
    """One worker process (``python -m ingest.extract_worker``) and the parent's end of its socket.

    A plain child process, not a ``multiprocessing`` one: a forked copy of a running Twisted
    reactor is not safe to use, and "spawn" adds a resource-tracker process to every crawl
    (13 MB) and needs this module's caller to import what the worker runs (trafilatura), which
    the crawl process itself never uses. A worker that dies closes its end of the socket, so
    the parent's wait for an answer ends with end-of-file: a death is noticed without polling.
    """

    def __init__(self, cpu_seconds: int) -> None:
        ours, theirs = socket.socketpair()
        with theirs:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "ingest.extract_worker",
                    str(theirs.fileno()),
                    str(os.getpid()),
                    str(cpu_seconds),
                ],
                stdin=subprocess.DEVNULL,
                pass_fds=(theirs.fileno(),),
            )
        self.conn = Connection(ours.detach())

    def is_alive(self) -> bool:
        return self.process.poll() is None

    def call(self, args: tuple[Any, ...]) -> Any:
        """Run one page in the worker and return its answer (blocking: runs in a thread)."""
        try:
            self.conn.send(args)
            ok, value = self.conn.recv()
        except (EOFError, OSError) as exc:  # the socket is closed: the worker is gone
            raise WorkerDied(self.exit_status()) from exc
        if ok:
            return value
        raise value

    def exit_status(self) -> str:
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        return f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"

    def stop(self) -> None:
        """Close the socket (the worker exits on end of input) and reap the process."""
        self.conn.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class ExtractionPool:
    """``size`` worker processes running ``ingest.extract_worker.extract_page`` one page each.

    ``cpu_seconds`` bounds the CPU time one page may take (0: no bound): a page that spins
    past it gets its worker killed by the kernel (``RLIMIT_CPU``), like any other death.
    ``on_death(reason)`` is called once per dead worker, which is replaced at once.
    """

    def __init__(self, size: int, cpu_seconds: int, on_death: Callable[[str], None]) -> None:
        self.size = size
        self.cpu_seconds = cpu_seconds
        self.on_death = on_death
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._workers: list[_Worker] = []
        self._threads: ThreadPoolExecutor | None = None

    def start(self) -> None:
        # One waiting thread per worker: a page's wait never queues behind other blocking work.
        self._threads = ThreadPoolExecutor(self.size, thread_name_prefix="extract-wait")
        for _ in range(self.size):
            self._add(_Worker(self.cpu_seconds))

    def close(self) -> None:
        for worker in self._workers:
            worker.stop()
        self._workers.clear()
        if self._threads is not None:
            self._threads.shutdown(wait=False, cancel_futures=True)

    async def run(self, *args: Any) -> Any:
        """Run ``extract_page(*args)`` in a worker; raise ``WorkerDied`` if it kills two."""
        loop = asyncio.get_running_loop()
        attempt = 1
        while True:
            worker = await self._idle.get()
            if not worker.is_alive():
                # Died while idle: nobody's fault, and no page was lost with it.
                worker = self._replace(worker, f"idle worker died ({worker.exit_status()})")
            try:
                return await loop.run_in_executor(self._threads, worker.call, args)
            except WorkerDied as exc:
                worker = self._replace(worker, f"worker died on {args[2]} ({exc})")
                if attempt == _TRIES:
                    raise
            finally:
                self._idle.put_nowait(worker)
            attempt += 1

    def _add(self, worker: _Worker) -> None:
        self._workers.append(worker)
        self._idle.put_nowait(worker)

    def _replace(self, dead: _Worker, reason: str) -> _Worker:
        self.on_death(reason)
        self._workers.remove(dead)
        dead.stop()
        fresh = _Worker(self.cpu_seconds)
        self._workers.append(fresh)
        return fresh
