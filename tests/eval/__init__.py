"""``make eval``: extraction quality of the real crawl against bare trafilatura on both dev sets."""
