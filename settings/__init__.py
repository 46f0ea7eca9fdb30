"""Scrapy settings modules: ``base`` for every run, ``prod`` for scheduled production crawls."""
