"""Settings for scheduled production crawls of the live sites (``SCRAPY_PROJECT=prod``)."""

from settings.base import *  # noqa: F403

# Adapt the request rate to the server's latency instead of a fixed burst.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# Keep the cron mail short: one line per problem, not per request.
LOG_LEVEL = "WARNING"
