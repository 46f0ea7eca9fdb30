"""Settings shared by every run; only values we change from Scrapy's defaults, each with a reason."""

import os
from pathlib import Path

BOT_NAME = "ingest"
SPIDER_MODULES = ["ingest.spiders"]
NEWSPIDER_MODULE = "ingest.spiders"

# The archive's database. The environment variable of the same name sets the default, so cron
# jobs, the CLI and Alembic all agree; `-s INGEST_DATABASE_URL=...` overrides it per run.
DEFAULT_DATABASE_PATH = Path(__file__).resolve().parent.parent / "data" / "ingest.sqlite3"
INGEST_DATABASE_URL = os.environ.get("INGEST_DATABASE_URL") or f"sqlite:///{DEFAULT_DATABASE_PATH}"
# Seconds any query of the `ingest` command may run (`ingest --timeout`; export is exempt). A
# search answers in well under a second and `ingest stats` on 200,000 articles in a few; a
# query still going after this is a runaway holding a core (on PostgreSQL, a server process).
INGEST_QUERY_TIMEOUT = 30.0

# Identify ourselves and be polite: news sites rate-limit anonymous bursts.
USER_AGENT = "ingest/0.1 (+news archive crawler; scrapy)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
# Article pages are well under 2 MB; anything larger is a broken or hostile response.
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024

ITEM_PIPELINES = {
    "ingest.pipelines.ExtractPipeline": 100,
    "ingest.pipelines.DedupeParagraphsPipeline": 200,
    "ingest.pipelines.BoilerplatePipeline": 300,
    "ingest.pipelines.ValidatePipeline": 400,
    "ingest.pipelines.StorePipeline": 800,
}
EXTENSIONS = {
    "ingest.extensions.CrawlRunRecorder": 500,
    "ingest.extensions.StatsFileWriter": 510,
}
# Where the final stats of a run go as JSON (off when empty): `-s INGEST_STATS_FILE=run.json`.
INGEST_STATS_FILE = os.environ.get("INGEST_STATS_FILE", "")

# Processes that extract pages while the crawl keeps fetching (extraction is CPU-bound and
# Scrapy runs in one thread). 0 extracts in the crawl's own thread.
INGEST_EXTRACT_WORKERS = int(os.environ.get("INGEST_EXTRACT_WORKERS", min(os.cpu_count() or 1, 4)))

# Scheduled runs fetch new articles, and known ones only when due: published (or first seen)
# less than INGEST_RECHECK_DAYS ago, since news is edited in its first days, or listed in a
# sitemap with a <lastmod> after our last visit. INGEST_SKIP_KNOWN = False fetches them all.
INGEST_SKIP_KNOWN = True
INGEST_RECHECK_DAYS = 3

# Listing pages are followed this many links deep from a start listing (pagination included).
INGEST_MAX_LISTING_DEPTH = 5
# Bodies shorter than this (characters, after cleaning) are not articles: removed-story stubs,
# video pages with one caption line. Tuned on the fixture sites' shortest real article (~400).
INGEST_MIN_TEXT_CHARS = 200

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("INGEST_LOG_LEVEL", "INFO")
