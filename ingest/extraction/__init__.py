"""Pure extraction and cleaning functions: HTML and text in, values out (no Scrapy, no SQL)."""
