"""Switch a crawl to a shared run when ``INGEST_REDIS_URL`` is set (a Scrapy add-on, so the
setting works from the environment and from ``-s`` alike)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.settings import Settings


class SharedRunAddon:
    """Unset ``INGEST_REDIS_URL``: nothing changes. Set: scrapy-redis's scheduler (our run-scoped
    subclass) and duplicate filter, in that Redis. The queue and filter must outlive any one
    worker, so scrapy-redis never clears them on close; they expire with the run instead."""

    def update_settings(self, settings: Settings) -> None:
        url = settings.get("INGEST_REDIS_URL")
        if not url:
            return
        settings.set("SCHEDULER", "ingest.distributed.scheduler.SharedRunScheduler", "addon")
        settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", "addon")
        settings.set("REDIS_URL", url, "addon")
        settings.set("SCHEDULER_PERSIST", True, "addon")
