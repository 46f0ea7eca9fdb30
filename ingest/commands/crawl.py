"""``scrapy crawl``, with an exit status that says how the run went.

Scrapy's own command exits 0 whenever the crawl got going, whatever happened after; cron
cannot tell a run that stored nothing from a good one. This one exits 1 when the run's
verdict (``ingest.extensions.RunVerdict``) is not healthy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from ingest.extensions import VERDICT_STAT
from ingest.health import HEALTHY

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider: scrapy crawl <spider>")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        verdict = crawler.stats.get_value(VERDICT_STAT) if crawler.stats else None
        if self.crawler_process.bootstrap_failed or verdict not in (None, HEALTHY):
            self.exitcode = 1
