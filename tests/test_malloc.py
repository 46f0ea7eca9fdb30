"""The arena limit of ``ingest.malloc``, checked on glibc's own arena count (``malloc_stats``)."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys

import pytest

from ingest.malloc import limit_arenas

glibc_only = pytest.mark.skipif(
    getattr(ctypes.CDLL(None), "malloc_stats", None) is None, reason="needs glibc's malloc"
)

# Four threads allocate at once (each holds its blocks until all have allocated), then glibc
# prints one "Arena N:" section per arena it made to stderr.
_PROGRAM = """
import ctypes, sys, threading
from ingest.malloc import limit_arenas
if sys.argv[1] == "limit":
    limit_arenas(1)
barrier = threading.Barrier(4)
def allocate():
    held = [bytearray(4000) for _ in range(100)]
    barrier.wait()
threads = [threading.Thread(target=allocate) for _ in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
ctypes.CDLL(None).malloc_stats()
"""


def _arenas(mode: str) -> int:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    done = subprocess.run(
        [sys.executable, "-c", _PROGRAM, mode], env=env, capture_output=True, text=True, check=True
    )
    return done.stderr.count("Arena ")


@glibc_only
def test_limit_keeps_threads_to_the_given_arenas() -> None:
    assert _arenas("default") > 1
    assert _arenas("limit") == 1


def test_the_users_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_arenas(1) is False


# Memory freed in pieces between blocks still held, as a page's trees leave it: glibc keeps
# the freed pages until they are asked for back. The RSS, in kB, before and after the call.
_FRAGMENTS = """
from ingest.malloc import release_free_memory
def rss():
    return int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0])
blocks = [bytearray(4000) for _ in range(20_000)]
held = blocks[::50]
del blocks
before = rss()
release_free_memory()
print(before, rss())
"""


@glibc_only
def test_release_gives_freed_pieces_back() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _FRAGMENTS], capture_output=True, text=True, check=True
    )
    before, after = map(int, done.stdout.split())
    # 80 MB were allocated and 98 % of it freed between the blocks still held.
    assert before - after > 40_000
