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

# Where the page of every stored article is kept, as WARC files (`ingest raw`, `ingest
# reextract`); beside the default archive. Empty turns the raw page store off.
INGEST_RAW_DIR = os.environ.get("INGEST_RAW_DIR", str(DEFAULT_DATABASE_PATH.parent / "raw"))
# A WARC file is closed and a new one started past this size: 1 GB is the size the
# web-archiving tools (Heritrix, Common Crawl) use, large enough to keep the file count low.
INGEST_RAW_MAX_BYTES = 1_000_000_000

# Identify ourselves and be polite: news sites rate-limit anonymous bursts.
USER_AGENT = "ingest/0.1 (+news archive crawler; scrapy)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
# Scrapy starts this many tasks for each response's output, whatever its size (default 100).
# An article page yields one item and a listing a few dozen requests, each handled at once;
# a hundred tasks per page were 3 % of the crawl process's time (py-spy, make bench-crawl).
CONCURRENT_ITEMS = 8
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
# Article pages are well under 2 MB; anything larger is a broken or hostile response.
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024

DOWNLOADER_MIDDLEWARES = {
    # Redirects stay on the site first requested and out of private networks.
    "ingest.downloadermiddlewares.SameSiteRedirectMiddleware": 610,
    # Scrapy's redirect and meta refresh middlewares, in their places, failing loops.
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "ingest.downloadermiddlewares.LoopFailingRedirectMiddleware": 600,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "ingest.downloadermiddlewares.LoopFailingMetaRefreshMiddleware": 580,
    # Retries that wait (backoff, Retry-After) and refuse cut-off gzip bodies. At 595, where
    # Scrapy's RetryMiddleware (550) is replaced, so it sees the body before decompression.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "ingest.downloadermiddlewares.PoliteRetryMiddleware": 595,
}
# The first retry waits INGEST_RETRY_BACKOFF seconds, each next one twice as long, at most
# INGEST_RETRY_BACKOFF_MAX; a 429 or 503 waits what its Retry-After asks. A server asking
# for more than INGEST_RETRY_BACKOFF_MAX is not retried this run: waiting that long would
# hold the run past its next cron slot, and retrying sooner is what it asked us not to do.
INGEST_RETRY_BACKOFF = 2.0
# The spider logs and counts each page it gives up on; Scrapy's own ERROR line would say it
# twice (and a run with no network would print screens of them).
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"
INGEST_RETRY_BACKOFF_MAX = 120.0
# Hosts a redirect or meta refresh may lead to besides the one first requested (and a site
# spider's own domains), e.g. a publisher's CDN host for the `urls` spider.
INGEST_REDIRECT_ALLOWED_HOSTS: list[str] = []

ITEM_PIPELINES = {
    "ingest.pipelines.ExtractPipeline": 100,
    "ingest.pipelines.DedupeParagraphsPipeline": 200,
    "ingest.pipelines.BoilerplatePipeline": 300,
    "ingest.pipelines.FallbackPipeline": 340,
    "ingest.pipelines.SiteBoilerplatePipeline": 350,
    "ingest.pipelines.ValidatePipeline": 400,
    "ingest.pipelines.RawPagePipeline": 700,
    "ingest.pipelines.StorePipeline": 800,
    # Last: it learns from what the store wrote, when the run closes.
    "ingest.pipelines.LearnBoilerplatePipeline": 900,
}
EXTENSIONS = {
    # Before the recorder and the stats file, which store the verdict.
    "ingest.extensions.RunVerdict": 490,
    "ingest.extensions.CrawlRunRecorder": 500,
    "ingest.extensions.StatsFileWriter": 510,
}
# Scrapy's default extensions without its two consoles: a telnet console, and an HTTP server
# on localhost that runs whatever Python code it is sent and writes a job file to the user's
# state folder on every run. A scheduled crawl has no one at a console, and Scrapy imports
# every extension it lists, even one set to None or disabled: the HTTP server's aiohttp was
# 10 MB of every crawl process. To debug a run, put one back in EXTENSIONS with its order, 0.
# Written out rather than derived from scrapy.settings.default_settings: importing Scrapy here
# made every `ingest` command, which reads its defaults from this module, start 0.1 s slower.
# tests/test_layering.py fails when a Scrapy release changes its own list.
EXTENSIONS_BASE = {
    "scrapy.extensions.corestats.CoreStats": 0,
    "scrapy.extensions.logcount.LogCount": 0,
    "scrapy.extensions.memusage.MemoryUsage": 0,
    "scrapy.extensions.memdebug.MemoryDebugger": 0,
    "scrapy.extensions.closespider.CloseSpider": 0,
    "scrapy.extensions.feedexport.FeedExporter": 0,
    "scrapy.extensions.logstats.LogStats": 0,
    "scrapy.extensions.spiderstate.SpiderState": 0,
    "scrapy.extensions.throttle.AutoThrottle": 0,
}
# Where the final stats of a run go as JSON (off when empty): `-s INGEST_STATS_FILE=run.json`.
INGEST_STATS_FILE = os.environ.get("INGEST_STATS_FILE", "")

