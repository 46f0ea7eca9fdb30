"""Discovery once per shared run: one worker issues the start requests, the others wait for
what they lead to."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from ingest.distributed.run import shared_run

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from typing import Self

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class StartOncePerRun:
    """Spider middleware: on a shared run, only the first worker to start issues the spider's
    start requests (robots.txt, sitemaps, feeds, listings; a ``urls`` spider's list). The
    requests they lead to go to the shared queue, so every worker fetches articles.

    Off (``NotConfigured``) without ``INGEST_REDIS_URL``.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.get("INGEST_REDIS_URL"):
            raise NotConfigured  # a crawl of its own: nothing to share
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        run = shared_run(self.crawler)
        assert run is not None  # from_crawler checked INGEST_REDIS_URL
        if not run.claim_start():
            logger.info("another worker issues the start requests of shared run %s", run.id)
            return
        async for request_or_item in start:
            yield request_or_item
        run.start_issued()
