"""Spiders: one per site profile (``scrapy crawl rudaw``) and ``urls`` for a list of pages."""