# Processes that extract pages while the crawl keeps fetching (extraction is CPU-bound and
# Scrapy runs in one thread). 0 extracts in the crawl's own thread.
INGEST_EXTRACT_WORKERS = int(os.environ.get("INGEST_EXTRACT_WORKERS", min(os.cpu_count() or 1, 4)))
# CPU seconds one page may take in a worker before the kernel stops it (RLIMIT_CPU; 0: no
# limit). A news page takes well under a second; one that spins for a minute is pathological
# markup and would otherwise hold a worker for the rest of the run. It is tried once more on
# a fresh worker, then dropped as ExtractionCrashed.
INGEST_EXTRACT_CPU_SECONDS = 60

# Scheduled runs fetch new articles, and known ones only when due: published (or first seen)
# less than INGEST_RECHECK_DAYS ago, since news is edited in its first days, or listed in a
# sitemap with a <lastmod> after our last visit. INGEST_SKIP_KNOWN = False fetches them all.
INGEST_SKIP_KNOWN = True
INGEST_RECHECK_DAYS = 3

# Shared runs: set INGEST_REDIS_URL (environment or -s) and any number of `scrapy crawl`
# processes, on one host or many, work on one crawl through that Redis (README: "Several
# workers"). Unset, a crawl is a process of its own and Redis is not used.
INGEST_REDIS_URL = os.environ.get("INGEST_REDIS_URL", "")
ADDONS = {"ingest.distributed.addon.SharedRunAddon": 0}
SPIDER_MIDDLEWARES = {
    "ingest.distributed.start.StartOncePerRun": 50,
    "ingest.middlewares.DueVisitsMiddleware": 600,
}
# After RobotsTxtMiddleware (100): its own fetch of robots.txt is the one shared.
DOWNLOADER_MIDDLEWARES["ingest.distributed.robots.SharedRobotsTxt"] = 110
# Every Redis key of a run starts with this, so several archives can share one Redis.
INGEST_REDIS_PREFIX = os.environ.get("INGEST_REDIS_PREFIX", "ingest")
# A worker silent for this long (seconds) is taken for dead, and the requests it held go back
# to the queue. Well above the longest a worker's reactor may be busy (a 30 s download timeout
# does not block it; a migration on a big database might).
INGEST_WORKER_TIMEOUT = 60
# How often (seconds) a worker sends its heartbeat and, when its queue is empty, looks for new
# requests and for the end of the run.
INGEST_REDIS_POLL_SECONDS = 0.5
# A run's keys expire this long (seconds) after its last heartbeat: a finished run's duplicate
# filter must not stop the next run, and an abandoned run must not linger.
INGEST_RUN_TTL = 3600

