"""robots.txt once per shared run: the first worker to need it fetches it, the others read the
copy it leaves in Redis (each worker's RobotsTxtMiddleware, and the spider's sitemap discovery,
would otherwise fetch it again)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.task import deferLater

from ingest.distributed.run import shared_run

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

    from ingest.distributed.run import SharedRun

#: How long a worker that fetches robots.txt keeps the others waiting for its copy (seconds):
#: past this they fetch it themselves (it may have died, or the site may not answer).
FETCH_LEASE = 20
_SERVED = "ingest_robots_shared"


class SharedRobotsTxt:
    """Downloader middleware, after ``RobotsTxtMiddleware`` (whose own request it must see: placed
    ahead, the spider's robots.txt request would wait on itself), serves ``/robots.txt`` from the
    shared run's copy. Off (``NotConfigured``) without ``INGEST_REDIS_URL``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.get("INGEST_REDIS_URL"):
            raise NotConfigured  # a crawl of its own: nothing to share
        return cls(crawler)

    @property
    def run(self) -> SharedRun:
        run = shared_run(self.crawler)
        assert run is not None  # from_crawler checked INGEST_REDIS_URL
        return run

    async def process_request(
        self, request: Request, spider: Spider | None = None
    ) -> Response | None:
        if urlparse_cached(request).path != "/robots.txt":
            return None
        key = self.run.key(f"robots:{urlparse_cached(request).netloc}")
        while True:
            copy = self.run.server.hgetall(key)
            if copy:
                request.meta[_SERVED] = True
                return Response(
                    request.url, status=int(copy[b"status"]), body=copy[b"body"], request=request
                )
            if self.run.server.set(f"{key}:fetching", self.run.worker, nx=True, ex=FETCH_LEASE):
                return None  # this worker fetches it
            from twisted.internet import reactor  # the running one, installed by Scrapy

            await maybe_deferred_to_future(deferLater(reactor, 0.1, lambda: None))

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        if urlparse_cached(request).path == "/robots.txt" and not request.meta.get(_SERVED):
            key = self.run.key(f"robots:{urlparse_cached(request).netloc}")
            pipe = self.run.server.pipeline()
            pipe.hset(key, mapping={"status": response.status, "body": response.body})
            pipe.expire(key, self.run.ttl)
            pipe.execute()
        return response
