"""What is truly site-specific, one module per site: URL layouts and readers of a site's own page data.

The site profiles in ``ingest.profiles`` declare each site as data and reference what they
need from here (as fundus keeps one parser per publisher); the generic crawl and extraction
code names no site. Modules here stay pure (no Scrapy, no SQLAlchemy): extraction workers
import them.
"""
