"""Tuning of the C allocator (glibc's malloc), which holds most of a crawl's memory.

glibc gives every thread that allocates its own arena, up to eight per core, and an arena keeps
the memory freed into it for later use by that arena alone. The crawl process has a database
writer thread, a thread per extraction worker waiting for its answer, and Scrapy's and asyncio's
thread pools: each arena holds a few MB of freed pages that the others cannot reuse (the crawl
process peaked 25 MB higher, 185 MB against 160 MB with two arenas, on the 2,000-page bench).
The threads other than the reactor's mostly wait, so two arenas cost them no measurable
contention.

An extraction worker is one thread, but each page leaves its arena with a few MB of freed
memory in pieces (lxml's trees, trafilatura's copies of them) that the next page's allocations
do not fill: over the 2,000-page bench a worker grew from 70 to 86 MB. Returning the free
pages after each page (``release_free_memory``) keeps it near 80 MB, for about 0.7 ms of
CPU per page (the call, and the page faults of the memory taken again), 3 % of a page's
extraction: two workers, 15 MB, on a machine where memory is what runs out first.

Nothing here is needed for correctness: on another C library, or where ``MALLOC_ARENA_MAX`` is
set in the environment (the user's choice wins), it does nothing.
"""

from __future__ import annotations

import ctypes
import os

# glibc's mallopt() parameter for the arena limit (malloc.h: M_ARENA_MAX).
_M_ARENA_MAX = -8
# Arenas a crawl process uses: the reactor thread's and one shared by all the waiting threads.
CRAWL_ARENAS = 2


def limit_arenas(count: int) -> bool:
    """Let glibc's malloc use at most ``count`` arenas from now on; return whether it was set.

    Call it before starting threads: an arena, once made, stays.
    """
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is None:  # not glibc (macOS, …): its allocator has no such knob
        return False
    return bool(mallopt(_M_ARENA_MAX, count))


_malloc_trim = getattr(ctypes.CDLL(None), "malloc_trim", None)


def release_free_memory() -> None:
    """Give the system back the whole pages of memory that malloc holds freed (glibc's
    ``malloc_trim``); a no-op on a C library without it."""
    if _malloc_trim is not None:
        _malloc_trim(0)
