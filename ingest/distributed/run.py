"""One crawl run shared by worker processes through Redis: who works on it, what each one holds,
who issues the start requests, and when the run is over.

scrapy-redis gives the shared request queue and duplicate filter. A scheduled crawl needs more:
its keys scoped to one run and expiring (the next run fetches due articles again), claims (the
requests a worker took and has not finished, given back to the queue when the worker stops
answering), one worker issuing the start requests, and an end (queue empty, nothing claimed).
Plain Redis, no Scrapy: ``ingest.distributed.scheduler`` is the Scrapy side.

Keys, under ``<prefix>:<spider>``: ``current`` (the id of the run new workers join) and, per run
``<prefix>:<spider>:<run id>``: ``requests`` (scrapy-redis priority queue), ``dupefilter``
(request fingerprints), ``workers`` (worker → last heartbeat), ``claims:<worker>`` (requests the
worker holds, with their queue scores), ``start`` (the worker issuing the start requests) and
``start_done``, ``robots:<host>`` (``ingest.distributed.robots``). Each heartbeat pushes
their expiry ``ttl`` seconds ahead.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
import weakref
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import redis
    from scrapy.crawler import Crawler

# Join the run in progress, or start one: atomic, so workers started together agree.
_JOIN = """
local id = redis.call('GET', KEYS[1])
if not id then
  id = ARGV[1]
  redis.call('SET', KEYS[1], id, 'EX', ARGV[2])
end
return id
"""
# Take the first request of the queue into this worker's claims: a request is always in the
# queue or in exactly one worker's claims, so no moment exists where it is in neither.
_TAKE = """
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #first == 0 then return nil end
redis.call('ZREM', KEYS[1], first[1])
redis.call('ZADD', KEYS[2], first[2], first[1])
return first[1]
"""
# Put a worker's claims back in the queue, with the scores they had, and forget the worker.
_GIVE_BACK = """
local n = redis.call('ZCARD', KEYS[2])
if n > 0 then
  redis.call('ZUNIONSTORE', KEYS[1], 2, KEYS[1], KEYS[2], 'AGGREGATE', 'MIN')
  redis.call('DEL', KEYS[2])
end
redis.call('ZREM', KEYS[3], ARGV[1])
if redis.call('GET', KEYS[4]) == ARGV[1] then redis.call('SET', KEYS[5], 'lost', 'NX') end
return n
"""
# Over: the start requests were issued, the queue is empty and no worker holds a request.
_OVER = """
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
for _, worker in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  if redis.call('ZCARD', ARGV[1] .. worker) > 0 then return 0 end
end
return 1
"""
# End the run for good: new workers start the next one.
_FINISH = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
"""


class SharedRun:
    """This worker's view of the run it shares with others (see the module docstring)."""

    def __init__(
        self, server: redis.Redis, *, prefix: str, spider: str, worker_timeout: float, ttl: int
    ) -> None:
        self.server = server
        self.worker_timeout = worker_timeout
        self.ttl = ttl
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._current = f"{prefix}:{spider}:current"
        new_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        self.id: str = server.eval(_JOIN, 1, self._current, new_id, ttl).decode()
        base = self._base = f"{prefix}:{spider}:{self.id}"
        self.queue_key = f"{base}:requests"
        self.dupefilter_key = f"{base}:dupefilter"
        self._workers = f"{base}:workers"
        self._claims_prefix = f"{base}:claims:"
        self._start = f"{base}:start"
        self._start_done = f"{base}:start_done"
        self.beat()

    def key(self, name: str) -> str:
        """A key of this run for others' use; they set its expiry (``ttl``)."""
        return f"{self._base}:{name}"

    def claims_key(self, worker: str) -> str:
        return self._claims_prefix + worker

    def beat(self) -> dict[str, int]:
        """Say this worker is alive, keep the run's keys from expiring, and give the claims of
        workers silent for longer than ``worker_timeout`` back to the queue.

        Returns the silent workers found, with the number of requests each gave back.
        """
        now = time.time()
        pipe = self.server.pipeline()
        pipe.zadd(self._workers, {self.worker: now})
        for key in (self._current, self.queue_key, self.dupefilter_key, self._workers):
            pipe.expire(key, self.ttl)
        for key in (self._start, self._start_done, self.claims_key(self.worker)):
            pipe.expire(key, self.ttl)
        pipe.zrangebyscore(self._workers, "-inf", now - self.worker_timeout)
        silent = pipe.execute()[-1]
        return {worker: self.give_back(worker) for worker in map(bytes.decode, silent)}

    def take(self) -> bytes | None:
        """Move the first request of the queue into this worker's claims and return it."""
        return self.server.eval(_TAKE, 2, self.queue_key, self.claims_key(self.worker))

    def release(self, *requests: bytes) -> None:
        """These claimed requests are done: their pages stored, their links queued."""
        if requests:
            self.server.zrem(self.claims_key(self.worker), *requests)

    def release_all(self) -> None:
        self.server.delete(self.claims_key(self.worker))

    def give_back(self, worker: str | None = None) -> int:
        """Return a worker's claims (default: this one's) to the queue, and drop the worker.

        A worker that dies while issuing the start requests leaves the start marked done: the
        requests it did not issue are found again by the next run.
        """
        worker = worker or self.worker
        keys = (self.queue_key, self.claims_key(worker), self._workers)
        keys += (self._start, self._start_done)
        return int(self.server.eval(_GIVE_BACK, len(keys), *keys, worker))

    def claim_start(self) -> bool:
        """Whether this worker issues the run's start requests (the first to ask does)."""
        return bool(self.server.set(self._start, self.worker, nx=True, ex=self.ttl))

    def start_issued(self) -> None:
        self.server.set(self._start_done, "1", ex=self.ttl)

    def is_over(self) -> bool:
        keys = (self.queue_key, self._start_done, self._workers)
        return bool(self.server.eval(_OVER, len(keys), *keys, self._claims_prefix))

    def finish(self) -> None:
        """The run is over: the next worker to start begins a new run, with a new filter."""
        self.server.eval(_FINISH, 1, self._current, self.id)


_RUNS: weakref.WeakKeyDictionary[Crawler, SharedRun | None] = weakref.WeakKeyDictionary()


def shared_run(crawler: Crawler) -> SharedRun | None:
    """The run this crawler's process works on, joined at the first call; ``None`` without
    ``INGEST_REDIS_URL`` (a crawl of its own).

    Its Redis client is made as scrapy-redis makes its own (``REDIS_URL``, set from
    ``INGEST_REDIS_URL``, and ``REDIS_PARAMS``), with the same socket timeouts: a Redis that
    stops answering is noticed by the run's calls as by the queue's, never waited on forever.
    """
    if crawler not in _RUNS:
        # Imported here: a crawl of its own never loads the Redis client (6 MB).
        from scrapy_redis.connection import get_redis_from_settings

        settings: Any = crawler.settings
        url = settings.get("INGEST_REDIS_URL")
        _RUNS[crawler] = (
            SharedRun(
                get_redis_from_settings(settings),
                prefix=settings.get("INGEST_REDIS_PREFIX"),
                spider=crawler.spidercls.name,
                worker_timeout=settings.getfloat("INGEST_WORKER_TIMEOUT"),
                ttl=settings.getint("INGEST_RUN_TTL"),
            )
            if url
            else None
        )
    return _RUNS[crawler]
