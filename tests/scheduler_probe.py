"""A test-only Scrapy extension: the most requests the scheduler held at once, as a stat.

Scrapy's stats count requests enqueued and dequeued, not how many waited at the same time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy import signals

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

STAT = "test/scheduler/max_pending"


class SchedulerProbe:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        crawler.signals.connect(self._scheduled, signal=signals.request_scheduled)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def _scheduled(self, request: Any, spider: Any) -> None:
        assert self.crawler.engine is not None
        pending = len(self.crawler.engine._slot.scheduler)  # type: ignore[union-attr,arg-type]
        self.crawler.stats.max_value(STAT, pending)