# Listing and section pages are followed this many links deep from a start page (a start
# listing, feed or sitemap), through any page, articles included; pagination counts too.
INGEST_MAX_LISTING_DEPTH = 5
# Bodies shorter than this (characters, after cleaning) are not articles: removed-story stubs,
# video pages with one caption line. Tuned on the fixture sites' shortest real article (~400).
# A page that declares itself an article (og:type, JSON-LD) needs only a sentence's worth.
INGEST_MIN_TEXT_CHARS = 200

# `scrapy crawl` runs our crawl command (ingest/commands/crawl.py): it exits 1 when the run's
# verdict is not healthy, so cron and monitors see a failed run (Scrapy's own exits 0).
COMMANDS_MODULE = "ingest.commands"
# A run is unhealthy (exit status 1, verdict in crawl_runs) when it ends early, fetches
# nothing, stores no article where it attempted some or where earlier runs stored some,
# leaves items in the spool, or when more than these shares of its article pages failed to
# download or were dropped. A few 404s and removed stories are normal on a news site;
# a quarter of the pages failing, or most of them dropped, means a site change or an outage.
# Shares are judged from INGEST_HEALTH_MIN_PAGES article pages on (one failure in three
# pages says little). INGEST_HEALTH_ENABLED = False always exits 0, as Scrapy does.
INGEST_HEALTH_ENABLED = True
INGEST_HEALTH_MIN_PAGES = 10
INGEST_HEALTH_MAX_FAILED_SHARE = 0.25
INGEST_HEALTH_MAX_DROPPED_SHARE = 0.5
# A paragraph on at least INGEST_BOILERPLATE_MIN_ARTICLES distinct articles of a site's edition,
# and on at least INGEST_BOILERPLATE_MIN_SHARE of them, is that site's boilerplate (a moderation
# policy, "follow us", a copyright line). Both: the count keeps a new site from learning from
# three pages, the share lets a quote a few stories share survive on a busy one. Counted over
# the INGEST_BOILERPLATE_WINDOW latest articles of each edition, at the end of every run.
INGEST_BOILERPLATE_LEARN = True
INGEST_BOILERPLATE_MIN_ARTICLES = 5
INGEST_BOILERPLATE_MIN_SHARE = 0.3
INGEST_BOILERPLATE_WINDOW = 1000

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("INGEST_LOG_LEVEL", "INFO")

# Storing. Articles are written by a thread of their own in batches of up to INGEST_STORE_BATCH
# (one transaction each: far fewer round trips than one per article, small enough that a
# refused value costs a retry of a few dozen rows, not thousands).
INGEST_STORE_BATCH = 100
# When the database is away, articles go to a spool of JSON lines (fsync'd) in this folder and
# are stored when it answers again, at the end of the run, by the next run, or by
# `ingest spool replay`. Beside the default archive, on local disk.
INGEST_SPOOL_DIR = os.environ.get(
    "INGEST_SPOOL_DIR", str(Path(__file__).resolve().parent.parent / "data" / "spool")
)
# Seconds before trying an unavailable database again; doubles after each failure up to the
# maximum, so a long outage costs a connection attempt a minute, not one per article.
INGEST_STORE_RETRY_BACKOFF = 1.0
INGEST_STORE_RETRY_BACKOFF_MAX = 60.0
# Every database call is bounded, so that a lost or stalled server is noticed and the articles
# spooled instead of the crawl hanging. Seconds. Connecting: a live server answers in
# milliseconds. A batch statement of the crawl: its slowest real write is well under a second.
# A stall (packets dropped): TCP user timeout and keepalives drop the connection after this.
# A call with no answer at all (a peer that keeps the connection open and acknowledges
# packets but never answers, which neither of the above sees): the crawl breaks the
# connection itself after INGEST_DB_CALL_TIMEOUT and carries on as for a lost database.
INGEST_DB_CONNECT_TIMEOUT = 10
INGEST_DB_STATEMENT_TIMEOUT = 30
INGEST_DB_STALL_TIMEOUT = 30
INGEST_DB_CALL_TIMEOUT = 30
