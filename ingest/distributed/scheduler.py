"""The scheduler of a worker on a shared run: scrapy-redis's queue and filter, scoped to the run,
plus claims, heartbeats and the run's end (see ``ingest.distributed.run``)."""

from __future__ import annotations

import itertools
import logging
from collections import deque
from typing import TYPE_CHECKING, Any

import redis
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from ingest.distributed.run import shared_run

if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Self

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from ingest.distributed.run import SharedRun

logger = logging.getLogger(__name__)

#: Request meta key naming the claim a request came from (this worker's, see ``claims``).
CLAIM = "ingest_claim"


class SharedRunScheduler(Scheduler):
    """Requests come from and go to the run's shared queue; each one taken is a claim.

    A claim is released when the request's article is stored or dropped (the item signals), and
    all of them when the worker is idle (everything it took is done). A worker whose queue is
    empty waits, polling every ``INGEST_REDIS_POLL_SECONDS``: for new requests (another worker's
    sitemap may still be queueing articles), and for the end of the run, when the queue is empty
    and no worker holds a request. Then it closes as ``finished``.

    A worker that loses Redis (down, unreachable, a call that times out) cannot take, queue or
    release requests, nor tell when the run is over: it logs one line and closes as
    ``shared_run_lost``, a failed run (exit 1). What it held stays claimed in Redis, and another
    worker gives it back once this one has been silent for ``INGEST_WORKER_TIMEOUT``.

    Stats: ``ingest/shared_run`` (the run's id), ``ingest/shared_run/given_back`` (requests of
    silent workers this one put back in the queue), ``ingest/shared_run/lost`` (the Redis error
    that ended this worker's part).
    """

    crawler: Crawler
    run: SharedRun
    poll_seconds: float
    #: This worker's claims: meta key → the request as queued (the member of its claims set).
    claims: dict[str, bytes]
    claim_ids: Iterator[int]
    #: Requests _poll took from the shared queue, on their way through engine.crawl().
    handed_over: deque[Request]
    #: The last look at the shared queue found it empty.
    waiting: bool
    #: Redis was lost: the worker is closing as ``shared_run_lost``.
    lost: bool

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        scheduler.poll_seconds = crawler.settings.getfloat("INGEST_REDIS_POLL_SECONDS")
        scheduler.claims = {}
        scheduler.claim_ids = itertools.count()
        scheduler.handed_over = deque()
        scheduler.waiting = False
        scheduler.lost = False
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(scheduler.item_done, signal=signal)
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        return scheduler

    def open(self, spider: Spider) -> None:
        run = shared_run(self.crawler)
        assert run is not None, "SharedRunScheduler needs INGEST_REDIS_URL"
        self.run = run
        self.queue_key = run.queue_key
        debug = self.crawler.settings.getbool("DUPEFILTER_DEBUG")
        self.df = RFPDupeFilter(self.server, key=run.dupefilter_key, debug=debug)
        super().open(spider)
        self.crawler.stats.set_value("ingest/shared_run", run.id)
        logger.info("worker %s on shared run %s", run.worker, run.id)
        self.poll = task.LoopingCall(self._poll)
        self.poll.start(self.poll_seconds, now=False).addErrback(self._poll_failed)

    def close(self, reason: str) -> None:
        if self.poll.running:
            self.poll.stop()
        if self.lost:
            logger.info(
                "requests this worker held go back to the queue when another finds it silent"
            )
            super().close(reason)
            return
        # A finished run holds nothing; a stopped one gives back the requests it holds.
        try:
            given_back = self.run.give_back()
        except redis.RedisError as exc:
            logger.error("could not give requests back to shared run %s: %s", self.run.id, exc)
        else:
            if given_back:
                logger.info("gave %d requests back to shared run %s", given_back, self.run.id)
        super().close(reason)

    def enqueue_request(self, request: Request) -> bool:
        if self.handed_over and request is self.handed_over[-1]:
            return True  # taken from the shared queue by _poll, already claimed
        if self.lost:
            return False
        # scrapy-redis's own, less the spider argument Scrapy 2.19 deprecates in stats calls.
        try:
            if not request.dont_filter and self.df.request_seen(request):
                self.df.log(request, self.spider)
                return False
            self.queue.push(request)
        except redis.RedisError as exc:
            self._lose(exc)
            return False
        self.crawler.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        if self.handed_over:
            return self.handed_over.popleft()
        if self.lost:
            return None
        try:
            return self._take()
        except redis.RedisError as exc:
            self._lose(exc)
            return None

    def has_pending_requests(self) -> bool:
        if self.handed_over:
            return True
        if self.lost:
            return False
        try:
            return len(self) > 0
        except redis.RedisError as exc:
            self._lose(exc)
            return False

    def _take(self) -> Request | None:
        data = self.run.take()
        self.waiting = data is None
        if data is None:
            return None
        request = self.queue._decode_request(data)
        claim = str(next(self.claim_ids))
        self.claims[claim] = data
        request.meta[CLAIM] = claim
        self.crawler.stats.inc_value("scheduler/dequeued/redis")
        return request

    def item_done(self, response: Response | None = None, **_: Any) -> None:
        """An article is stored or dropped: the request that fetched it is done.

        (An article callback yields its item and nothing else, so nothing of it is left.)
        """
        claim = response.meta.get(CLAIM) if response is not None and not self.lost else None
        if claim is not None and (data := self.claims.pop(claim, None)) is not None:
            try:
                self.run.release(data)
            except redis.RedisError as exc:
                self._lose(exc)

    def spider_idle(self) -> None:
        if self.lost:
            raise DontCloseSpider  # closing already, as shared_run_lost: not as finished
        # Idle: every request this worker took is done, its pages stored and its links queued.
        self.claims.clear()
        try:
            self.run.release_all()
            over = self.run.is_over()
            if over:
                self.run.finish()
        except redis.RedisError as exc:
            self._lose(exc)
            raise DontCloseSpider from exc
        if over:
            logger.info("shared run %s is over", self.run.id)
            return
        self.waiting = True
        raise DontCloseSpider

    def _lose(self, error: BaseException) -> None:
        """Stop this worker as a failed run: without Redis it can neither work on the run nor
        tell when the run is over, and without its heartbeats the others take it for dead."""
        if self.lost:
            return
        self.lost = True
        if self.poll.running:
            self.poll.stop()
        logger.error("lost shared run %s (%s); stopping this worker", self.run.id, error)
        self.crawler.stats.set_value("ingest/shared_run/lost", str(error))
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="shared_run_lost"))

    def _poll_failed(self, failure: Failure) -> None:
        self._lose(failure.value)

    def _poll(self) -> None:
        for worker, count in self.run.beat().items():
            logger.warning(
                "worker %s stopped answering; its %d unfinished requests go back to the queue",
                worker,
                count,
            )
            self.crawler.stats.inc_value("ingest/shared_run/given_back", count)
        if not self.waiting:
            return
        if self.run.is_over():
            self.run.finish()
            logger.info("shared run %s is over", self.run.id)
            self.poll.stop()
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="finished"))
        elif (request := self._take()) is not None:
            # Hand it to the engine: that wakes it now rather than at its next heartbeat.
            self.handed_over.append(request)
            self.crawler.engine.crawl(request)
